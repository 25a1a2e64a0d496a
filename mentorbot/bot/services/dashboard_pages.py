"""What the coordinators' dashboard pages show: figures from cohort health, never words.

Each page reads through the same services as Slack's views (`health`, `reports`), so the
dashboard and `/mentoring status` always agree. Charts are drawn here as SVG data (points
in a box), and the templates only place them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from mentorbot.bot.services.cohorts import Calendar, calendar_of
from mentorbot.bot.services.health import CohortHealth, cohort_health, cohorts_for, weekly_checkins
from mentorbot.bot.services.workspaces import zone_of

# The programme page's trend: the last weeks of check-ins per cohort.
TREND_WEEKS = 4
CHART_WIDTH, CHART_HEIGHT = 120, 32


@dataclass(frozen=True)
class Trend:
    """Check-ins per week, as a sparkline's points in a CHART_WIDTH by CHART_HEIGHT box."""

    weeks: list[tuple[date, int]]

    @property
    def points(self) -> str:
        """The polyline's points (`x,y x,y …`), highest week at the top."""
        if not self.weeks:
            return ""
        top = max(count for _, count in self.weeks) or 1
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
