"""The cancel button in `/mentoring announcements` (coordinators only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from sqlalchemy.orm import Session

from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.announcements import cancel_announcement, pending_announcements
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.deferred import replace_message
from mentorbot.handlers.middleware import coordinators_only
from mentorbot.handlers.modals import button_number


def register(app: App) -> None:
    """Attach the cancel button's listener."""
    app.action("announcement_cancel", middleware=[coordinators_only])(cancel)


def cancel(
    ack: Ack,
    action: dict[str, Any],
    context: BoltContext,
    session: Session,
    actor: Actor,
    now: datetime,
) -> None:
    """Cancel the announcement, then show the list again without it."""
    ack()
    team_id = actor.team_id
    announcement_id = button_number(action, "announcements/stale_button")
    cancel_announcement(session, team_id=team_id, announcement_id=announcement_id, now=now)
    zone = actor.zone
    pending = pending_announcements(session, team_id=team_id)
    message = render_json("announcements/pending.json.j2", pending=pending, zone=zone)
    replace_message(context, "show the announcements again", **message)
