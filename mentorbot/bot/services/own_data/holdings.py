"""What is stored about a person that deleting would take out, and whether it was done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentorbot.bot.models import (
    CheckIn,
    Concern,
    Feedback,
    Goal,
    Member,
    MentorRequest,
    Milestone,
    Profile,
    Reflection,
)
from mentorbot.bot.services.cohorts import LIVE_PAIR
from mentorbot.bot.services.own_data.pairs_of import _pairs_of


@dataclass(frozen=True)
class Holdings:
    """What is stored about a person that deleting would take out or end."""

    check_ins: int
    goals: int
    wins: int
    feedback: int
    concerns: int
    reflections: int
    requests: int  # requests to mentors, in their words
    live_pairs: int
    profile: bool


def holdings(session: Session, *, team_id: str, user_id: str) -> Holdings:
    """What deleting the person's data would take out (and which pairs it would end)."""
    pairs = _pairs_of(session, team_id, user_id)
    mine = [p.id for p in pairs if p.mentee_id == user_id]

    def count(model: Any, *where: Any) -> int:
        query = select(func.count()).select_from(model).where(model.team_id == team_id, *where)
        return int(session.scalar(query) or 0)

    return Holdings(
        check_ins=count(CheckIn, CheckIn.author_id == user_id),
        goals=count(Goal, Goal.pair_id.in_(mine)),
        wins=count(Milestone, Milestone.pair_id.in_(mine), Milestone.kind == "win"),
        feedback=count(Feedback, Feedback.author_id == user_id),
        concerns=count(Concern, Concern.raised_by == user_id),
        reflections=count(Reflection, Reflection.user_id == user_id),
        requests=count(MentorRequest, MentorRequest.mentee_id == user_id),
        live_pairs=sum(1 for pair in pairs if pair.status in LIVE_PAIR),
        profile=bool(count(Profile, Profile.user_id == user_id)),
    )


def deleted_since(
    session: Session, *, team_id: str, user_id: str, since: datetime
) -> datetime | None:
    """When the person's data was deleted, if that was at or after `since` (else None)."""
    deleted_at = session.scalar(
        select(Member.data_deleted_at).where(Member.team_id == team_id, Member.user_id == user_id)
    )
    return deleted_at if deleted_at is not None and deleted_at >= since else None
