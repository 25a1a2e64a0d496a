"""A pair's meetings: the next one, the rhythm after it, moving one, and when prompts are due.

Meetings keep the mentee's wall clock (an agreement is made in their time zone), so a DST
change moves the UTC instant, not the time the pair meets. Prompts are due `lead` before a
meeting, at a moment inside the reader's working hours and before the meeting starts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot import message_kinds
from mentorbot.bot.errors import BadInput
from mentorbot.bot.message_kinds import Kind
from mentorbot.bot.models import Cohort, Pair, Workspace
from mentorbot.bot.outbox import Outgoing, cancel_queued, enqueue_many, to_pair
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.cohorts import cycle_of
from mentorbot.bot.services.languages import speaking_to_pair
from mentorbot.bot.services.meeting_history import record_move
from mentorbot.bot.services.workspaces import availabilities_for, availability_for
from mentorbot.bot.working_hours import Availability, wall_clock

DEFAULT_LEAD = timedelta(hours=24)
# Without an agreement, a pair meets on the cohort's start weekday at this local time.
DEFAULT_MEETING_TIME = time(10, 0)
# The first default meeting leaves the pair a few days to find each other after pairing.
FIRST_MEETING_AFTER = timedelta(days=3)
# How many days before the lead time a prompt may move to find the reader's working hours.
LOOK_BACK_DAYS = 4
# Dates people type for meetings and pauses must be within this many days of today.
FURTHEST_DAYS = 366
# Kinds of queued messages that belong to one meeting (moved or paused meetings drop them).
MEETING_MESSAGES = (Kind.PROMPT, Kind.PREP, Kind.FOLLOWUP)


def lead_time(session: Session, team_id: str) -> timedelta:
    """How long before a meeting its prompts arrive, from the workspace's settings."""
    settings = session.scalar(select(Workspace.settings).where(Workspace.team_id == team_id))
    hours = (settings or {}).get("prompt_lead_hours")
    return timedelta(hours=int(hours)) if hours else DEFAULT_LEAD


def send_time(person: Availability, meeting: datetime, lead: timedelta) -> datetime:
    """When a prompt for `meeting` should reach `person`: `lead` before it if that is in their
    working hours, else the same time on an earlier workday (a Monday meeting's prompt comes
    on Friday), else the first moment of their hours that is still before the meeting."""
    start = meeting - lead
    for days_back in range(LOOK_BACK_DAYS):
        moment = start - timedelta(days=days_back)
        if person.allows(moment):
            return moment
    for days_back in range(LOOK_BACK_DAYS):
        moment = person.next_allowed(start - timedelta(days=days_back))
        if moment < meeting:
            return moment
    return start


class Clocks:
    """The zones, hours and lead times of the people in some pairs, read in a few queries
    (one per workspace), for producers that schedule many pairs at once."""

    def __init__(self, session: Session, pairs: Iterable[Pair]) -> None:
        self.session = session
        self._people: dict[tuple[str, str], Availability] = {}
        self._lead: dict[str, timedelta] = {}
        wanted: dict[str, set[str]] = defaultdict(set)
        for pair in pairs:
            wanted[pair.team_id].update((pair.mentor_id, pair.mentee_id))
        for team_id, user_ids in wanted.items():
            self._load(team_id, user_ids)

    def _load(self, team_id: str, user_ids: set[str]) -> None:
        found = availabilities_for(self.session, team_id=team_id, user_ids=user_ids)
        for user_id, person in found.items():
            self._people[(team_id, user_id)] = person

    def person(self, team_id: str, user_id: str) -> Availability:
        """One person's availability (read on first use if it was not loaded)."""
        if (team_id, user_id) not in self._people:
            self._load(team_id, {user_id})
        return self._people[(team_id, user_id)]

    def lead(self, team_id: str) -> timedelta:
        """The workspace's lead time for prompts."""
        if team_id not in self._lead:
            self._lead[team_id] = lead_time(self.session, team_id)
        return self._lead[team_id]

    def of(self, pair: Pair) -> dict[str, Availability]:
        """The pair's "mentor" and "mentee"."""
        return {
            "mentor": self.person(pair.team_id, pair.mentor_id),
            "mentee": self.person(pair.team_id, pair.mentee_id),
        }

    def prompt_times(self, pair: Pair, meeting: datetime) -> dict[str, datetime]:
        """When the mentor's and the mentee's prompts for `meeting` are due."""
        lead = self.lead(pair.team_id)
        return {role: send_time(person, meeting, lead) for role, person in self.of(pair).items()}


def set_next_meeting(
    session: Session,
    pair: Pair,
    at: datetime,
    *,
    now: datetime,
    moved_from: datetime | None = None,
    clocks: Clocks | None = None,
) -> None:
    """Make `at` the pair's coming meeting and work out when its prompts are due."""
    clocks = clocks or Clocks(session, [pair])
    pair.next_meeting_at = at
    pair.moved_from = moved_from
    pair.prompt_at = max(now, min(clocks.prompt_times(pair, at).values()))


