"""The directory of mentors' buttons: *More mentors* (the next page, in place), and the App
Home's *Find a mentor* (a modal)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.mentor_directory import mentor_directory
from mentorbot.bot.usertext import is_whole_number
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.deferred import replace_message
from mentorbot.handlers.modals import open_modal

# The modal shows this many mentors (Slack allows 100 blocks a view).
IN_MODAL = 20


def register(app: App) -> None:
    """Attach the listeners."""
    app.action("mentor_directory_page")(next_page)
    app.action("mentor_directory_open")(open_directory)


def next_page(
    ack: Ack,
    action: dict[str, Any],
    context: BoltContext,
    session: Session,
    actor: Actor,
    now: datetime,
) -> None:
    """The page the button names (`<offset>:<area>`), in place of this one."""
    ack()
    offset, _, area = str(action.get("value") or "").partition(":")
    if not is_whole_number(offset):
        raise BadInput("mentor_directory/stale_button")
    directory = mentor_directory(
        session,
        team_id=actor.team_id,
        mentee_id=actor.user_id,
        now=now,
        area=area or None,
        offset=int(offset),
    )
    message = render_json("mentor_directory/page.json.j2", directory=directory)
    replace_message(context, "turn the directory's page", **message)


def open_directory(
    ack: Ack,
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
    actor: Actor,
    now: datetime,
) -> None:
    """The App Home's *Find a mentor*: the best-fitting mentors in a modal."""
    ack()
    directory = mentor_directory(
        session, team_id=actor.team_id, mentee_id=actor.user_id, now=now, page=IN_MODAL
    )
    view = render_json("mentor_directory/modal.json.j2", directory=directory)
    open_modal(context, client, str(body.get("trigger_id") or ""), view)
