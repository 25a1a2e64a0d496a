"""A planned ending: reflection on goals, gratitude, keeping in touch, alumni check-ins.

Two weeks before a cohort ends, each person of a live pair gets the closing flow (see
`phases`). The mentee looks back at each open goal (done, still in progress, dropped); both
may send the other a thank-you note and choose to keep in touch. Those who do get a short
check-in 3 and 6 months after their pair ended; nobody else hears from the bot again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentorbot.bot import message_kinds
from mentorbot.bot.errors import InvalidForm, NotAllowed
from mentorbot.bot.models import CheckIn, Cohort, Goal, Pair, Reflection, SurveyRound
from mentorbot.bot.outbox import Outgoing, enqueue, enqueue_many
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.checkins import CheckInForm
from mentorbot.bot.services.goals import finish_goal, open_goals
from mentorbot.bot.services.languages import speaking_to
from mentorbot.bot.services.lookups import of_workspace
from mentorbot.bot.timeutil import add_months
from mentorbot.bot.usertext import clean_user_text, is_whole_number

MAX_GRATITUDE = 2000
# What the mentee may say of each open goal: done, still in progress (stays open), dropped.
GOAL_CHOICES = ("done", "open", "drop")
# Alumni check-ins, in months after the pair ended.
ALUMNI_MONTHS = (3, 6)


@dataclass(frozen=True)
class ReflectionForm:
    """The closing modal's answers: how each goal ended (by id), a note, keeping in touch."""

    goals: dict[int, str]
    gratitude: str
    keep_in_touch: bool


@dataclass(frozen=True)
class Closed:
    """What a submitted reflection did, for the confirmation."""

    reflection: Reflection
    as_mentee: bool
    gratitude_sent: bool


def pair_for_closing(session: Session, *, team_id: str, pair_id: int, user_id: str) -> Pair:
    """A pair the person belongs to, by id; ended pairs too (closing and alumni are about
    the end)."""
    pair = of_workspace(session, Pair, pair_id, team_id=team_id)
    if user_id not in (pair.mentor_id, pair.mentee_id):
        raise NotAllowed("closing/pair_only")
    return pair


def closing_messages(
    session: Session,
    cohort: Cohort,
    pairs: Sequence[Pair],
    *,
    survey: SurveyRound,
    now: datetime,
) -> list[Outgoing]:
    """The closing flow: a DM to each person of each pair (a paused pair's after its pause),
    with the closing survey while its round is still open when the DM can go."""
    messages = []
    for pair in pairs:
        not_before = now
        if pair.status == "paused" and pair.paused_until and pair.paused_until > now:
            not_before = pair.paused_until
        sides = ((pair.mentee_id, pair.mentor_id), (pair.mentor_id, pair.mentee_id))
        for user_id, other_id in sides:
            with speaking_to(session, team_id=pair.team_id, user_id=user_id):
                payload = render_json(
                    "closing/flow.json.j2",
                    cohort=cohort,
                    pair=pair,
                    as_mentee=user_id == pair.mentee_id,
                    other_id=other_id,
                    survey=survey if not_before < survey.closes_at else None,
                )
            messages.append(
                Outgoing(
                    team_id=pair.team_id,
                    dedupe_key=message_kinds.closing(pair, user_id),
                    target_kind="user",
                    target_id=user_id,
                    payload=payload,
                    not_before=not_before,
                )
            )
    return messages


def _reflection(session: Session, pair: Pair, user_id: str) -> Reflection | None:
    return session.scalar(
        select(Reflection).where(
            Reflection.team_id == pair.team_id,
            Reflection.pair_id == pair.id,
            Reflection.user_id == user_id,
        )
    )


@dataclass(frozen=True)
class Closing:
    """What the "Reflect and close" modal shows one of the pair: the mentee's open goals (for
    the mentee), a thank-you note to the other person, and keeping in touch, as last saved."""

    pair: Pair
    cohort: Cohort | None
    as_mentee: bool
    other_id: str
    goals: list[Goal]
    reflection: Reflection | None


def closing_of(session: Session, *, pair: Pair, user_id: str) -> Closing:
    """The closing form for this person's side of the pair."""
    as_mentee = user_id == pair.mentee_id
    return Closing(
        pair=pair,
        cohort=session.get(Cohort, pair.cohort_id),
        as_mentee=as_mentee,
        other_id=pair.mentor_id if as_mentee else pair.mentee_id,
        goals=open_goals(session, pair) if as_mentee else [],
        reflection=_reflection(session, pair, user_id),
    )


def read_reflection(values: dict[str, str | None], *, keep_in_touch: bool) -> ReflectionForm:
    """Check the modal's fields (`goal_<id>` choices, `gratitude`); InvalidForm names the
    field that is wrong."""
    goals = {}
    for block_id, value in values.items():
        number = block_id.removeprefix("goal_")
        if number == block_id or not is_whole_number(number) or value is None:
            continue
        if value not in GOAL_CHOICES:
            raise InvalidForm(block_id, "closing/pick_goal")
        goals[int(number)] = value
    gratitude = clean_user_text(values.get("gratitude") or "")
    if len(gratitude) > MAX_GRATITUDE:
        raise InvalidForm(
            "gratitude", "closing/too_long", limit=MAX_GRATITUDE, length=len(gratitude)
        )
    return ReflectionForm(goals=goals, gratitude=gratitude, keep_in_touch=keep_in_touch)


