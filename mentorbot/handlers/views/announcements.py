"""The announcement modal's submission: schedule the post (or refuse, next to the field)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.errors import InvalidForm
from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.announcements import schedule_announcement
from mentorbot.bot.services.cohorts import find_cohort_by_id
from mentorbot.bot.services.members import require_coordinator
from mentorbot.bot.settings import Settings
from mentorbot.bot.usertext import is_whole_number
from mentorbot.handlers.forms import field
from mentorbot.handlers.modals import finish_modal
from mentorbot.handlers.people import zone_of_asker


def register(app: App) -> None:
    """Attach the announcement modal's submission listener."""
    app.view("announce")(submit_announcement)


def submit_announcement(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
    settings: Settings,
    now: datetime,
) -> None:
    """Validate the form, schedule the announcement, and close the modal."""
    team_id, user_id = context.team_id or "", context.user_id or ""
    require_coordinator(session, team_id=team_id, user_id=user_id, configured=settings.coordinators)
    zone = zone_of_asker(
        client, session, team_id=team_id, user_id=user_id, default=settings.timezone, now=now
    )
    cohort_id = field(view, "cohort")
    if not cohort_id or not is_whole_number(cohort_id):
        raise InvalidForm("cohort", "announcements/pick_cohort")
    cohort = find_cohort_by_id(session, team_id=team_id, cohort_id=int(cohort_id))
    if field(view, "when") == "later":
        day, clock = field(view, "date"), field(view, "time")
        if not day:
            raise InvalidForm("date", "announcements/pick_date")
        if not clock:
            raise InvalidForm("time", "announcements/pick_time")
        send_at = datetime.combine(_date(day), _time(clock), tzinfo=zone)
    else:
        send_at = now
    announcement = schedule_announcement(
        session,
        cohort=cohort,
        text=field(view, "text") or "",
        send_at=send_at,
        created_by=user_id,
        now=now,
        zone=zone,
    )
    text = render_text(
        "announcements/scheduled.md.j2",
        announcement=announcement,
        cohort=cohort,
        now=now,
        zone=zone,
    )
    finish_modal(ack, "announcements/done.json.j2", text=text)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidForm("date", "announcements/not_a_date", value=value) from None


def _time(value: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise InvalidForm("time", "announcements/not_a_time", value=value) from None
