"""Cohorts: a run of a mentoring programme, with its channel, dates and default cadence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput, Example, NotFound
from mentorbot.bot.models import Announcement, Cohort, Pair
from mentorbot.bot.services.lookups import of_workspace
from mentorbot.bot.services.workspaces import default_zones
from mentorbot.bot.usertext import clean_user_text

CADENCES = {
    "weekly": timedelta(weeks=1),
    "biweekly": timedelta(weeks=2),
    "monthly": timedelta(weeks=4),
}
DEFAULT_CADENCE = "biweekly"


def cycle_of(cadence: str | None) -> timedelta:
    """How long a cadence's cycle is (between meetings); the default cadence's if unknown."""
    return CADENCES.get(cadence or DEFAULT_CADENCE, CADENCES[DEFAULT_CADENCE])


DEFAULT_WEEKS = 12
MAX_WEEKS = 104
MAX_NAME = 60
LIVE_PAIR = ("proposed", "active", "paused")
# A cohort's phases, in order; it moves through them by its dates (see `phase_days`).
PHASES = ("kickoff", "active", "midpoint", "closing", "ended")
KICKOFF_LENGTH = timedelta(days=7)
CLOSING_LENGTH = timedelta(days=14)
# Coordinators hear this long before each phase begins.
HEADS_UP_BEFORE = timedelta(days=7)


@dataclass(frozen=True)
class Calendar:
    """Where a cohort stands on a given day: week `week` of `weeks` (0 before it starts)."""

    week: int
    weeks: int
    weeks_left: int
    days_to_start: int


@dataclass(frozen=True)
class CohortSummary:
    """A cohort with its counts, for lists and `cohort show`."""

    cohort: Cohort
    calendar: Calendar
    live_pairs: int
    pending_announcements: int
    # The phase the cohort enters next, and on which day (None once it has ended).
    coming: tuple[str, date] | None = None


def calendar_of(cohort: Cohort, today: date) -> Calendar:
    """The cohort's week number, length and weeks left as of `today`."""
    weeks = max(1, (cohort.ends_on - cohort.starts_on).days // 7)
    if today < cohort.starts_on:
        return Calendar(0, weeks, weeks, (cohort.starts_on - today).days)
    week = min(weeks, (today - cohort.starts_on).days // 7 + 1)
    return Calendar(week, weeks, weeks - week, 0)


def phase_days(starts_on: date, ends_on: date) -> dict[str, date]:
    """The day a cohort enters each phase after kickoff.

    Active a week after the start, midpoint halfway, closing two weeks before the end, ended
    on the end date. In a short cohort they are clamped so that none comes before the one
    it follows (nor after the end); phases that share a day are passed on the way.
    """
    wanted = (
        starts_on + KICKOFF_LENGTH,
        starts_on + timedelta(days=(ends_on - starts_on).days // 2),
        ends_on - CLOSING_LENGTH,
        ends_on,
    )
    days: dict[str, date] = {}
    latest = starts_on
    for phase, day in zip(PHASES[1:], wanted, strict=True):
        latest = min(max(latest, day), ends_on)
        days[phase] = latest
    return days


def phase_dates(starts_on: date, ends_on: date, zone: ZoneInfo) -> dict[str, datetime]:
    """When the cohort enters each phase after kickoff: 00:00 of its day in `zone`, in UTC."""
    return {
        phase: datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
        for phase, day in phase_days(starts_on, ends_on).items()
    }


def upcoming_phases(moments: dict[str, datetime], phase: str) -> list[tuple[str, datetime]]:
    """The phases after `phase` the cohort really enters, with their moments: one that
    begins when the next one does is passed on the way."""
    later = PHASES[PHASES.index(phase) + 1 :]
    return [
        (name, moments[name])
        for index, name in enumerate(later)
        if index + 1 == len(later) or moments[name] < moments[later[index + 1]]
    ]


def first_heads_up(
    moments: dict[str, datetime], phase: str, *, not_before: datetime
) -> datetime | None:
    """The earliest heads-up (a week before a phase still to come) not before `not_before`."""
    for _name, moment in upcoming_phases(moments, phase):
        if moment - HEADS_UP_BEFORE >= not_before:
            return moment - HEADS_UP_BEFORE
    return None


def workspace_zone(session: Session, team_id: str) -> ZoneInfo:
    """The workspace's default time zone: phases begin at midnight there."""
    return default_zones(session, {team_id})[team_id]


def schedule_phases(session: Session, cohort: Cohort, *, now: datetime) -> None:
    """Work out when the cohort enters its next phase, and its next heads-up still ahead."""
    if cohort.phase == "ended":
        cohort.next_phase_at = cohort.heads_up_at = None
        return
    moments = phase_dates(cohort.starts_on, cohort.ends_on, workspace_zone(session, cohort.team_id))
    cohort.next_phase_at = moments[PHASES[PHASES.index(cohort.phase) + 1]]
    cohort.heads_up_at = first_heads_up(moments, cohort.phase, not_before=now)


def extend_cohort(session: Session, *, cohort: Cohort, weeks: int, now: datetime) -> Cohort:
    """Give a running cohort `weeks` more weeks: its end moves, and the phases still ahead
    with it. A phase already reached stays (a closing cohort keeps closing, just longer)."""
    if cohort.phase == "ended":
        raise BadInput(
            "cohorts/ended_for_good",
            cohort=cohort.name,
            example=Example("cohorts/create_next"),
        )
    example = Example("cohorts/extend", name=cohort.name)
    length = (cohort.ends_on - cohort.starts_on).days // 7
    room = MAX_WEEKS - length
    if not 1 <= weeks <= MAX_WEEKS:
        raise BadInput("cohorts/extend_range", most=MAX_WEEKS, example=example)
    if weeks > room:
        raise BadInput(
            "cohorts/too_long",
            most=MAX_WEEKS,
            cohort=cohort.name,
            length=length,
            room=room,
            example=Example("cohorts/extend", name=cohort.name, weeks=max(room, 1)),
        )
    cohort.ends_on += timedelta(weeks=weeks)
    schedule_phases(session, cohort, now=now)
    # Here, not at the top: meeting histories step by this module's cadences.
    from mentorbot.bot.services.meeting_history import record_change

    for pair in session.scalars(
        select(Pair).where(Pair.cohort_id == cohort.id, Pair.status.in_(LIVE_PAIR))
    ):
        record_change(pair, now)  # its calendar's meetings go on longer
    return cohort


# How a cohort's mentees find a mentor: coordinators pair them (off), a mentor's yes makes
# the pair (open), or a coordinator confirms it (approval).
SELF_SERVE = ("off", "open", "approval")


def self_serve_named(value: str) -> str:
    """A known self-serve mode, or BadInput listing them."""
    mode = value.strip().lower()
    if mode not in SELF_SERVE:
        raise BadInput(
            "cohorts/not_a_self_serve",
            value=value,
            choices=list(SELF_SERVE),
            example=Example("cohorts/self_serve"),
        )
    return mode


def set_self_serve(cohort: Cohort, mode: str) -> Cohort:
    """Change how the cohort's mentees find a mentor (a running cohort only)."""
    if cohort.phase == "ended":
        raise BadInput(
            "cohorts/ended_for_good", cohort=cohort.name, example=Example("cohorts/create_next")
        )
    cohort.self_serve = self_serve_named(mode)
    return cohort


def cadence_named(value: str) -> str:
    """A known cadence name, or BadInput listing them."""
    cadence = value.strip().lower()
    if cadence not in CADENCES:
        raise BadInput(
            "cohorts/not_a_cadence",
            value=value,
            choices=list(CADENCES),
            example=Example("cohorts/cadence"),
        )
    return cadence


def create_cohort(
    session: Session,
    *,
    team_id: str,
    name: str,
    channel_id: str | None,
    starts_on: date,
    weeks: int = DEFAULT_WEEKS,
    cadence: str = DEFAULT_CADENCE,
    created_by: str | None,
    now: datetime,
    self_serve: str = "off",
) -> Cohort:
    """Create a cohort running `weeks` weeks from `starts_on`; names are unique per workspace."""
    name = clean_user_text(name)
    if not name:
        raise BadInput("cohorts/no_name", example=Example("cohorts/create_short"))
    if len(name) > MAX_NAME or any(mark in name for mark in "<>*_`"):
        raise BadInput("cohorts/bad_name", limit=MAX_NAME, example=Example("cohorts/create_short"))
    cadence = cadence_named(cadence)
    if not 1 <= weeks <= MAX_WEEKS:
        raise BadInput(
            "cohorts/weeks_range", most=MAX_WEEKS, example=Example("cohorts/weeks", weeks=12)
        )
    if _named(session, team_id, name) is not None:
        raise BadInput("cohorts/name_taken", name=name, example=Example("cohorts/show", name=name))
    cohort = Cohort(
        team_id=team_id,
        name=name,
        channel_id=channel_id,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(weeks=weeks),
        cadence=cadence,
        self_serve=self_serve_named(self_serve),
        phase="kickoff",
        phase_changed_at=now,
        created_by=created_by,
        created_at=now,
    )
    schedule_phases(session, cohort, now=now)
    session.add(cohort)
    session.flush()
    return cohort


def _named(session: Session, team_id: str, name: str) -> Cohort | None:
    return session.scalar(
        select(Cohort).where(
            Cohort.team_id == team_id, func.lower(Cohort.name) == name.strip().lower()
        )
    )


def find_cohort(session: Session, *, team_id: str, name: str) -> Cohort:
    """The workspace's cohort with this name (any case), or NotFound naming the cohorts."""
    cohort = _named(session, team_id, name)
    if cohort is None:
        names = [c.name for c in list_cohorts(session, team_id=team_id)]
        raise NotFound("cohorts/unknown", name=name.strip(), names=names)
    return cohort


def find_cohort_by_id(session: Session, *, team_id: str, cohort_id: int) -> Cohort:
    """The workspace's cohort with this id (from a form), or NotFound."""
    return of_workspace(session, Cohort, cohort_id, team_id=team_id)


def list_cohorts(session: Session, *, team_id: str, include_ended: bool = True) -> list[Cohort]:
    """The workspace's cohorts, newest first."""
    query = select(Cohort).where(Cohort.team_id == team_id)
    if not include_ended:
        query = query.where(Cohort.phase != "ended")
    return list(session.scalars(query.order_by(Cohort.starts_on.desc(), Cohort.id.desc())))


def default_cohort(session: Session, *, team_id: str, name: str | None) -> Cohort:
    """The cohort named, or the only active one; BadInput when that is ambiguous."""
    if name:
        cohort = find_cohort(session, team_id=team_id, name=name)
        if cohort.phase == "ended":
            raise BadInput("cohorts/ended", cohort=cohort.name)
        return cohort
    active = list_cohorts(session, team_id=team_id, include_ended=False)
    if len(active) == 1:
        return active[0]
    if not active:
        raise NotFound("cohorts/none_running")
    raise BadInput(
        "cohorts/which_one",
        names=[c.name for c in active],
        example=Example("cohorts/cohort", name=active[0].name),
    )


def summarize(session: Session, cohorts: list[Cohort], today: date) -> list[CohortSummary]:
    """Counts of live pairs and pending announcements for each cohort (two queries)."""
    ids = [c.id for c in cohorts]
    pairs = dict(
        session.execute(
            select(Pair.cohort_id, func.count())
            .where(Pair.cohort_id.in_(ids), Pair.status.in_(LIVE_PAIR))
            .group_by(Pair.cohort_id)
        ).all()
    )
    pending = dict(
        session.execute(
            select(Announcement.cohort_id, func.count())
            .where(
                Announcement.cohort_id.in_(ids),
                Announcement.sent_at.is_(None),
                Announcement.cancelled_at.is_(None),
            )
            .group_by(Announcement.cohort_id)
        ).all()
    )
    return [
        CohortSummary(
            c, calendar_of(c, today), pairs.get(c.id, 0), pending.get(c.id, 0), coming_phase(c)
        )
        for c in cohorts
    ]


def coming_phase(cohort: Cohort) -> tuple[str, date] | None:
    """The phase the cohort enters next and its day (None once it has ended)."""
    if cohort.phase == "ended":
        return None
    days = phase_days(cohort.starts_on, cohort.ends_on)
    moments = {phase: datetime.combine(day, time(0), tzinfo=UTC) for phase, day in days.items()}
    ahead = upcoming_phases(moments, cohort.phase)
    return (ahead[0][0], days[ahead[0][0]]) if ahead else None


def pairs_of(session: Session, cohort: Cohort) -> list[Pair]:
    """The cohort's live pairs, oldest first."""
    return list(
        session.scalars(
            select(Pair)
            .where(Pair.cohort_id == cohort.id, Pair.status.in_(LIVE_PAIR))
            .order_by(Pair.created_at, Pair.id)
        )
    )
