"""Retention: the words people wrote, deleted some days after their pair or cohort ended.

With `MENTORBOT_RETENTION_DAYS` set, each tick takes the next few pairs, cohorts and
concerns whose time has come and deletes their words as `/checkin delete-my-data` deletes
one person's: the rows stay, so every anonymous count still adds up (check-ins, ratings,
goals by status, survey scores, requests by outcome), and the outbox's copies of the words
are emptied. What goes:

- a pair's (N days after it ended): check-in texts, goal titles and measures, wins, survey
  comments, concerns and their replies, thank-you notes, the agreement's notes, and the
  request that made it;
- a cohort's (N days after it ended): mentor requests' words and notes, announcements;
- a concern about no pair: N days after it was handled.

Ratings and scores are numbers, not words, and stay. Each row records `words_deleted_at`,
so each batch takes the next ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.orm import Session

from mentorbot.bot.models import (
    Announcement,
    CheckIn,
    Cohort,
    Concern,
    Feedback,
    Goal,
    MentorRequest,
    Milestone,
    OutboundMessage,
    Pair,
    Reflection,
)
from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.languages import speaking_to_all
from mentorbot.bot.services.own_data.words import empty_agreement, erase_goals_and_wins

# How many pairs (and cohorts, and concerns) one tick takes: a few statements each, so the
# tick's transaction stays short however much is due at once.
BATCH = 50


@dataclass(frozen=True)
class RetentionPass:
    """What one pass deleted the words of."""

    pairs: int = 0
    cohorts: int = 0
    concerns: int = 0

    def __bool__(self) -> bool:
        return bool(self.pairs or self.cohorts or self.concerns)


def forget_old_words(
    session: Session, *, now: datetime, days: int | None, batch: int = BATCH
) -> RetentionPass:
    """Delete the words of the next `batch` pairs, cohorts and concerns ended (or handled)
    more than `days` days before `now`; nothing when `days` is None (retention off)."""
    if days is None:
        return RetentionPass()
    before = now - timedelta(days=days)
    pairs = list(
        session.scalars(
            select(Pair)
            .where(Pair.status == "ended", Pair.ended_at <= before, Pair.words_deleted_at.is_(None))
            .order_by(Pair.ended_at, Pair.id)
            .limit(batch)
        )
    )
    cohorts = list(
        session.scalars(
            select(Cohort)
            .where(
                Cohort.phase == "ended",
                Cohort.phase_changed_at <= before,
                Cohort.words_deleted_at.is_(None),
            )
            .order_by(Cohort.phase_changed_at, Cohort.id)
            .limit(batch)
        )
    )
    concerns = list(
        session.scalars(
            select(Concern.id)
            .where(
                Concern.pair_id.is_(None),
                Concern.handled_at <= before,
                Concern.words_deleted_at.is_(None),
            )
            .order_by(Concern.handled_at, Concern.id)
            .limit(batch)
        )
    )
    if pairs:
        _forget_pairs(session, pairs, now=now)
    if cohorts:
        _forget_cohorts(session, cohorts, now=now)
    if concerns:
        _forget_concerns(session, concerns, now=now)
    session.flush()
    return RetentionPass(pairs=len(pairs), cohorts=len(cohorts), concerns=len(concerns))


def _forget_pairs(session: Session, pairs: list[Pair], *, now: datetime) -> None:
    ids = [pair.id for pair in pairs]
    session.execute(
        update(CheckIn)
        .where(CheckIn.pair_id.in_(ids))
        .values(went_well=None, blockers=None, next_steps=None)
    )
    erase_goals_and_wins(
        session, goals=Goal.pair_id.in_(ids), milestones=Milestone.pair_id.in_(ids)
    )
    session.execute(update(Feedback).where(Feedback.pair_id.in_(ids)).values(comment=None))
    session.execute(update(Reflection).where(Reflection.pair_id.in_(ids)).values(gratitude=None))
    session.execute(
        update(MentorRequest)
        .where(MentorRequest.pair_id.in_(ids))
        .values(why=None, hope=None, first_goal=None, note=None)
    )
    concerns = list(session.scalars(select(Concern.id).where(Concern.pair_id.in_(ids))))
    if concerns:
        _forget_concerns(session, concerns, now=now)
    _empty_copies(session, OutboundMessage.pair_id.in_(ids))
    for pair in pairs:
        empty_agreement(pair)
        pair.words_deleted_at = now


def _forget_cohorts(session: Session, cohorts: list[Cohort], *, now: datetime) -> None:
    ids = [cohort.id for cohort in cohorts]
    session.execute(
        update(MentorRequest)
        .where(MentorRequest.cohort_id.in_(ids))
        .values(why=None, hope=None, first_goal=None, note=None)
    )
    session.execute(
        update(Announcement)
        .where(Announcement.cohort_id.in_(ids))
        .values(text=_removed("announcement"))
    )
    _empty_copies(session, OutboundMessage.cohort_id.in_(ids))
    for cohort in cohorts:
        cohort.words_deleted_at = now


def _forget_concerns(session: Session, ids: list[int], *, now: datetime) -> None:
    session.execute(
        update(Concern)
        .where(Concern.id.in_(ids))
        .values(
            text=_removed("concern"),
            reply=None,
            words_deleted_at=now,
        )
    )
    _empty_copies(session, OutboundMessage.concern_id.in_(ids))


def _empty_copies(session: Session, about: ColumnElement[bool]) -> None:
    """The outbox's messages that may quote these words: emptied, and withdrawn (cancelled)
    if still waiting; their rows stay for the delivery figures."""
    quoting = and_(about, OutboundMessage.quotes_words)
    session.execute(
        update(OutboundMessage)
        .where(quoting, OutboundMessage.status == "pending")
        .values(status="cancelled", last_error="no longer needed")
    )
    session.execute(update(OutboundMessage).where(quoting).values(payload={}))


def _removed(what: str) -> str:
    """What stands in for deleted words, in the workspace's language (many may read it)."""
    with speaking_to_all():
        return render_text("own_data/removed.md.j2", what=what)
