"""Survey rounds: when the midpoint and closing surveys open and close, which round an answer
joins.

The midpoint and closing rounds open when a cohort enters that phase and close
`MENTORBOT_SURVEY_DAYS` later; feedback any time joins the round open then, or else the next
one. What a round's answers show, and to whom, is `feedback`'s business.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mentorbot.bot.errors import NotFound
from mentorbot.bot.models import Cohort, Feedback, Pair, SurveyRound
from mentorbot.bot.services.workspaces import workspace_setting

# Phases with a survey round, and one answer per person and pair in it: answering again
# while the round is open replaces the answer.
SURVEYS = ("midpoint", "closing")

# How long a round stays open when the workspace does not say (MENTORBOT_SURVEY_DAYS).
DEFAULT_SURVEY_LENGTH = timedelta(days=7)


class SurveyClosed(NotFound):
    """A midpoint or closing survey answered while its round is not open."""

    template = "feedback/closed.md.j2"


def survey_length(session: Session, team_id: str) -> timedelta:
    """How long a round stays open in this workspace (MENTORBOT_SURVEY_DAYS)."""
    days = workspace_setting(session, team_id, "survey_days")
    return timedelta(days=int(days)) if days else DEFAULT_SURVEY_LENGTH


def open_round(session: Session, *, cohort: Cohort, phase: str, now: datetime) -> SurveyRound:
    """Open the cohort's survey round for `phase` (midpoint or closing) from `now`.

    It closes MENTORBOT_SURVEY_DAYS later. A round of the cohort still open closes now (an
    answer counts in one round only), and feedback given since the last round joins this
    one. Opening it again returns the same round.
    """
    if phase not in SURVEYS:
        raise ValueError(f"a survey round is a midpoint or a closing one, not {phase!r}")
    rounds = rounds_of(session, [cohort])
    for found in rounds:
        if found.phase == phase:
            return found
    for earlier in rounds:
        earlier.closes_at = min(earlier.closes_at, now)
    opened = SurveyRound(
        team_id=cohort.team_id,
        cohort_id=cohort.id,
        phase=phase,
        opens_at=now,
        closes_at=now + survey_length(session, cohort.team_id),
    )
    session.add(opened)
    session.flush()
    session.execute(
        update(Feedback)
        .where(
            Feedback.team_id == cohort.team_id,
            Feedback.round_id.is_(None),
            Feedback.pair_id.in_(
                select(Pair.id).where(Pair.team_id == cohort.team_id, Pair.cohort_id == cohort.id)
            ),
        )
        .values(round_id=opened.id)
        .execution_options(synchronize_session="fetch")
    )
    return opened


def round_to_join(session: Session, *, pair: Pair, phase: str, now: datetime) -> SurveyRound | None:
    """The round an answer given now counts in; None when it waits for the next round.

    A survey (midpoint, closing) counts in its own round while that is open; SurveyClosed
    says so when it is not. Feedback any time joins the round open now, if there is one.
    """
    cohort = session.get(Cohort, pair.cohort_id)
    rounds = rounds_of(session, [cohort]) if cohort is not None else []
    if phase in SURVEYS:
        found = next((r for r in rounds if r.phase == phase), None)
        if found is None or not is_open(found, now):
            raise SurveyClosed(survey=found, phase=phase, now=now)
        return found
    return next((r for r in rounds if is_open(r, now)), None)


def answer_round(session: Session, answer: Feedback) -> SurveyRound | None:
    """The round an answer counts in (None while it waits for the next one)."""
    return session.get(SurveyRound, answer.round_id) if answer.round_id is not None else None


def rounds_of(session: Session, cohorts: Sequence[Cohort]) -> list[SurveyRound]:
    """The rounds of these cohorts (of one workspace), oldest first."""
    if not cohorts:
        return []
    return list(
        session.scalars(
            select(SurveyRound)
            .where(
                SurveyRound.team_id == cohorts[0].team_id,
                SurveyRound.cohort_id.in_([cohort.id for cohort in cohorts]),
            )
            .order_by(SurveyRound.opens_at, SurveyRound.id)
        )
    )


def is_open(found: SurveyRound, now: datetime) -> bool:
    return found.opens_at <= now < found.closes_at
