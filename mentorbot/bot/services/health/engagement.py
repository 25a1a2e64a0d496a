"""One pair's engagement figures and why it may be at risk: dates, ratings and counts only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentorbot.bot.models import CheckIn, Cohort, Concern, Goal, Member, Pair
from mentorbot.bot.services.cohorts import LIVE_PAIR, cycle_of
from mentorbot.bot.services.nudges import CYCLES_BEFORE_ESCALATION

WINDOW = timedelta(days=28)
# A rating this low (out of 5), latest or averaged over the last few, puts a pair at risk.
LOW_RATING = 2
RATINGS_AVERAGED = 3


@dataclass(frozen=True)
class Risk:
    """Why a pair may need help: `kind` is quiet, low_rating or concern.

    quiet: `weeks` without a check-in; low_rating: `rating` (the latest) and `average` (of
    the last three); concern: `count` open concerns.
    """

    kind: str
    weeks: int = 0
    rating: int | None = None
    average: float | None = None
    count: int = 0


@dataclass(frozen=True)
class PairEngagement:
    """One pair's engagement figures (no text anyone wrote)."""

    pair_id: int
    team_id: str
    cohort_id: int
    cohort_name: str
    mentor_id: str
    mentor_name: str
    mentee_id: str
    mentee_name: str
    status: str
    cadence: str
    paired_on: date
    ended_on: date | None
    checkins: int
    checkins_recent: int
    last_checkin: datetime | None
    average_rating: float | None
    goals_open: int
    goals_done: int
    meetings_checked_in: int
    next_meeting_at: datetime | None
    open_concerns: int
    risks: tuple[Risk, ...]

    @property
    def at_risk(self) -> bool:
        """True when the pair may need a coordinator's help."""
        return bool(self.risks)

    @property
    def quiet(self) -> bool:
        """True when the pair is at risk for being quiet (a nudge fits)."""
        return any(risk.kind == "quiet" for risk in self.risks)


def engagement(
    session: Session,
    *,
    cohort: Cohort,
    now: datetime,
    pair_ids: Iterable[int] | None = None,
    viewer: str | None = None,
) -> list[PairEngagement]:
    """Per-pair engagement of the cohort's pairs (every status), oldest pair first; without
    the pairs `viewer` is in."""
    rows = _rows(_load(session, cohort=cohort, pair_ids=pair_ids), now)
    return [row for row in rows if not _in_pair(row, viewer)]


def _in_pair(row: PairEngagement, viewer: str | None) -> bool:
    return viewer is not None and viewer in (row.mentor_id, row.mentee_id)


@dataclass(frozen=True)
class _CohortData:
    """What the figures are made of, read in five queries: no text anyone wrote."""

    cohort: Cohort
    pairs: list[Pair]
    checkins: dict[int, list[tuple[datetime, int | None]]]  # oldest first
    goals: dict[tuple[int, str], int]
    concerns: dict[int, int]
    names: dict[str, str]


def _load(session: Session, *, cohort: Cohort, pair_ids: Iterable[int] | None) -> _CohortData:
    query = select(Pair).where(Pair.team_id == cohort.team_id, Pair.cohort_id == cohort.id)
    if pair_ids is not None:
        query = query.where(Pair.id.in_(list(pair_ids)))
    pairs = list(session.scalars(query.order_by(Pair.created_at, Pair.id)))
    ids = [pair.id for pair in pairs]
    # The whole cohort's rows are asked by a subquery: a list of 300 ids as bind parameters
    # cost PostgreSQL more than the lookup (bench/dashboard_pages.py).
    scope: Any = (
        ids
        if pair_ids is not None
        else select(Pair.id).where(Pair.team_id == cohort.team_id, Pair.cohort_id == cohort.id)
    )
    checkins: dict[int, list[tuple[datetime, int | None]]] = defaultdict(list)
    goals: dict[tuple[int, str], int] = {}
    if ids:
        # Dates and ratings only: never the text.
        for pair_id, created_at, rating in session.execute(
            select(CheckIn.pair_id, CheckIn.created_at, CheckIn.rating)
            .where(CheckIn.team_id == cohort.team_id, CheckIn.pair_id.in_(scope))
            .order_by(CheckIn.created_at, CheckIn.id)
        ):
            checkins[pair_id].append((created_at, None if rating is None else int(rating)))
        goals = {
            (pair_id, status): int(count)
            for pair_id, status, count in session.execute(
                select(Goal.pair_id, Goal.status, func.count())
                .where(Goal.team_id == cohort.team_id, Goal.pair_id.in_(scope))
                .group_by(Goal.pair_id, Goal.status)
            )
        }
    people = {p.mentor_id for p in pairs} | {p.mentee_id for p in pairs}
    return _CohortData(
        cohort=cohort,
        pairs=pairs,
        checkins=checkins,
        goals=goals,
        concerns=_open_concerns(session, team_id=cohort.team_id, pair_ids=scope) if ids else {},
        names=member_names(session, team_id=cohort.team_id, user_ids=people) if ids else {},
    )


