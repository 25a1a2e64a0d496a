"""The pairs a person is or was in, and their cohorts' names: where export and deletion start."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mentorbot.bot.models import Cohort, Pair


def _pairs_of(session: Session, team_id: str, user_id: str) -> list[Pair]:
    """Every pair the person is or was in, in any state."""
    return list(
        session.scalars(
            select(Pair)
            .where(
                Pair.team_id == team_id,
                or_(Pair.mentor_id == user_id, Pair.mentee_id == user_id),
            )
            .order_by(Pair.id)
        )
    )


def _cohort_names(session: Session, team_id: str, ids: set[int]) -> dict[int, str]:
    rows = session.execute(
        select(Cohort.id, Cohort.name).where(Cohort.team_id == team_id, Cohort.id.in_(ids))
    )
    return {cohort_id: name for cohort_id, name in rows}
