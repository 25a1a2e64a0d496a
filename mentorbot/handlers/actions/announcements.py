"""The cancel button in `/mentoring announcements`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from sqlalchemy.orm import Session

from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.announcements import cancel_announcement, pending_announcements
from mentorbot.bot.services.members import require_coordinator, zone_of
from mentorbot.bot.settings import Settings
from mentorbot.handlers.deferred import defer
from mentorbot.handlers.modals import button_number


def register(app: App) -> None:
    """Attach the cancel button's listener."""
    app.action("announcement_cancel")(cancel)


def cancel(
    ack: Ack,
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    session: Session,
    settings: Settings,
    now: datetime,
) -> None:
    """Cancel the announcement, then show the list again without it."""
    ack()
    team_id, user_id = context.team_id or "", context.user_id or ""
    require_coordinator(session, team_id=team_id, user_id=user_id, configured=settings.coordinators)
    announcement_id = button_number(action, "announcements/stale_button")
    cancel_announcement(session, team_id=team_id, announcement_id=announcement_id, now=now)
    zone = zone_of(session, team_id=team_id, user_id=user_id, default=settings.timezone)
    pending = pending_announcements(session, team_id=team_id)
    message = render_json("announcements/pending.json.j2", pending=pending, zone=zone)
    defer(
        context, "show the announcements again", lambda: respond(replace_original=True, **message)
    )
