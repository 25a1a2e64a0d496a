"""Cohorts and pairs: the shape of a mentoring programme."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.models import Cohort, Pair

CADENCES = {
    "weekly": timedelta(weeks=1),
    "biweekly": timedelta(weeks=2),
    "monthly": timedelta(weeks=4),
}


def create_cohort(
    session: Session,
    *,
    team_id: str,
    name: str,
    channel_id: str | None,
    starts_on: date,
    weeks: int,
    cadence: str,
    created_by: str | None,
    now: datetime,
) -> Cohort:
    """Create a cohort running `weeks` weeks from `starts_on`."""
    if cadence not in CADENCES:
        raise BadInput(f"the cadence must be one of {', '.join(CADENCES)}.", example="biweekly")
    if not 1 <= weeks <= 104:
        raise BadInput("a cohort runs between 1 and 104 weeks.", example="weeks 12")
    cohort = Cohort(
        team_id=team_id,
        name=name,
        channel_id=channel_id,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(weeks=weeks),
        cadence=cadence,
        phase="kickoff",
        created_by=created_by,
        created_at=now,
    )
    session.add(cohort)
    session.flush()
    return cohort


def create_pair(
    session: Session,
    *,
    cohort: Cohort,
    mentor_id: str,
    mentee_id: str,
    first_meeting_at: datetime | None,
    now: datetime,
) -> Pair:
    """Pair a mentor with a mentee in a cohort; the pair is active at once."""
    if mentor_id == mentee_id:
        raise BadInput("a person cannot mentor themselves; pick two different people.")
    pair = Pair(
        team_id=cohort.team_id,
        cohort_id=cohort.id,
        mentor_id=mentor_id,
        mentee_id=mentee_id,
        cadence=cohort.cadence,
        status="active",
        next_meeting_at=first_meeting_at,
        created_at=now,
    )
    session.add(pair)
    session.flush()
    return pair


def active_pair_of(session: Session, *, team_id: str, user_id: str) -> Pair | None:
    """The person's most recent active pair, as mentee first, then as mentor."""
    pairs = session.scalars(
        select(Pair)
        .where(
            Pair.team_id == team_id,
            Pair.status.in_(("active", "paused")),
            or_(Pair.mentee_id == user_id, Pair.mentor_id == user_id),
        )
        .order_by(Pair.created_at.desc(), Pair.id.desc())
    ).all()
    as_mentee = [pair for pair in pairs if pair.mentee_id == user_id]
    candidates = as_mentee or list(pairs)
    return candidates[0] if candidates else None
