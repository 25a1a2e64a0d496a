"""Taking words out of a pair's rows, shared by a person's deletion and by retention: the
goals' titles, the wins (and their keys, a hash of their words), the agreement's notes."""

from __future__ import annotations

from sqlalchemy import ColumnElement, String, cast, literal, update
from sqlalchemy.orm import Session

from mentorbot.bot.models import Goal, Milestone, Pair
from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.languages import speaking_to_all

AGREEMENT_WORDS = ("expectations", "boundaries", "first_goal")


def erase_goals_and_wins(
    session: Session, *, goals: ColumnElement[bool], milestones: ColumnElement[bool]
) -> None:
    """Goals' titles and measures, milestones' details; a win's key becomes its id."""
    with speaking_to_all():
        removed = render_text("own_data/removed.md.j2", what="goal")
    session.execute(update(Goal).where(goals).values(title=removed, measure=None))
    session.execute(update(Milestone).where(milestones).values(detail=None))
    session.execute(
        update(Milestone)
        .where(milestones, Milestone.kind == "win")
        .values(key=literal("erased-") + cast(Milestone.id, String))
    )


def empty_agreement(pair: Pair) -> None:
    """The agreement's notes, written together: no telling whose, so all of them."""
    if pair.agreement:
        pair.agreement = {
            **pair.agreement,
            **{key: "" for key in AGREEMENT_WORDS if key in pair.agreement},
        }
