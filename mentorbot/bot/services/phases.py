"""A cohort's phases by its dates: kickoff → active → midpoint → closing → ended."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session


def produce_phases(session: Session, now: datetime) -> int:
    """Move cohorts whose next phase has come on; heads-ups to coordinators a week before."""
    return 0
