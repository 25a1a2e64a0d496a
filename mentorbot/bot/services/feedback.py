"""Two-way feedback in survey rounds: the midpoint and closing surveys, feedback any time,
and results that keep people anonymous.

A mentee rates the mentoring they receive and a mentor the mentoring relationship, each on
trust, communication and usefulness (1 to 5), with an optional comment. Every answer
belongs to a survey round of its cohort (`feedback_rounds` says when rounds open and close
and which an answer joins). Nobody reads one person's answer and nothing is
shown live: a round's results appear once it has closed, per group (a cohort's mentees, its
mentors, a mentor's own mentees), and only for a group of at least `MIN_GROUP` people who
still have scores. A closed round takes no new answer, so its results never change, except
that people who delete their data take their scores out (which may hide a group). Comments
reach coordinators only, without names, in alphabetical order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from mentorbot.bot import message_kinds
from mentorbot.bot.errors import InvalidForm, NotAllowed, NotFound
from mentorbot.bot.models import Cohort, Feedback, Pair, SurveyRound
from mentorbot.bot.outbox import Outgoing
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.checkins import mentees_of
from mentorbot.bot.services.cohorts import LIVE_PAIR
from mentorbot.bot.services.feedback_rounds import SURVEYS, is_open, round_to_join, rounds_of
from mentorbot.bot.services.languages import speaking_to
from mentorbot.bot.services.lookups import of_workspace
from mentorbot.bot.services.pairs import active_pair_of
from mentorbot.bot.usertext import clean_user_text, is_whole_number

PHASES = ("midpoint", "closing", "anytime")
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
    """What a group of people said in a closed round, as a reader may see it.

    When fewer than MIN_GROUP people with scores answered, `withheld` is True and there are
    no numbers: `answered` is None, `averages` empty and `comments` empty.
    """

    role: str
    withheld: bool
    answered: int | None
    averages: dict[str, float]
    comments: list[str]
    comments_more: int = 0


@dataclass(frozen=True)
class RoundResults:
    """A closed round's results: the mentees' view of the mentoring, and the mentors'."""

    round: SurveyRound
    mentees: Aggregate
    mentors: Aggregate


@dataclass(frozen=True)
class CohortFeedback:
    """A cohort's feedback: the results of its closed rounds (oldest first), and the round
    still open, whose results come when it closes."""

    cohort: Cohort
    rounds: list[RoundResults]
    open: SurveyRound | None

    @property
    def latest(self) -> RoundResults | None:
        """The results of the round that closed last, if one has."""
        return self.rounds[-1] if self.rounds else None


# -- survey rounds ----------------------------------------------------------------------------


# -- survey invitations -----------------------------------------------------------------------


def survey_messages(
    session: Session, *, pairs: Sequence[Pair], survey: SurveyRound, now: datetime
) -> list[Outgoing]:
    """Invitations to a round's survey for both people of each pair, saying when it closes
    (key `survey:pair{id}:{phase}:{user}`).

    A paused pair hears when its pause ends, or not at all if the round has closed by then;
    an invitation not delivered by the close (the reader's hours) expires. Ending a pair
    withdraws those not yet sent.
    """
    cohort = session.get(Cohort, survey.cohort_id)
    messages = []
    for pair in pairs:
        if pair.status == "ended" or pair.cohort_id != survey.cohort_id:
            continue
        not_before = now
        if pair.status == "paused" and pair.paused_until and pair.paused_until > now:
            not_before = pair.paused_until
        if not_before >= survey.closes_at:
            continue
        for user_id, as_mentee in ((pair.mentee_id, True), (pair.mentor_id, False)):
            with speaking_to(session, team_id=pair.team_id, user_id=user_id):
                payload = render_json(
                    "feedback/invite.json.j2",
                    pair=pair,
                    cohort=cohort,
                    survey=survey,
                    as_mentee=as_mentee,
                    min_group=MIN_GROUP,
                )
            messages.append(
                Outgoing(
                    team_id=pair.team_id,
                    dedupe_key=message_kinds.survey(pair, survey.phase, user_id),
                    target_kind="user",
                    target_id=user_id,
                    payload=payload,
                    not_before=not_before,
                    expires_at=survey.closes_at,  # an invitation to a closed survey is none
                )
            )
    return messages