def _rows(data: _CohortData, now: datetime) -> list[PairEngagement]:
    rows = []
    for pair in data.pairs:
        seen = [at for at, _rating in data.checkins[pair.id]]
        rated = [rating for _at, rating in data.checkins[pair.id] if rating is not None]
        concerns = data.concerns.get(pair.id, 0)
        rows.append(
            PairEngagement(
                pair_id=pair.id,
                team_id=pair.team_id,
                cohort_id=data.cohort.id,
                cohort_name=data.cohort.name,
                mentor_id=pair.mentor_id,
                mentor_name=data.names.get(pair.mentor_id) or pair.mentor_id,
                mentee_id=pair.mentee_id,
                mentee_name=data.names.get(pair.mentee_id) or pair.mentee_id,
                status=pair.status,
                cadence=pair.cadence,
                paired_on=pair.created_at.date(),
                ended_on=pair.ended_at.date() if pair.ended_at else None,
                checkins=len(seen),
                checkins_recent=sum(1 for at in seen if now - WINDOW < at <= now),
                last_checkin=seen[-1] if seen else None,
                average_rating=round(sum(rated) / len(rated), 1) if rated else None,
                goals_open=data.goals.get((pair.id, "open"), 0),
                goals_done=data.goals.get((pair.id, "done"), 0),
                meetings_checked_in=pair.meetings_checked_in,
                next_meeting_at=pair.next_meeting_at if pair.status == "active" else None,
                open_concerns=concerns,
                risks=risks_of(pair, rated, concerns, now),
            )
        )
    return rows


def risks_of(
    pair: Pair, ratings: Sequence[int], open_concerns: int, now: datetime
) -> tuple[Risk, ...]:
    """Why a live pair may need help (none for an ended pair); `ratings` oldest first."""
    if pair.status not in LIVE_PAIR:
        return ()
    found = []
    cycle = cycle_of(pair.cadence)
    quiet_for = now - pair.quiet_since if pair.quiet_since else timedelta(0)
    if pair.status == "active" and quiet_for >= CYCLES_BEFORE_ESCALATION * cycle:
        found.append(Risk("quiet", weeks=quiet_for.days // 7))
    if ratings:
        last = ratings[-RATINGS_AVERAGED:]
        average = round(sum(last) / len(last), 1)
        if ratings[-1] <= LOW_RATING or average <= LOW_RATING:
            found.append(Risk("low_rating", rating=ratings[-1], average=average))
    if open_concerns:
        found.append(Risk("concern", count=open_concerns))
    return tuple(found)


def _open_concerns(session: Session, *, team_id: str, pair_ids: Any) -> dict[int, int]:
    """Open concerns per pair (counted, never read)."""
    return {
        int(pair_id): int(count)
        for pair_id, count in session.execute(
            select(Concern.pair_id, func.count())
            .where(
                Concern.team_id == team_id,
                Concern.pair_id.in_(pair_ids),
                Concern.status == "open",
            )
            .group_by(Concern.pair_id)
        )
        if pair_id is not None
    }


def member_names(session: Session, *, team_id: str, user_ids: Iterable[str]) -> dict[str, str]:
    """Cached Slack names of these people (those known)."""
    return {
        user_id: name
        for user_id, name in session.execute(
            select(Member.user_id, Member.name).where(
                Member.team_id == team_id, Member.user_id.in_(set(user_ids))
            )
        )
        if name
    }
