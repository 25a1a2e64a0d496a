"""Check-in buttons: open the check-in form for a pair, undo a check-in just recorded."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from sqlalchemy.orm import Session

from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.checkins import undo_checkin
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.deferred import replace_message
from mentorbot.handlers.modals import button_number, pair_modal
from mentorbot.handlers.views.checkins import checkin_modal


def register(app: App) -> None:
    """Attach the check-in buttons."""
    app.action("checkin_open")(open_checkin)
    app.action("checkin_undo")(undo)


open_checkin = pair_modal(checkin_modal)


def undo(
    ack: Ack, action: dict[str, Any], context: BoltContext, session: Session, actor: Actor
) -> None:
    """Remove the check-in just recorded."""
    ack()
    undo_checkin(
        session,
        team_id=actor.team_id,
        checkin_id=button_number(action),
        user_id=actor.user_id,
    )
    text = render_text("checkins/undone.md.j2")
    replace_message(context, "confirm an undo", text=text)
