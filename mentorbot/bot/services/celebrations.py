"""Milestone celebrations (a tick producer): first check-in, every fifth meeting checked in,
one and three months together, a goal done, and a win the mentee logs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session


def produce_celebrations(session: Session, now: datetime) -> int:
    """Celebrate the milestones that are due; returns how many messages were queued."""
    return 0