def record_reflection(
    session: Session, *, pair: Pair, user_id: str, form: ReflectionForm, now: datetime
) -> Closed:
    """Keep one person's closing of the pair (again on resubmission): the mentee's goals
    are marked through the goals service, a first thank-you note goes to the other person
    (once), and keeping in touch is switched on or off."""
    if user_id not in (pair.mentor_id, pair.mentee_id):
        raise NotAllowed("closing/close_only")
    as_mentee = user_id == pair.mentee_id
    if as_mentee:
        for goal in open_goals(session, pair):
            how = form.goals.get(goal.id)
            if how in ("done", "drop"):
                finish_goal(
                    session,
                    team_id=pair.team_id,
                    goal_id=goal.id,
                    user_id=user_id,
                    how=how,
                    now=now,
                )
    reflection = _reflection(session, pair, user_id)
    if reflection is None:
        reflection = Reflection(
            team_id=pair.team_id, pair_id=pair.id, user_id=user_id, alumni_sent=0, created_at=now
        )
        session.add(reflection)
    counts = dict(
        session.execute(
            select(Goal.status, func.count()).where(Goal.pair_id == pair.id).group_by(Goal.status)
        ).all()
    )
    reflection.goals_done = counts.get("done", 0)
    reflection.goals_in_progress = counts.get("open", 0)
    reflection.goals_dropped = counts.get("dropped", 0)
    sent = False
    if form.gratitude and not reflection.gratitude:
        reflection.gratitude = form.gratitude
        sent = _send_gratitude(session, pair=pair, sender=user_id, note=form.gratitude, now=now)
    reflection.keep_in_touch = form.keep_in_touch
    reflection.alumni_at = _next_alumni(pair, reflection) if form.keep_in_touch else None
    session.flush()
    return Closed(reflection=reflection, as_mentee=as_mentee, gratitude_sent=sent)


def _send_gratitude(session: Session, *, pair: Pair, sender: str, note: str, now: datetime) -> bool:
    reader = pair.mentor_id if sender == pair.mentee_id else pair.mentee_id
    with speaking_to(session, team_id=pair.team_id, user_id=reader):
        payload = render_json(
            "closing/gratitude.json.j2",
            cohort=session.get(Cohort, pair.cohort_id),
            sender=sender,
            from_mentee=sender == pair.mentee_id,
            note=note,
        )
    return enqueue(
        session,
        team_id=pair.team_id,
        dedupe_key=message_kinds.gratitude(pair, sender),
        target_kind="user",
        target_id=reader,
        payload=payload,
        not_before=now,
        now=now,
    )


def _next_alumni(pair: Pair, reflection: Reflection) -> datetime | None:
    """When the person's next alumni check-in is due: months after their pair ended."""
    if pair.status != "ended" or pair.ended_at is None:
        return None  # scheduled when the pair ends
    if reflection.alumni_sent >= len(ALUMNI_MONTHS):
        return None
    return add_months(pair.ended_at, ALUMNI_MONTHS[reflection.alumni_sent])


def produce_alumni(session: Session, now: datetime) -> int:
    """Alumni check-ins 3 and 6 months after the cohort's end, for those who chose them.

    A pair that has ended since someone chose to keep in touch gets its check-ins
    scheduled here, counted from the moment it ended (early, if the cohort was ended early).
    """
    keeping = (Reflection.keep_in_touch.is_(True), Pair.status == "ended")
    for reflection, pair in session.execute(
        select(Reflection, Pair)
        .join(Pair, Pair.id == Reflection.pair_id)
        .where(
            *keeping,
            Reflection.alumni_at.is_(None),
            Reflection.alumni_sent < len(ALUMNI_MONTHS),
        )
    ).all():
        reflection.alumni_at = _next_alumni(pair, reflection)
    rows = session.execute(
        select(Reflection, Pair, Cohort)
        .join(Pair, Pair.id == Reflection.pair_id)
        .join(Cohort, Cohort.id == Pair.cohort_id)
        .where(*keeping, Reflection.alumni_at <= now)
        .order_by(Reflection.id)
    ).all()
    outgoing = []
    for reflection, pair, cohort in rows:
        months = ALUMNI_MONTHS[reflection.alumni_sent]
        reflection.alumni_sent += 1
        reflection.alumni_at = _next_alumni(pair, reflection)
        other_id = pair.mentor_id if reflection.user_id == pair.mentee_id else pair.mentee_id
        with speaking_to(session, team_id=pair.team_id, user_id=reflection.user_id):
            alumni = render_json(
                "closing/alumni.json.j2",
                cohort=cohort,
                pair=pair,
                other_id=other_id,
                months=months,
                last=reflection.alumni_at is None,
            )
        outgoing.append(
            Outgoing(
                team_id=pair.team_id,
                dedupe_key=message_kinds.alumni(pair, reflection.user_id, months),
                target_kind="user",
                target_id=reflection.user_id,
                payload=alumni,
                not_before=now,
            )
        )
    return enqueue_many(session, outgoing, now=now)


def record_alumni_checkin(
    session: Session, *, pair: Pair, user_id: str, form: CheckInForm, now: datetime
) -> CheckIn:
    """Keep an alumni check-in on the ended pair, private to its author."""
    if user_id not in (pair.mentor_id, pair.mentee_id):
        raise NotAllowed("closing/pair_only")
    checkin = CheckIn(
        team_id=pair.team_id,
        pair_id=pair.id,
        author_id=user_id,
        created_at=now,
        rating=form.rating,
        went_well=form.went_well or None,
        shared_with_mentor=False,
        source="alumni",
    )
    session.add(checkin)
    session.flush()
    return checkin


def stop_alumni(session: Session, *, pair: Pair, user_id: str) -> Cohort | None:
    """No more alumni check-ins for this person about this pair; returns the pair's cohort."""
    reflection = _reflection(session, pair, user_id)
    if reflection is not None:
        reflection.keep_in_touch = False
        reflection.alumni_at = None
    return session.get(Cohort, pair.cohort_id)
