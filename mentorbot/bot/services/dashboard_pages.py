"""What the coordinators' dashboard pages show: figures from cohort health, never words.

Each page reads through the same services as Slack's views (`health`, `reports`), so the
dashboard and `/mentoring status` always agree. Charts are drawn here as SVG data (points
in a box), and the templates only place them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot.models import CheckIn, Cohort, Goal, Pair
from mentorbot.bot.services.cohorts import CADENCES, Calendar, calendar_of
from mentorbot.bot.services.health import (
    CohortHealth,
    PairEngagement,
    cohort_health,
    cohorts_for,
    nudged_today,
    pair_engagement,
    weekly_checkins,
)
from mentorbot.bot.services.lookups import of_workspace
from mentorbot.bot.services.meeting_history import history_of
from mentorbot.bot.services.workspaces import zone_of

# The programme page's trend: the last weeks of check-ins per cohort.
TREND_WEEKS = 4
CHART_WIDTH, CHART_HEIGHT = 120, 32


@dataclass(frozen=True)
class Trend:
    """Check-ins per week, as a sparkline's points in a CHART_WIDTH by CHART_HEIGHT box."""

    weeks: list[tuple[date, int]]
    # The value at the chart's top (None: the highest value shown), e.g. 5 for ratings.
    scale: int | None = None

    @property
    def points(self) -> str:
        """The polyline's points (`x,y x,y …`), highest week at the top."""
        if not self.weeks:
            return ""
        top = self.scale or max(count for _, count in self.weeks) or 1
        step = CHART_WIDTH / max(1, len(self.weeks) - 1)
        return " ".join(
            f"{round(n * step, 1)},{round(CHART_HEIGHT - 2 - count / top * (CHART_HEIGHT - 4), 1)}"
            for n, (_, count) in enumerate(self.weeks)
        )

    @property
    def change(self) -> int | None:
        """This week's check-ins less last week's (None with fewer than two weeks)."""
        if len(self.weeks) < 2:
            return None
        return self.weeks[-1][1] - self.weeks[-2][1]


@dataclass(frozen=True)
class CohortCard:
    """One running cohort on the programme page."""

    health: CohortHealth
    calendar: Calendar
    trend: Trend


def programme(session: Session, *, team_id: str, viewer: str, now: datetime) -> list[CohortCard]:
    """Every running cohort of the workspace, as the viewer (a coordinator) sees it."""
    cohorts = cohorts_for(session, team_id=team_id, name=None)
    health = cohort_health(session, cohorts=cohorts, now=now, viewer=viewer)
    return cards(session, cohorts=health, viewer=viewer, now=now)


def cards(
    session: Session, *, cohorts: Sequence[CohortHealth], viewer: str, now: datetime
) -> list[CohortCard]:
    """The cards of these cohorts' health: week, phase and the weekly trend."""
    if not cohorts:
        return []
    today = now.astimezone(zone_of(session, team_id=cohorts[0].cohort.team_id, user_id=viewer))
    return [
        CohortCard(
            health=health,
            calendar=calendar_of(health.cohort, today.date()),
            trend=Trend(weekly_checkins(session, cohort=health.cohort, now=now)[-TREND_WEEKS:]),
        )
        for health in cohorts
    ]


# -- the cohort page: every pair in one table, sorted, filtered and paged on the server -------

PAGE_SIZE = 50
SORTS = ("mentor", "mentee", "status", "cadence", "checkins", "last_checkin", "rating", "risk")
STATUSES = ("active", "paused", "ended", "proposed")
RISKS = ("any", "quiet", "low_rating", "concern")


@dataclass(frozen=True)
class TableQuery:
    """How the pairs' table is asked for: its sort, filters, search and page. Anything not
    understood falls back to the default (no filter, mentor's name, first page)."""

    sort: str = "mentor"
    descending: bool = False
    status: str = ""
    risk: str = ""
    cadence: str = ""
    search: str = ""
    page: int = 1

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> TableQuery:
        """From a page's query string (`?sort=rating&order=desc&status=active&page=2`)."""
        page = args.get("page", "1")
        return cls(
            sort=args.get("sort", "") if args.get("sort", "") in SORTS else "mentor",
            descending=args.get("order") == "desc",
            status=args.get("status", "") if args.get("status", "") in STATUSES else "",
            risk=args.get("risk", "") if args.get("risk", "") in RISKS else "",
            cadence=args.get("cadence", "") if args.get("cadence", "") in CADENCES else "",
            search=" ".join(args.get("q", "").split())[:80],
            page=int(page) if page.isdigit() and 0 < int(page) < 10**6 else 1,
        )

    def link(self, **changes: object) -> str:
        """This query with some parts changed, as a query string (a new sort or filter
        starts again at page 1)."""
        changed = replace(self, **changes)  # type: ignore[arg-type]
        if "page" not in changes:
            changed = replace(changed, page=1)
        parts = {
            "sort": changed.sort if changed.sort != "mentor" else "",
            "order": "desc" if changed.descending else "",
            "status": changed.status,
            "risk": changed.risk,
            "cadence": changed.cadence,
            "q": changed.search,
            "page": str(changed.page) if changed.page > 1 else "",
        }
        return "?" + urlencode({key: value for key, value in parts.items() if value})


