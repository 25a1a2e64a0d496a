"""Two-way feedback: surveys at the midpoint and the end, any time on request; aggregates
that keep people anonymous.

A mentee rates the mentoring they receive and a mentor the mentoring relationship, each on
trust, communication and usefulness (1 to 5), with an optional comment. Nobody reads one
person's answer: coordinators see averages per cohort and role, a mentor sees the averages
of their own mentees' answers, and both only once at least `MIN_GROUP` people have
answered. Below that there are no numbers at all. Comments reach coordinators only, without
names, in alphabetical order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from mentorbot.bot.errors import InvalidForm, NotAllowed, NotFound
from mentorbot.bot.models import Cohort, Feedback, Pair
from mentorbot.bot.outbox import Outgoing
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.checkins import mentees_of
from mentorbot.bot.services.cohorts import LIVE_PAIR
from mentorbot.bot.services.pairs import active_pair_of
from mentorbot.bot.usertext import clean_user_text, is_whole_number

PHASES = ("midpoint", "closing", "anytime")
# Phases with one answer per person and pair: answering again replaces the answer.
SURVEYS = ("midpoint", "closing")
SCORES = ("trust", "communication", "usefulness")
ROLES = ("mentee", "mentor")
# No numbers (and no comments) are shown for fewer distinct people than this.
MIN_GROUP = 3
MAX_COMMENT = 2000
# Comments listed per group in a report (the rest are counted).
COMMENTS_SHOWN = 30


@dataclass(frozen=True)
class FeedbackForm:
    """The survey modal's answers."""

    trust: int
    communication: int
    usefulness: int
    comment: str


@dataclass(frozen=True)
class Aggregate:
    """What a group of people said, as a reader may see it.

    When fewer than MIN_GROUP people answered, `withheld` is True and there are no numbers:
    `answered` is None, `averages` empty and `comments` empty.
    """

    role: str
    withheld: bool
    answered: int | None
    averages: dict[str, float]
    comments: list[str]
    comments_more: int = 0


@dataclass(frozen=True)
class CohortFeedback:
    """A cohort's aggregates: the mentees' view of the mentoring, and the mentors'."""

    cohort: Cohort
    mentees: Aggregate
    mentors: Aggregate


# -- survey invitations ------------------------------------------------------------------------


def survey_messages(
    session: Session, *, pairs: Sequence[Pair], phase: str, now: datetime
) -> list[Outgoing]:
    """Survey invitations to both people of each pair (key `survey:pair{id}:{phase}:{user}`).

    A paused pair hears when its pause ends. Ending a pair withdraws those not yet sent.
    """
    if phase not in SURVEYS:
        raise ValueError(f"a survey is sent at the midpoint or at closing, not {phase!r}")
    cohorts = {
        cohort.id: cohort
        for cohort in session.scalars(
            select(Cohort).where(Cohort.id.in_({pair.cohort_id for pair in pairs}))
        )
    }
    messages = []
    for pair in pairs:
        if pair.status == "ended":
            continue
        not_before = now
        if pair.status == "paused" and pair.paused_until and pair.paused_until > now:
            not_before = pair.paused_until
        for user_id, as_mentee in ((pair.mentee_id, True), (pair.mentor_id, False)):
            payload = render_json(
                "feedback/invite.json.j2",
                pair=pair,
                cohort=cohorts[pair.cohort_id],
                phase=phase,
                as_mentee=as_mentee,
                min_group=MIN_GROUP,
            )
            messages.append(
                Outgoing(
                    team_id=pair.team_id,
                    dedupe_key=f"survey:pair{pair.id}:{phase}:{user_id}",
                    target_kind="user",
                    target_id=user_id,
                    payload=payload,
                    not_before=not_before,
                )
            )
    return messages


# -- the survey modal --------------------------------------------------------------------------


def pair_for_feedback(session: Session, *, team_id: str, user_id: str) -> Pair:
    """The pair `/checkin feedback` is about (as mentee first); NotFound when there is none."""
    pair = active_pair_of(session, team_id=team_id, user_id=user_id)
    if pair is None:
        raise NotFound(
            "you are not in a mentoring pair right now, so there is no mentoring to give "
            "feedback on. To raise something privately with the coordinators, use "
            "`/checkin concern`."
        )
    return pair


def pair_to_rate(session: Session, *, team_id: str, pair_id: int, user_id: str, phase: str) -> Pair:
    """A pair the person belongs to, by id (from a button or the form).

    A survey (midpoint, closing) may be answered after its pair has ended; feedback any
    time is about a live pair.
    """
    if phase not in PHASES:
        raise NotFound("that survey does not exist any more.")
    pair = session.scalar(select(Pair).where(Pair.team_id == team_id, Pair.id == pair_id))
    if pair is None or (phase not in SURVEYS and pair.status not in LIVE_PAIR):
        raise NotFound("that mentoring pair has ended.")
    if user_id not in (pair.mentor_id, pair.mentee_id):
        raise NotAllowed("only the mentor and mentee of a pair can give feedback on it.")
    return pair


def survey_view(session: Session, *, pair: Pair, user_id: str, phase: str) -> Any:
    """The survey modal for this person, pair and phase.

    Wording fits the role. A survey answered before shows the earlier answer (saving
    replaces it). Feedback any time lets a mentor of several pick whom it is about.
    """
    as_mentee = user_id == pair.mentee_id
    mentored: list[tuple[int, str]] = []
    if phase == "anytime" and not as_mentee:
        mentored = mentees_of(session, pair=pair, mentor_id=user_id)
    earlier = _own_answer(session, pair=pair, user_id=user_id, phase=phase)
    cohort = session.get(Cohort, pair.cohort_id)
    return render_json(
        "feedback/modal.json.j2",
        pair=pair,
        cohort=cohort,
        phase=phase,
        as_mentee=as_mentee,
        mentored=mentored if len(mentored) > 1 else [],
        earlier=earlier,
        max_comment=MAX_COMMENT,
        min_group=MIN_GROUP,
    )


