"""The Previous and Next buttons of `/mentoring cohort show`: the page before or after, in
place of the one shown (coordinators only, checked at every press)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.services.cohort_show import cohort_show
from mentorbot.bot.services.cohorts import find_cohort_by_id
from mentorbot.bot.services.members import require_coordinator, zone_of
from mentorbot.bot.settings import Settings
from mentorbot.bot.usertext import is_whole_number
from mentorbot.handlers.deferred import defer


def register(app: App) -> None:
    """Attach the listener."""
    app.action("cohort_show_page")(turn_page)


def turn_page(
    ack: Ack,
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    session: Session,
    settings: Settings,
    now: datetime,
) -> None:
    """Show the page the button names (`<cohort id>:<page>`) in place of this one."""
    ack()
    team_id, user_id = context.team_id or "", context.user_id or ""
    require_coordinator(session, team_id=team_id, user_id=user_id, configured=settings.coordinators)
    cohort_id, _, page = str(action.get("value") or "").partition(":")
    if not (is_whole_number(cohort_id) and is_whole_number(page)):
        raise BadInput("cohorts/stale_button")
    cohort = find_cohort_by_id(session, team_id=team_id, cohort_id=int(cohort_id))
    zone = zone_of(session, team_id=team_id, user_id=user_id, default=settings.timezone)
    message = cohort_show(
        session,
        cohort=cohort,
        page=int(page),
        viewer=user_id,
        today=now.astimezone(zone).date(),
        now=now,
        zone=zone,
    )
    defer(context, "turn a cohort's page", lambda: respond(replace_original=True, **message))
