"""Shared set-up for the pair and agreement tests: a mentee's pair, a message by its key, the
coming Monday."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.models import OutboundMessage, Pair
from mentorbot.bot.timeutil import utcnow


def next_monday(hour: int, zone: ZoneInfo) -> datetime:
    """The coming Monday at `hour` in `zone`, at least a day from now (aware UTC)."""
    day = (utcnow() + timedelta(days=1)).astimezone(zone).date()
    while day.weekday() != 0:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def the_pair(sessions: sessionmaker[Session], mentee: str) -> Pair:
    with sessions() as session:
        return session.scalars(select(Pair).where(Pair.mentee_id == mentee)).one()


def delivered(sessions: sessionmaker[Session], key: str) -> OutboundMessage:
    with sessions() as session:
        return session.scalars(
            select(OutboundMessage).where(OutboundMessage.dedupe_key == key)
        ).one()
