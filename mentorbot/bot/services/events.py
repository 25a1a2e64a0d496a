"""Slack event bookkeeping: each event_id is handled once, though Slack may retry it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mentorbot.bot.models import ProcessedEvent

# Slack retries an event for about an hour at most; a day leaves ample margin.
RETENTION = timedelta(days=1)


def claim_event(session: Session, *, team_id: str, event_id: str, now: datetime) -> bool:
    """Record that this event is being handled; False when it was handled already.

    The row is written in the caller's transaction, so if handling fails and rolls back,
    Slack's retry is handled afresh.
    """
    try:
        with session.begin_nested():
            session.add(ProcessedEvent(team_id=team_id, event_id=event_id, received_at=now))
    except IntegrityError:
        return False
    return True


def forget_old_events(session: Session, *, now: datetime) -> int:
    """Delete bookkeeping rows older than Slack's retry window; returns how many."""
    result = session.execute(
        delete(ProcessedEvent).where(ProcessedEvent.received_at < now - RETENTION)
    )
    return int(getattr(result, "rowcount", 0) or 0)
