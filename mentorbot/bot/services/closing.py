"""A planned ending: reflection on goals, gratitude, keeping in touch, alumni check-ins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session


def produce_alumni(session: Session, now: datetime) -> int:
    """Alumni check-ins 3 and 6 months after the cohort's end, for those who chose them."""
    return 0
