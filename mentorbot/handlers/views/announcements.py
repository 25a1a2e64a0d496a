"""The announcement modal's submission (coordinators only): schedule the post (or refuse,
next to the field)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from slack_bolt import Ack, App
from sqlalchemy.orm import Session

from mentorbot.bot.errors import InvalidForm
from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.announcements import schedule_announcement
from mentorbot.bot.services.cohorts import find_cohort_by_id
from mentorbot.bot.usertext import is_whole_number
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.forms import field
from mentorbot.handlers.middleware import coordinators_only
from mentorbot.handlers.modals import finish_modal


def register(app: App) -> None:
    """Attach the announcement modal's submission listener."""
    app.view("announce", middleware=[coordinators_only])(submit_announcement)


def submit_announcement(
    ack: Ack, view: dict[str, Any], session: Session, actor: Actor, now: datetime
) -> None:
    """Validate the form, schedule the announcement, and close the modal."""
    team_id, user_id = actor.team_id, actor.user_id
    zone = actor.checked_zone()
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