# -- the survey modal --------------------------------------------------------------------------


def pair_for_feedback(session: Session, *, team_id: str, user_id: str) -> Pair:
    """The pair `/checkin feedback` is about (as mentee first); NotFound when there is none."""
    pair = active_pair_of(session, team_id=team_id, user_id=user_id)
    if pair is None:
        raise NotFound("feedback/no_pair")
    return pair


def pair_to_rate(session: Session, *, team_id: str, pair_id: int, user_id: str, phase: str) -> Pair:
    """A pair the person belongs to, by id (from a button or the form).

    A survey (midpoint, closing) may be answered after its pair has ended; feedback any
    time is about a live pair.
    """
    if phase not in PHASES:
        raise NotFound("feedback/no_survey")
    pair = of_workspace(session, Pair, pair_id, team_id=team_id)
    if phase not in SURVEYS and pair.status not in LIVE_PAIR:
        raise NotFound("feedback/pair_ended")
    if user_id not in (pair.mentor_id, pair.mentee_id):
        raise NotAllowed("feedback/pair_only")
    return pair


@dataclass(frozen=True)
class Survey:
    """What the survey modal shows one person about a pair and phase: the round it counts
    in, their earlier answer (saving replaces it), and (feedback any time, a mentor of
    several) whom it may be about."""

    pair: Pair
    cohort: Cohort | None
    phase: str
    as_mentee: bool
    mentored: list[tuple[int, str]]
    earlier: Feedback | None
    joins: SurveyRound | None


def survey_of(session: Session, *, pair: Pair, user_id: str, phase: str, now: datetime) -> Survey:
    """The survey for this person, pair and phase; SurveyClosed when its round is not open."""
    joins = round_to_join(session, pair=pair, phase=phase, now=now)
    as_mentee = user_id == pair.mentee_id
    mentored: list[tuple[int, str]] = []
    if phase == "anytime" and not as_mentee:
        mentored = mentees_of(session, pair=pair, mentor_id=user_id)
    earlier = _own_answer(session, pair=pair, user_id=user_id, phase=phase)
    return Survey(
        pair=pair,
        cohort=session.get(Cohort, pair.cohort_id),
        phase=phase,
        as_mentee=as_mentee,
        mentored=mentored if len(mentored) > 1 else [],
        earlier=earlier,
        joins=joins,
    )


def read_survey(values: dict[str, str | None]) -> FeedbackForm:
    """Check the modal's fields; InvalidForm names the first field that is wrong."""
    scores: dict[str, int] = {}
    for name in SCORES:
        text = values.get(name) or ""
        if not text:
            raise InvalidForm(name, "feedback/pick_score")
        if not is_whole_number(text) or not 1 <= int(text) <= 5:
            raise InvalidForm(name, "feedback/pick_score")
        scores[name] = int(text)
    comment = clean_user_text(values.get("comment") or "")
    if len(comment) > MAX_COMMENT:
        raise InvalidForm("comment", "feedback/too_long", limit=MAX_COMMENT, length=len(comment))
    return FeedbackForm(comment=comment, **scores)


def record_feedback(
    session: Session, *, pair: Pair, author_id: str, phase: str, form: FeedbackForm, now: datetime
) -> tuple[Feedback, bool]:
    """Record an answer in the round it counts in; a survey answered again (midpoint,
    closing) while its round is open replaces the earlier answer.

    Returns the answer and whether it replaced one.
    """
    if author_id not in (pair.mentor_id, pair.mentee_id):
        raise NotAllowed("feedback/pair_only")
    if phase not in PHASES:
        raise NotFound("feedback/no_survey")
    joins = round_to_join(session, pair=pair, phase=phase, now=now)
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
    answer.round_id = joins.id if joins is not None else None
    answer.created_at = now
    session.flush()
    return answer, replaced