def read_survey(values: dict[str, str | None]) -> FeedbackForm:
    """Check the modal's fields; InvalidForm names the first field that is wrong."""
    scores: dict[str, int] = {}
    for name in SCORES:
        text = values.get(name) or ""
        if not text:
            raise InvalidForm(name, "Pick a number from 1 to 5.")
        if not is_whole_number(text) or not 1 <= int(text) <= 5:
            raise InvalidForm(name, "Pick a number from 1 to 5.")
        scores[name] = int(text)
    comment = clean_user_text(values.get("comment") or "")
    if len(comment) > MAX_COMMENT:
        raise InvalidForm(
            "comment", f"Please keep this under {MAX_COMMENT} characters ({len(comment)})."
        )
    return FeedbackForm(comment=comment, **scores)


def record_feedback(
    session: Session, *, pair: Pair, author_id: str, phase: str, form: FeedbackForm, now: datetime
) -> tuple[Feedback, bool]:
    """Record an answer; a survey answered again (midpoint, closing) replaces the earlier one.

    Returns the answer and whether it replaced one.
    """
    if author_id not in (pair.mentor_id, pair.mentee_id):
        raise NotAllowed("only the mentor and mentee of a pair can give feedback on it.")
    if phase not in PHASES:
        raise NotFound("that survey does not exist any more.")
    answer = _own_answer(session, pair=pair, user_id=author_id, phase=phase)
    replaced = answer is not None
    if answer is None:
        answer = Feedback(
            team_id=pair.team_id,
            pair_id=pair.id,
            author_id=author_id,
            author_role="mentee" if author_id == pair.mentee_id else "mentor",
            phase=phase,
        )
        session.add(answer)
    answer.trust = form.trust
    answer.communication = form.communication
    answer.usefulness = form.usefulness
    answer.comment = form.comment or None
    answer.created_at = now
    session.flush()
    return answer, replaced


def _own_answer(session: Session, *, pair: Pair, user_id: str, phase: str) -> Feedback | None:
    """The person's latest answer in a survey phase (None for feedback any time)."""
    if phase not in SURVEYS:
        return None
    return session.scalar(
        select(Feedback)
        .where(
            Feedback.team_id == pair.team_id,
            Feedback.pair_id == pair.id,
            Feedback.author_id == user_id,
            Feedback.phase == phase,
        )
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
        .limit(1)
    )


# -- aggregates: the only way anyone reads feedback --------------------------------------------


def cohort_feedback(
    session: Session, *, cohorts: Sequence[Cohort], comments: bool = True
) -> list[CohortFeedback]:
    """For each cohort: the mentees' and the mentors' aggregates, as coordinators see them.

    With `comments=False` (cohort health) the comments are not even read: numbers only.
    """
    found = []
    for cohort in cohorts:
        query = (
            select(Feedback)
            .join(Pair, Pair.id == Feedback.pair_id)
            .where(Pair.cohort_id == cohort.id, Feedback.team_id == cohort.team_id)
        )
        if not comments:
            query = query.options(defer(Feedback.comment, raiseload=True))
        answers = list(session.scalars(query))
        by_role = {
            role: [answer for answer in answers if answer.author_role == role] for role in ROLES
        }
        found.append(
            CohortFeedback(
                cohort=cohort,
                mentees=_aggregate("mentee", by_role["mentee"], with_comments=comments),
                mentors=_aggregate("mentor", by_role["mentor"], with_comments=comments),
            )
        )
    return found


def mentor_feedback(session: Session, *, team_id: str, mentor_id: str) -> Aggregate:
    """What the mentor's own mentees said of the mentoring, in every pair they mentored.

    Numbers only (never comments), and only once MIN_GROUP distinct mentees answered.
    """
    answers = list(
        session.scalars(
            select(Feedback)
            .join(Pair, Pair.id == Feedback.pair_id)
            .where(
                Feedback.team_id == team_id,
                Pair.team_id == team_id,
                Pair.mentor_id == mentor_id,
                Feedback.author_role == "mentee",
                Feedback.author_id == Pair.mentee_id,
            )
        )
    )
    return _aggregate("mentee", answers, with_comments=False)


def _aggregate(role: str, answers: Iterable[Feedback], *, with_comments: bool) -> Aggregate:
    """Average each person's latest answer per pair; nothing at all below MIN_GROUP people.

    Everyone counts once per pair, however often they answered: their latest answer (any
    phase) stands. Comments come from every answer, sorted, so their order reveals nobody.
    """
    answers = list(answers)
    people = {answer.author_id for answer in answers}
    if len(people) < MIN_GROUP:
        return Aggregate(role=role, withheld=True, answered=None, averages={}, comments=[])
    latest: dict[tuple[str, int], Feedback] = {}
    for answer in sorted(answers, key=lambda a: (a.created_at, a.id)):
        latest[(answer.author_id, answer.pair_id)] = answer
    averages = {}
    for score in SCORES:
        values = [getattr(a, score) for a in latest.values() if getattr(a, score) is not None]
        averages[score] = round(sum(values) / len(values), 1) if values else 0.0
    comments: list[str] = []
    if with_comments:
        comments = sorted(
            {answer.comment for answer in answers if answer.comment},
            key=lambda text: (text.casefold(), text),
        )
    return Aggregate(
        role=role,
        withheld=False,
        answered=len(people),
        averages=averages,
        comments=comments[:COMMENTS_SHOWN],
        comments_more=max(0, len(comments) - COMMENTS_SHOWN),
    )
