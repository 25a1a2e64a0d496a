"""Two-way feedback: surveys at the midpoint and the end, any time on request; aggregates
that keep people anonymous."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from mentorbot.bot.models import Pair
from mentorbot.bot.outbox import Outgoing

PHASES = ("midpoint", "closing", "anytime")


def survey_messages(
    session: Session, *, pairs: Sequence[Pair], phase: str, now: datetime
) -> list[Outgoing]:
    """Survey invitations to both people of each pair (key `survey:pair{id}:{phase}:{user}`)."""
    return []
