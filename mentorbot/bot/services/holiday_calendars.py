"""A person's holiday calendar: the public holidays on which their DMs wait."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput, Example
from mentorbot.bot.models import Member
from mentorbot.bot.public_holidays import NONE, HolidayCalendar, UnknownCalendar, parse_calendar

EXAMPLE = Example("holiday_calendars/holidays")


def set_holiday_calendar(session: Session, *, member: Member, text: str) -> HolidayCalendar | None:
    """Keep the person's own calendar (`US-CA`), or none (`none`: not the workspace's
    either). Returns the calendar, None for none."""
    words = text.split()
    if len(words) != 1:
        raise BadInput("holiday_calendars/one_code", example=EXAMPLE)
    try:
        calendar = parse_calendar(words[0])
    except UnknownCalendar as error:
        raise BadInput(
            "holiday_calendars/unknown",
            country=error.country,
            subdivision=error.subdivision,
            example=EXAMPLE,
        ) from None
    member.holiday_calendar = str(calendar) if calendar else NONE
    session.flush()
    return calendar
