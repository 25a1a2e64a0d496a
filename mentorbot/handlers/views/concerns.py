"""Concern form submissions: a concern raised, and a coordinator's reply to one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.rendering import render_text
from mentorbot.bot.services import concerns
from mentorbot.bot.settings import Settings
from mentorbot.bot.usertext import is_whole_number
from mentorbot.handlers.actions.concerns import show_handled
from mentorbot.handlers.forms import field
from mentorbot.handlers.modals import finish_modal


def register(app: App) -> None:
    """Attach the concern form listeners."""
    app.view("concern")(submit_concern)
    app.view("concern_reply")(submit_reply)


def submit_concern(
    ack: Ack, view: dict[str, Any], context: BoltContext, session: Session, now: datetime
) -> None:
    """Store the concern, send it to coordinators, and acknowledge it in the modal."""
    raised = concerns.raise_concern(
        session,
        team_id=context.team_id or "",
        user_id=context.user_id or "",
        pair_choice=field(view, "pair"),
        pair_asked=view.get("private_metadata") == "pick",
        text=field(view, "text") or "",
        now=now,
    )
    text = render_text(
        "concerns/raised.md.j2",
        concern=raised.concern,
        pair=raised.pair,
        coordinators=raised.coordinators,
    )
    finish_modal(ack, "concerns/done.json.j2", text=text)


def submit_reply(
    ack: Ack,
    view: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
    settings: Settings,
    now: datetime,
) -> None:
    """Send the coordinator's reply to the person who raised the concern."""
    concern_id = str(view.get("private_metadata") or "")
    if not is_whole_number(concern_id):
        raise BadInput("this form is out of date; press the concern's button again.")
    handled = concerns.handle_concern(
        session,
        team_id=context.team_id or "",
        concern_id=int(concern_id),
        by=context.user_id or "",
        how="replied",
        reply=field(view, "reply"),
        configured=settings.coordinators,
        now=now,
    )
    show_handled(context, client, None, handled, context.user_id or "")
    text = render_text("concerns/replied.md.j2", concern=handled.concern, now=handled.now)
    finish_modal(ack, "concerns/reply_done.json.j2", text=text)
