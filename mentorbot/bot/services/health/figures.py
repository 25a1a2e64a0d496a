"""A cohort's figures: pairs by status, the check-in rate, the pairs at risk, goals done."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot.models import CheckIn, Cohort, Pair
from mentorbot.bot.services.cohorts import (
    cycle_of,
    find_cohort,
    list_cohorts,
    workspace_zone,
)
from mentorbot.bot.services.feedback import CohortFeedback, cohort_feedback
from mentorbot.bot.services.health.engagement import (
    WINDOW,
    PairEngagement,
    _CohortData,
    _in_pair,
    _load,
    _rows,
)
from mentorbot.bot.services.health.failed_deliveries import FailedDeliveries, failed_deliveries
from mentorbot.bot.services.health.pair_actions import nudged_today
from mentorbot.bot.services.mentor_requests import RequestCounts, request_counts


@dataclass(frozen=True)
class CheckinRate:
    """Cycles in the last 4 weeks in which active pairs checked in, out of those expected."""

    met: int
    expected: int

    @property
    def percent(self) -> int | None:
        """The rate in whole percent; None when no check-in was expected yet."""
        return round(100 * self.met / self.expected) if self.expected else None


@dataclass(frozen=True)
class CohortHealth:
    """A cohort's health, as coordinators see it."""

    cohort: Cohort
    active: int
    paused: int
    ended: int
    proposed: int
    rate: CheckinRate
    at_risk: list[PairEngagement]
    goals_done: int
    goals_total: int
    feedback: CohortFeedback
    failed: FailedDeliveries
    # Pairs a coordinator nudged today (their button shows that instead).
    nudged_today: frozenset[int] = field(default_factory=frozenset)
    # Mentees' requests to mentors, by how they stand: for cohorts where mentees find their
    # own mentor, or did (None otherwise). Counts only, never a request's words.
    requests: RequestCounts | None = None
    # Every pair's figures as the viewer may see them (never their own pairs), oldest first:
    # read once with the rest, for the dashboard's table of pairs.
    pairs: list[PairEngagement] = field(default_factory=list, repr=False)


# -- which cohorts -----------------------------------------------------------------------------


def cohorts_for(session: Session, *, team_id: str, name: str | None) -> list[Cohort]:
    """The cohort named (any case; NotFound lists the known names), else every running one."""
    name = (name or "").strip()
    if name.lower().startswith("cohort "):
        name = name[len("cohort ") :].strip()
    if name:
        return [find_cohort(session, team_id=team_id, name=name)]
    return list_cohorts(session, team_id=team_id, include_ended=False)


# -- the figures -------------------------------------------------------------------------------


def cohort_health(
    session: Session, *, cohorts: Sequence[Cohort], now: datetime, viewer: str | None = None
) -> list[CohortHealth]:
    """Each cohort's figures as of `now` (cohorts of one workspace), as `viewer` sees them.

    A coordinator who is in a pair themselves never sees that pair on its own (its ratings
    and concerns are the other person's): it counts in the totals, not among the pairs at
    risk. Concerns reach coordinators outside the pair only, and so do their counts.
    """
    if not cohorts:
        return []
    team_id = cohorts[0].team_id
    feedback = {
        found.cohort.id: found
        for found in cohort_feedback(session, cohorts=cohorts, now=now, comments=False)
    }
    failed = failed_deliveries(session, team_id=team_id, cohorts=cohorts)
    requests = request_counts(session, cohorts=cohorts)
    found = []
    for cohort in cohorts:
        data = _load(session, cohort=cohort, pair_ids=None)
        rows = _rows(data, now)
        by_status = Counter(row.status for row in rows)
        goals: Counter[str] = Counter()
        for (_pair_id, status), count in data.goals.items():
            goals[status] += count
        at_risk = sorted(
            (row for row in rows if row.at_risk and not _in_pair(row, viewer)),
            key=lambda row: (-row.open_concerns, -_quiet_weeks(row), row.pair_id),
        )
        found.append(
            CohortHealth(
                cohort=cohort,
                active=by_status["active"],
                paused=by_status["paused"],
                ended=by_status["ended"],
                proposed=by_status["proposed"],
                rate=_rate(data, now),
                at_risk=at_risk,
                goals_done=goals["done"],
                goals_total=goals["done"] + goals["open"],
                feedback=feedback[cohort.id],
                failed=failed[cohort.id],
                nudged_today=nudged_today(
                    session, team_id=team_id, pair_ids=[r.pair_id for r in at_risk], now=now
                ),
                requests=(
                    requests[cohort.id]
                    if cohort.self_serve != "off" or requests[cohort.id].made
                    else None
                ),
                pairs=[row for row in rows if not _in_pair(row, viewer)],
            )
        )
    return found


def _quiet_weeks(row: PairEngagement) -> int:
    return max((risk.weeks for risk in row.risks if risk.kind == "quiet"), default=0)


def _rate(data: _CohortData, now: datetime) -> CheckinRate:
    """Met cycles over expected ones in the last 4 weeks, across the active pairs."""
    since = now - WINDOW
    met = expected = 0
    for pair in data.pairs:
        if pair.status != "active" or pair.created_at > now:
            continue
        cycle = cycle_of(pair.cadence)
        cycles = int((now - max(since, pair.created_at)) // cycle)
        expected += cycles
        seen = [at for at, _rating in data.checkins[pair.id]]
        for index in range(cycles):
            end = now - index * cycle
            met += any(end - cycle < at <= end for at in seen)
    return CheckinRate(met, expected)


def weekly_checkins(session: Session, *, cohort: Cohort, now: datetime) -> list[tuple[date, int]]:
    """Check-ins per ISO week (its Monday, in the workspace's time zone) from the cohort's
    start to today or its end, whichever comes first; weeks without any count 0."""
    zone = workspace_zone(session, cohort.team_id)
    last = min(now.astimezone(zone).date(), cohort.ends_on)
    first_monday = _monday(cohort.starts_on)
    weeks = {}
    monday = first_monday
    while monday <= last:
        weeks[monday] = 0
        monday += timedelta(weeks=1)
    for (created_at,) in session.execute(
        select(CheckIn.created_at)
        .join(Pair, Pair.id == CheckIn.pair_id)
        .where(CheckIn.team_id == cohort.team_id, Pair.cohort_id == cohort.id)
    ):
        week = _monday(created_at.astimezone(zone).date())
        if week in weeks:
            weeks[week] += 1
    return sorted(weeks.items())


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
