"""Pause buttons: open the pause form; the App Home's Resume."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.rendering import render_json
from mentorbot.bot.services import pauses
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.events.home import refresh_home
from mentorbot.handlers.modals import button_number, pair_modal


def register(app: App) -> None:
    """Attach the pause buttons."""
    app.action("pause_open")(open_pause)
    app.action("pause_resume")(resume)


open_pause = pair_modal(
    lambda session, pair, user_id: render_json("pauses/modal.json.j2", pair=pair, user_id=user_id)
)


def resume(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
    actor: Actor,
    now: datetime,
) -> None:
    """The App Home's Resume button."""
    ack()
    pauses.resume(
        session,
        team_id=actor.team_id,
        user_id=actor.user_id,
        now=now,
        pair_id=button_number(action),
    )
    refresh_home(context, client, session, actor)
