"""Pauses and personal hours: respecting people's time.

A pause stops every prompt and nudge to a pair until it ends by itself (or is resumed
early); the pair hears when it starts and ends. Personal working hours decide when DMs
reach a person.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot import message_kinds
from mentorbot.bot.errors import BadInput, Example, NotFound
from mentorbot.bot.message_kinds import Kind, MessageKey
from mentorbot.bot.models import Member, Pair
from mentorbot.bot.outbox import cancel_queued, enqueue_many, to_pair
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.languages import speaking_to_pair
from mentorbot.bot.services.meeting_history import record_pause, record_resume
from mentorbot.bot.services.meetings import (
    MEETING_MESSAGES,
    local_moment,
    mentee_availability,
    regular_after,
    set_next_meeting,
)
from mentorbot.bot.services.nudges import restart_quiet_clock
from mentorbot.bot.services.pairs import pairs_of_person
from mentorbot.bot.settings import (
    WEEKDAYS,
    SettingsError,
    WorkingHours,
    parse_workdays,
    parse_working_hours,
)

LONGEST_PAUSE = timedelta(weeks=12)
SHORTEST_PAUSE = timedelta(days=1)
PAUSE_EXAMPLE = Example("pauses/pause")
HOURS_EXAMPLE = Example("pauses/hours")
_LENGTH = re.compile(r"(\d{1,3})\s*(d|days?|w|wks?|weeks?)", re.IGNORECASE)
# Queued messages a pause makes pointless.
PAUSED_MESSAGES = (*MEETING_MESSAGES, Kind.NUDGE, Kind.GOAL_DUE)


def pause_end(text: str, *, now: datetime, zone: ZoneInfo) -> datetime:
    """Read `2 weeks`, `10 days` or `until YYYY-MM-DD` (the reader's date) into a UTC moment."""
    words = text.strip()
    if not words:
        raise BadInput("pauses/how_long", example=PAUSE_EXAMPLE)
    if words.lower().startswith("until"):
        value = words[5:].strip()
        try:
            day = date.fromisoformat(value)
        except ValueError:
            example = Example("pauses/pause_until")
            raise BadInput("pauses/not_a_date", value=value, example=example) from None
        end = local_moment(day, time(0), zone, now=now)
    else:
        found = _LENGTH.fullmatch(words)
        if not found:
            raise BadInput(
                "pauses/not_a_length",
                words=words,
                weeks=LONGEST_PAUSE.days // 7,
                example=PAUSE_EXAMPLE,
            )
        count, unit = int(found.group(1)), found.group(2).lower()
        end = now + (timedelta(weeks=count) if unit.startswith("w") else timedelta(days=count))
    if end - now < SHORTEST_PAUSE:
        raise BadInput("pauses/too_short", example=PAUSE_EXAMPLE)
    if end - now > LONGEST_PAUSE:
        raise BadInput("pauses/too_long", weeks=LONGEST_PAUSE.days // 7, example=PAUSE_EXAMPLE)
    return end


def pause(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    until: datetime,
    now: datetime,
    pair_id: int | None = None,
) -> list[Pair]:
    """Pause one of the person's pairs (`pair_id`), or all of them (a mentor on holiday),
    until `until`; both people in each pair hear."""
    pairs = _chosen(session, team_id, user_id, ("active", "paused"), pair_id)
    if not pairs:
        raise NotFound("pauses/no_pair")
    for pair in pairs:
        pair.status = "paused"
        pair.paused_until = until
        pair.prompt_at = None
        record_pause(pair, until, now)
        cancel_queued(session, team_id=team_id, pair_id=pair.id, kinds=PAUSED_MESSAGES)
    _tell(
        session, pairs, "paused", by=user_id, now=now, key=lambda p: message_kinds.paused(p, until)
    )
    return pairs


def resume(
    session: Session, *, team_id: str, user_id: str, now: datetime, pair_id: int | None = None
) -> list[Pair]:
    """End the person's pauses early (one pair's, or all of them)."""
    pairs = _chosen(session, team_id, user_id, ("paused",), pair_id)
    if not pairs:
        raise BadInput("pauses/not_paused")
    _restart(session, pairs, by=user_id, now=now)
    return pairs


def _chosen(
    session: Session, team_id: str, user_id: str, status: tuple[str, ...], pair_id: int | None
) -> list[Pair]:
    pairs = pairs_of_person(session, team_id=team_id, user_id=user_id, status=status)
    return [pair for pair in pairs if pair_id is None or pair.id == pair_id]


def produce_resumes(session: Session, now: datetime) -> int:
    """Resume pairs whose pause has ended (a tick producer); returns messages queued."""
    pairs = list(
        session.scalars(select(Pair).where(Pair.status == "paused", Pair.paused_until <= now))
    )
    return _restart(session, pairs, by=None, now=now)


def _restart(session: Session, pairs: list[Pair], *, by: str | None, now: datetime) -> int:
    for pair in pairs:
        pair.status = "active"
        pair.paused_until = None
        record_resume(pair, now)
        restart_quiet_clock(session, pair, now)  # no nudge for the pause
        if pair.next_meeting_at is not None and pair.next_meeting_at <= now:
            set_next_meeting(session, pair, regular_after(session, pair, now), now=now)
        elif pair.next_meeting_at is not None:
            set_next_meeting(
                session, pair, pair.next_meeting_at, now=now, moved_from=pair.moved_from
            )
    return _tell(
        session, pairs, "resumed", by=by, now=now, key=lambda p: message_kinds.resumed(p, now)
    )


def _tell(
    session: Session,
    pairs: list[Pair],
    what: str,
    *,
    by: str | None,
    now: datetime,
    key: Callable[[Pair], MessageKey],
) -> int:
    messages = []
    for pair in pairs:
        with speaking_to_pair(session, pair):
            words = render_json(
                "pauses/pause.json.j2",
                pair=pair,
                what=what,
                by=by,
                zone=mentee_availability(session, pair).zone,
            )
        messages.append(to_pair(pair, key(pair), words, now))
    return enqueue_many(session, messages, now=now)


def set_hours(
    session: Session, *, member: Member, text: str, now: datetime
) -> tuple[WorkingHours, frozenset[int] | None]:
    """Set the person's own working hours (`08:00-16:00`, optionally `mon-thu`)."""
    words = text.split()
    if not words or len(words) > 2:
        raise BadInput("pauses/hours_how", example=HOURS_EXAMPLE)
    try:
        hours = parse_working_hours(words[0], "hours")
    except SettingsError:
        raise BadInput("pauses/bad_hours", typed=repr(words[0]), example=HOURS_EXAMPLE) from None
    try:
        days = parse_workdays(words[1], "workdays") if len(words) == 2 else None
    except SettingsError:
        raise BadInput(
            "pauses/bad_workdays", typed=repr(words[1]), weekdays=WEEKDAYS, example=HOURS_EXAMPLE
        ) from None
    if days is not None and not days:
        raise BadInput("pauses/no_workday", example=HOURS_EXAMPLE)
    member.working_hours_start = hours.start
    member.working_hours_end = hours.end
    if days is not None:
        member.workdays = ",".join(
            ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[d] for d in sorted(days)
        )
    session.flush()
    for pair in pairs_of_person(
        session, team_id=member.team_id, user_id=member.user_id, status=("active",)
    ):
        if pair.prompt_at is not None and pair.next_meeting_at is not None:
            set_next_meeting(
                session, pair, pair.next_meeting_at, now=now, moved_from=pair.moved_from
            )
    return hours, days
