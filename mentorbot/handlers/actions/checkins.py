"""Check-in buttons: open the check-in form for a pair, undo a check-in just recorded."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from sqlalchemy.orm import Session

from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.checkins import undo_checkin
from mentorbot.handlers.deferred import defer
from mentorbot.handlers.modals import button_number, pair_modal
from mentorbot.handlers.views.checkins import checkin_modal


def register(app: App) -> None:
    """Attach the check-in buttons."""
    app.action("checkin_open")(open_checkin)
    app.action("checkin_undo")(undo)


open_checkin = pair_modal(checkin_modal)


def undo(
    ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond, session: Session
) -> None:
    """Remove the check-in just recorded."""
    ack()
    undo_checkin(
        session,
        team_id=context.team_id or "",
        checkin_id=button_number(action),
        user_id=context.user_id or "",
    )
    text = render_text("checkins/undone.md.j2")
    defer(context, "confirm an undo", lambda: respond(text=text, replace_original=True))