def mentee_availability(session: Session, pair: Pair) -> Availability:
    """The mentee's zone and hours: a pair's meeting times are kept on the mentee's clock."""
    return availabilities_for(session, team_id=pair.team_id, user_ids=[pair.mentee_id])[
        pair.mentee_id
    ]


def regular_after(
    session: Session, pair: Pair, after: datetime, clocks: Clocks | None = None
) -> datetime:
    """The first regular meeting after `after`, stepping by the cadence from the last one."""
    if clocks is not None:
        zone = clocks.person(pair.team_id, pair.mentee_id).zone
    else:
        zone = mentee_availability(session, pair).zone
    base = pair.moved_from or pair.next_meeting_at
    assert base is not None
    # From the one after `base`: never `base` itself (the regular meeting a move replaced).
    following = islice(
        regular_meetings(base, cycle_of(pair.cadence), zone, pair.meeting_time), 1, None
    )
    return next(moment for moment in following if moment > after)


def regular_meetings(
    first: datetime, every: timedelta, zone: ZoneInfo, at: time | None = None
) -> Iterator[datetime]:
    """A rhythm's regular meetings from `first` on, without end: every `every` on the wall
    clock in `zone`, at `at` (else `first`'s local time). The calendar feed steps the same
    way, so it shows the meetings the prompts are for."""
    local = first.astimezone(zone)
    at = at or local.time().replace(tzinfo=None)
    day = local.date()
    moment = first
    while True:
        yield moment
        day += every
        moment = wall_clock(day, at, zone)


def first_default_meeting(session: Session, pair: Pair, cohort: Cohort, now: datetime) -> datetime:
    """The cohort's default first meeting: its start weekday at 10:00 on the mentee's clock,
    at least a few days after pairing."""
    zone = mentee_availability(session, pair).zone
    earliest = max(now + FIRST_MEETING_AFTER, wall_clock(cohort.starts_on, time(0), zone))
    day = earliest.astimezone(zone).date()
    while True:
        moment = wall_clock(day, DEFAULT_MEETING_TIME, zone)
        if day.weekday() == cohort.starts_on.weekday() and moment > earliest:
            return moment
        day += timedelta(days=1)


def local_moment(day: date, at: time, zone: ZoneInfo, *, now: datetime) -> datetime:
    """`day` at `at` on the wall clock in `zone`, if the day is within a year of today."""
    today = now.astimezone(zone).date()
    if abs((day - today).days) > FURTHEST_DAYS:
        raise BadInput("meetings/too_far", day=day)
    return wall_clock(day, at, zone)


def move_meeting(session: Session, *, pair: Pair, to: datetime, by: str, now: datetime) -> datetime:
    """Move the coming meeting once, keeping the agreement, and tell both; returns the
    regular meeting it replaces."""
    if pair.next_meeting_at is None:
        raise BadInput("meetings/none_planned")
    if to <= now:
        raise BadInput("meetings/passed")
    regular = pair.moved_from or pair.next_meeting_at
    following = regular_after(session, pair, regular)
    if to >= following:
        raise BadInput("meetings/after_next")
    cancel_queued(session, team_id=pair.team_id, pair_id=pair.id, kinds=MEETING_MESSAGES)
    set_next_meeting(session, pair, to, now=now, moved_from=regular)
    record_move(pair, regular, to, now)
    zone = mentee_availability(session, pair).zone
    with speaking_to_pair(session, pair):
        note = _moved_note(pair, regular=regular, by=by, zone=zone, now=now)
    enqueue_many(session, [note], now=now)
    return regular


@dataclass(frozen=True)
class MeetingToMove:
    """The coming meeting, in the person's own time zone (for the "move one meeting" form)."""

    pair: Pair
    zone: ZoneInfo
    local: datetime


def meeting_to_move(session: Session, *, pair: Pair, user_id: str) -> MeetingToMove:
    """The pair's coming meeting on this person's clock; BadInput when none is planned."""
    if pair.next_meeting_at is None:
        raise BadInput("meetings/none_planned")
    zone = availability_for(session, team_id=pair.team_id, user_id=user_id).zone
    return MeetingToMove(pair=pair, zone=zone, local=pair.next_meeting_at.astimezone(zone))


def _moved_note(
    pair: Pair, *, regular: datetime, by: str, zone: ZoneInfo, now: datetime
) -> Outgoing:
    """The note both people get when one of them moves a meeting."""
    assert pair.next_meeting_at is not None
    return to_pair(
        pair,
        message_kinds.moved(pair, pair.next_meeting_at),
        render_json("meetings/moved.json.j2", pair=pair, regular=regular, by=by, zone=zone),
        now,
        expires_at=pair.next_meeting_at,
    )
