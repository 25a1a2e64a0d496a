"""Who may read what: every path that shows check-in text goes through here.

A check-in's text is its author's. A mentee may share a check-in with their mentor; nobody
else ever reads it, coordinators included. Coordinators see engagement (counts, dates,
ratings), never words.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot.models import CheckIn, Pair

# Pair ids per IN (…) list when reading many pairs at once.
CHUNK = 500


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
    return latest_shared_with_mentors(session, [pair]).get(pair.id)


def latest_shared_with_mentors(session: Session, pairs: Sequence[Pair]) -> dict[int, CheckIn]:
    """For many pairs at once: each mentee's latest check-in shared with their mentor."""
    found: dict[int, CheckIn] = {}
    ids = [pair.id for pair in pairs]
    for first in range(0, len(ids), CHUNK):
        rows = session.scalars(
            select(CheckIn)
            .join(Pair, Pair.id == CheckIn.pair_id)
            .where(
                CheckIn.pair_id.in_(ids[first : first + CHUNK]),
                CheckIn.author_id == Pair.mentee_id,
                CheckIn.shared_with_mentor.is_(True),
            )
            .order_by(CheckIn.created_at, CheckIn.id)
        )
        for checkin in rows:
            found[checkin.pair_id] = checkin  # the latest wins
    by_id = {pair.id: pair for pair in pairs}
    assert all(readable_by(c, by_id[c.pair_id], by_id[c.pair_id].mentor_id) for c in found.values())
    return found