@dataclass(frozen=True)
class CohortPage:
    """A cohort's page: its card, and one page of its pairs as the query asks."""

    card: CohortCard
    rows: list[PairEngagement]
    matching: int  # pairs the filters let through, on every page
    query: TableQuery
    nudged_today: frozenset[int]

    @property
    def pages(self) -> int:
        return max(1, -(-self.matching // PAGE_SIZE))


def cohort_page(
    session: Session, *, team_id: str, cohort_id: int, viewer: str, query: TableQuery, now: datetime
) -> CohortPage:
    """The cohort's figures and a page of its pairs (never the viewer's own pairs)."""
    cohort = of_workspace(session, Cohort, cohort_id, team_id=team_id)
    [health] = cohort_health(session, cohorts=[cohort], now=now, viewer=viewer)
    [card] = cards(session, cohorts=[health], viewer=viewer, now=now)
    rows = [row for row in health.pairs if _shown(row, query)]
    rows.sort(key=_sort_key(query.sort), reverse=query.descending)
    page = min(query.page, max(1, -(-len(rows) // PAGE_SIZE)))
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return CohortPage(
        card=card,
        rows=shown,
        matching=len(rows),
        query=replace(query, page=page),
        nudged_today=nudged_today(
            session, team_id=team_id, pair_ids=[row.pair_id for row in shown], now=now
        ),
    )


def _shown(row: PairEngagement, query: TableQuery) -> bool:
    if query.status and row.status != query.status:
        return False
    if query.cadence and row.cadence != query.cadence:
        return False
    if query.risk == "any" and not row.risks:
        return False
    if query.risk and query.risk != "any" and not any(r.kind == query.risk for r in row.risks):
        return False
    wanted = query.search.lower()
    return not wanted or wanted in row.mentor_name.lower() or wanted in row.mentee_name.lower()


def _sort_key(sort: str) -> Callable[[PairEngagement], Any]:
    never = datetime.min.replace(tzinfo=UTC)
    keys: dict[str, Callable[[PairEngagement], Any]] = {
        "mentor": lambda r: (r.mentor_name.lower(), r.mentee_name.lower(), r.pair_id),
        "mentee": lambda r: (r.mentee_name.lower(), r.mentor_name.lower(), r.pair_id),
        "status": lambda r: (r.status, r.mentor_name.lower(), r.pair_id),
        "cadence": lambda r: (r.cadence, r.mentor_name.lower(), r.pair_id),
        "checkins": lambda r: (r.checkins_recent, r.checkins, r.pair_id),
        "last_checkin": lambda r: (r.last_checkin or never, r.pair_id),
        "rating": lambda r: (r.average_rating if r.average_rating is not None else -1, r.pair_id),
        "risk": lambda r: (len(r.risks), r.open_concerns, r.pair_id),
    }
    return keys[sort]


# -- the pair page: engagement over time ------------------------------------------------------


@dataclass(frozen=True)
class PairPage:
    """One pair's engagement over time: counts, ratings and dates, never words."""

    row: PairEngagement
    weekly: Trend  # check-ins per week since the pair began
    ratings: list[tuple[date, int]]  # each rated check-in's day and rating, oldest first

    @property
    def rating_trend(self) -> Trend:
        """The ratings as a line on a scale of 5."""
        return Trend(self.ratings, scale=5)

    goals_due: list[tuple[date | None, str]]  # each goal's due day (None: no date) and status
    pauses: list[tuple[datetime, datetime]]
    zone: ZoneInfo


def pair_page(
    session: Session, *, team_id: str, pair_id: int, viewer: str, now: datetime
) -> PairPage:
    """A pair's page; NotFound outside the workspace, NotAllowed for the viewer's own pair."""
    row = pair_engagement(session, team_id=team_id, pair_id=pair_id, now=now, viewer=viewer)
    pair = of_workspace(session, Pair, pair_id, team_id=team_id)
    zone = zone_of(session, team_id=team_id, user_id=viewer)
    checkins = session.execute(
        select(CheckIn.created_at, CheckIn.rating)
        .where(CheckIn.team_id == team_id, CheckIn.pair_id == pair.id)
        .order_by(CheckIn.created_at)
    ).all()
    start = pair.created_at.astimezone(zone).date()
    last = (pair.ended_at or now).astimezone(zone).date()
    weeks: dict[date, int] = {}
    monday = start - timedelta(days=start.weekday())
    while monday <= last:
        weeks[monday] = 0
        monday += timedelta(weeks=1)
    for created_at, _ in checkins:
        day = created_at.astimezone(zone).date()
        week = day - timedelta(days=day.weekday())
        if week in weeks:
            weeks[week] += 1
    goals = session.execute(
        select(Goal.due_on, Goal.status)
        .where(Goal.team_id == team_id, Goal.pair_id == pair.id, Goal.status != "dropped")
        .order_by(Goal.due_on.is_(None), Goal.due_on, Goal.id)
    ).all()
    return PairPage(
        row=row,
        weekly=Trend(sorted(weeks.items())),
        ratings=[
            (created_at.astimezone(zone).date(), int(rating))
            for created_at, rating in checkins
            if rating is not None
        ],
        goals_due=[(due_on, str(status)) for due_on, status in goals],
        pauses=history_of(pair).pauses,
        zone=zone,
    )
