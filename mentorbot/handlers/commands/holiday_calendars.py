"""`/checkin holidays [US-CA|none]`: see or set the public holidays one's DMs wait over."""

from __future__ import annotations

import re

from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.holiday_calendars import set_holiday_calendar
from mentorbot.bot.services.members import get_or_create_member
from mentorbot.bot.services.workspaces import availability_for
from mentorbot.handlers.commands.request import MentoringRequest as Request

# What `/checkin holidays …` takes; other words after it ("holidays were lovely") are a
# check-in.
CALENDAR_WORDS = re.compile(r"^\s*(none|[A-Za-z]{2,3}(-[A-Za-z0-9]{1,4})?)\s*$", re.IGNORECASE)


def is_calendar_command(rest: str) -> bool:
    """Whether the words after `holidays` name a calendar (or are none at all)."""
    return not rest.strip() or bool(CALENDAR_WORDS.match(rest))


def holidays(request: Request) -> None:
    """`/checkin holidays [US-CA|none]`: see or set one's holiday calendar."""
    member = get_or_create_member(
        request.session, team_id=request.team_id, user_id=request.user_id, now=request.now
    )
    changed = bool(request.text.rest)
    if changed:
        set_holiday_calendar(request.session, member=member, text=request.text.rest)
    mine = availability_for(request.session, team_id=request.team_id, user_id=request.user_id)
    request.reply(
        render_text(
            "holiday_calendars/holidays.md.j2",
            changed=changed,
            calendar=str(mine.holidays) if mine.holidays else None,
            own=bool(member.holiday_calendar),
        )
    )