def _own_answer(session: Session, *, pair: Pair, user_id: str, phase: str) -> Feedback | None:
    """The person's answer to a survey (None for feedback any time): one per round."""
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


# -- results: the only way anyone reads feedback ----------------------------------------------


def visible_results(
    session: Session,
    *,
    rounds: Sequence[SurveyRound],
    now: datetime,
    mentor_id: str | None = None,
    comments: bool = True,
) -> list[RoundResults]:
    """What anyone may see of these rounds as of `now`: every surface reads feedback here.

    Only rounds closed by `now` have results (in the order given); a round still open has
    none. Each group's aggregate counts the answers that still have scores, and is withheld
    below MIN_GROUP people. With `mentor_id`, only that mentor's own mentees' answers about
    them count (the mentors' group is then empty). With `comments=False` (cohort health,
    a mentor's view) the comments are not even read: numbers only.
    """
    closed = [found for found in rounds if found.closes_at <= now]
    if not closed:
        return []
    query = select(Feedback).where(
        Feedback.team_id.in_({found.team_id for found in closed}),
        Feedback.round_id.in_([found.id for found in closed]),
        *(getattr(Feedback, score).is_not(None) for score in SCORES),
    )
    if mentor_id is not None:
        query = query.join(Pair, Pair.id == Feedback.pair_id).where(
            Pair.team_id == Feedback.team_id,
            Pair.mentor_id == mentor_id,
            Feedback.author_role == "mentee",
            Feedback.author_id == Pair.mentee_id,
        )
    if not comments:
        query = query.options(defer(Feedback.comment, raiseload=True))
    answers: dict[tuple[int | None, str], list[Feedback]] = defaultdict(list)
    for answer in session.scalars(query):
        answers[(answer.round_id, answer.author_role)].append(answer)
    return [
        RoundResults(
            round=found,
            mentees=_aggregate("mentee", answers[(found.id, "mentee")], with_comments=comments),
            mentors=_aggregate("mentor", answers[(found.id, "mentor")], with_comments=comments),
        )
        for found in closed
    ]


def cohort_feedback(
    session: Session, *, cohorts: Sequence[Cohort], now: datetime, comments: bool = True
) -> list[CohortFeedback]:
    """For each cohort (of one workspace): its closed rounds' results as coordinators see
    them, and the round still open."""
    rounds = rounds_of(session, cohorts)
    results = visible_results(session, rounds=rounds, now=now, comments=comments)
    return [
        CohortFeedback(
            cohort=cohort,
            rounds=[found for found in results if found.round.cohort_id == cohort.id],
            open=next((r for r in rounds if r.cohort_id == cohort.id and is_open(r, now)), None),
        )
        for cohort in cohorts
    ]


def mentor_feedback(
    session: Session, *, team_id: str, mentor_id: str, now: datetime
) -> RoundResults | None:
    """What the mentor's own mentees said of the mentoring, in the latest closed round
    where enough of them answered; None when no round shows them anything.

    Numbers only (never comments), in `mentees`: from MIN_GROUP distinct mentees or more.
    """
    mentored = select(Pair.cohort_id).where(Pair.team_id == team_id, Pair.mentor_id == mentor_id)
    rounds = session.scalars(
        select(SurveyRound)
        .where(
            SurveyRound.team_id == team_id,
            SurveyRound.closes_at <= now,
            SurveyRound.cohort_id.in_(mentored),
        )
        .order_by(SurveyRound.closes_at, SurveyRound.id)
    ).all()
    results = visible_results(session, rounds=rounds, now=now, mentor_id=mentor_id, comments=False)
    shown = [found for found in results if not found.mentees.withheld]
    return shown[-1] if shown else None


def _aggregate(role: str, answers: Iterable[Feedback], *, with_comments: bool) -> Aggregate:
    """Average each person's latest answer per pair; nothing at all below MIN_GROUP people.

    Everyone counts once per pair, however often they answered in the round: their latest
    answer stands. Comments come from every answer, sorted, so their order reveals nobody.
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
        values = [getattr(answer, score) for answer in latest.values()]
        averages[score] = round(sum(values) / len(values), 1)
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
