"""Who may read what: every path that shows check-in text goes through here.

A check-in's text is its author's. A mentee may share a check-in with their mentor; nobody
else ever reads it, coordinators included. Coordinators see engagement (counts, dates,
ratings), never words.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot.models import CheckIn, Pair


def readable_by(checkin: CheckIn, pair: Pair, reader_id: str) -> bool:
    """True when `reader_id` may read this check-in's text."""
    if checkin.pair_id != pair.id or checkin.team_id != pair.team_id:
        return False
    if reader_id == checkin.author_id:
        return True
    return (
        reader_id == pair.mentor_id
        and checkin.author_id == pair.mentee_id
        and checkin.shared_with_mentor
    )


def own_checkins(session: Session, *, team_id: str, user_id: str, limit: int) -> list[CheckIn]:
    """The person's own latest check-ins, newest first (any pair)."""
    return list(
        session.scalars(
            select(CheckIn)
            .where(CheckIn.team_id == team_id, CheckIn.author_id == user_id)
            .order_by(CheckIn.created_at.desc(), CheckIn.id.desc())
            .limit(limit)
        )
    )


def latest_shared_with_mentor(session: Session, pair: Pair) -> CheckIn | None:
    """The mentee's latest check-in they chose to share with their mentor."""
    found = session.scalar(
        select(CheckIn)
        .where(
            CheckIn.pair_id == pair.id,
            CheckIn.author_id == pair.mentee_id,
            CheckIn.shared_with_mentor.is_(True),
        )
        .order_by(CheckIn.created_at.desc(), CheckIn.id.desc())
        .limit(1)
    )
    assert found is None or readable_by(found, pair, pair.mentor_id)
    return found
