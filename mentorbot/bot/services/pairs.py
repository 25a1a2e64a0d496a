"""Pairs: a mentor and a mentee in a cohort, from kickoff to a graceful end."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from mentorbot.bot import message_kinds
from mentorbot.bot.errors import BadInput, Example, NotFound, Reason
from mentorbot.bot.message_kinds import Kind
from mentorbot.bot.models import Announcement, Cohort, Member, Pair
from mentorbot.bot.outbox import cancel_queued, enqueue_many, to_pair
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.celebrations import first_anniversary
from mentorbot.bot.services.cohorts import LIVE_PAIR, cadence_named
from mentorbot.bot.services.languages import speaking_to_pair
from mentorbot.bot.services.meeting_history import record_change, start_rhythm
from mentorbot.bot.services.meetings import (
    MEETING_MESSAGES,
    first_default_meeting,
    set_next_meeting,
)
from mentorbot.bot.services.nudges import restart_quiet_clock

DEFAULT_CAPACITY = 3
# Messages an ended pair no longer gets, if they were still waiting to be sent.
ENDED_MESSAGES = (
    *MEETING_MESSAGES,
    *(Kind.NUDGE, Kind.GOAL_DUE, Kind.MOVED, Kind.PAUSED, Kind.RESUMED),
    *(Kind.CELEBRATE, Kind.SURVEY, Kind.CLOSING),
)
MAX_CAPACITY = 20


@dataclass(frozen=True)
class Planned:
    """A pairing to be checked: who mentors whom (and, from an import, the ID or e-mail
    address each was given as)."""

    mentor_id: str
    mentee_id: str
    mentor_as: str = ""
    mentee_as: str = ""


# How a problem names a person: (their user id, the ID or e-mail they were given as).
Naming = Callable[[str, str], str]


def by_mention(user_id: str, given: str) -> str:
    """A person as Slack shows a mention: their name, from their id."""
    return f"<@{user_id}>"


def pairing_problems(
    session: Session, *, cohort: Cohort, planned: list[Planned], name: Naming = by_mention
) -> list[Reason | None]:
    """For each planned pairing, in order, why it cannot be made (None when it can); people
    are named by `name`.

    Earlier plans count: a file that pairs one mentee twice, pairs two people both ways
    round, or gives a mentor more mentees than their capacity, is caught at the row that goes
    too far.
    """
    people = {p.mentor_id for p in planned} | {p.mentee_id for p in planned}
    live = list(
        session.scalars(
            select(Pair).where(
                Pair.team_id == cohort.team_id,
                Pair.status.in_(LIVE_PAIR),
                or_(Pair.mentor_id.in_(people), Pair.mentee_id.in_(people)),
            )
        )
    )
    mentoring = Counter(p.mentor_id for p in live)
    mentor_of = {p.mentee_id: p.mentor_id for p in live if p.cohort_id == cohort.id}
    capacity = capacities(session, team_id=cohort.team_id, user_ids={p.mentor_id for p in planned})
    problems: list[Reason | None] = []
    for plan in planned:
        mentor, mentee = plan.mentor_id, plan.mentee_id
        # Named as given in this row; someone else (a current mentor) by their id.
        mentor_named = name(mentor, plan.mentor_as or mentor)
        mentee_named = name(mentee, plan.mentee_as or mentee)
        problem = None
        if cohort.phase == "ended":
            problem = Reason("pairs/cohort_ended", cohort=cohort.name)
        elif mentor == mentee:
            problem = Reason("pairs/themselves", mentor=mentor_named)
        elif mentor_of.get(mentee) == mentor:
            problem = Reason(
                "pairs/already_paired", mentor=mentor_named, mentee=mentee_named, cohort=cohort.name
            )
        elif mentor_of.get(mentor) == mentee:
            # Both ways round, the two pairs would share one group DM and every prompt in it.
            problem = Reason(
                "pairs/both_ways", mentor=mentor_named, mentee=mentee_named, cohort=cohort.name
            )
        elif mentee in mentor_of:
            problem = Reason(
                "pairs/has_mentor",
                mentee=mentee_named,
                cohort=cohort.name,
                current=name(mentor_of[mentee], mentor_of[mentee]),
                mentee_id=mentee,
            )
        elif mentoring[mentor] >= capacity[mentor]:
            problem = Reason(
                "pairs/at_capacity",
                mentor=mentor_named,
                count=mentoring[mentor],
                mentor_id=mentor,
                capacity=capacity[mentor],
            )
        if problem is None:
            mentoring[mentor] += 1
            mentor_of[mentee] = mentor
        problems.append(problem)
    return problems


def capacities(session: Session, *, team_id: str, user_ids: Iterable[str]) -> dict[str, int]:
    """How many pairs each person may mentor at once (their own capacity, else the default)."""
    wanted = set(user_ids)
    rows = session.execute(
        select(Member.user_id, Member.mentor_capacity).where(
            Member.team_id == team_id,
            Member.user_id.in_(wanted),
            Member.mentor_capacity.is_not(None),
        )
    )
    own = {user_id: int(limit) for user_id, limit in rows if limit is not None}
    return {user_id: own.get(user_id, DEFAULT_CAPACITY) for user_id in wanted}


def set_capacity(session: Session, *, member: Member, capacity: int) -> int:
    """Set how many pairs a person may mentor at once; returns how many they mentor now."""
    if not 1 <= capacity <= MAX_CAPACITY:
        raise BadInput(
            "pairs/capacity_range", most=MAX_CAPACITY, example=Example("pairs/capacity_of")
        )
    member.mentor_capacity = capacity
    return int(
        session.scalar(
            select(func.count()).where(
                Pair.team_id == member.team_id,
                Pair.mentor_id == member.user_id,
                Pair.status.in_(LIVE_PAIR),
            )
        )
        or 0
    )


def pair_people(
    session: Session,
    *,
    cohort: Cohort,
    mentor_id: str,
    mentee_id: str,
    cadence: str | None = None,
    now: datetime,
) -> Pair:
    """Pair a mentor with a mentee and queue their kickoff; BadInput says why it can't be."""
    problem = pairing_problems(session, cohort=cohort, planned=[Planned(mentor_id, mentee_id)])[0]
    if problem:
        raise BadInput.of(problem)
    return create_pairs(
        session, cohort=cohort, planned=[Planned(mentor_id, mentee_id)], cadence=cadence, now=now
    )[0]


def create_pairs(
    session: Session,
    *,
    cohort: Cohort,
    planned: list[Planned],
    cadence: str | None = None,
    now: datetime,
    kickoff: bool = True,
) -> list[Pair]:
    """Create checked pairings, active at once, and queue each pair's kickoff group DM."""
    rhythm = cadence_named(cadence) if cadence else cohort.cadence
    pairs = [
        Pair(
            team_id=cohort.team_id,
            cohort_id=cohort.id,
            mentor_id=plan.mentor_id,
            mentee_id=plan.mentee_id,
            cadence=rhythm,
            status="active",
            created_at=now,
            anniversary_at=first_anniversary(now),
        )
        for plan in planned
    ]
    session.add_all(pairs)
    session.flush()
    for pair in pairs:
        restart_quiet_clock(session, pair, now)
        first = first_default_meeting(session, pair, cohort, now)
        set_next_meeting(session, pair, first, now=now)
        start_rhythm(pair, first, now)
    if kickoff:
        kickoffs = []
        for pair in pairs:
            with speaking_to_pair(session, pair):
                welcome = render_json("pairs/welcome.json.j2", pair=pair, cohort=cohort)
            kickoffs.append(to_pair(pair, message_kinds.kickoff(pair), welcome, now))
        enqueue_many(session, kickoffs, now=now)
    return pairs


def live_pair_of_mentee(
    session: Session, *, team_id: str, mentee_id: str, cohort: Cohort | None
) -> tuple[Pair, Cohort]:
    """The mentee's one live pair (in `cohort`, if named) and its cohort; NotFound or BadInput
    otherwise."""
    query = select(Pair).where(
        Pair.team_id == team_id, Pair.mentee_id == mentee_id, Pair.status.in_(LIVE_PAIR)
    )
    if cohort is not None:
        query = query.where(Pair.cohort_id == cohort.id)
    pairs = list(session.scalars(query))
    if not pairs:
        raise NotFound("pairs/no_mentor", mentee=mentee_id, cohort=cohort.name if cohort else "")
    if len(pairs) > 1:
        raise BadInput(
            "pairs/which_cohort",
            mentee=mentee_id,
            count=len(pairs),
            example=Example("pairs/unpair_in", mentee=mentee_id),
        )
    found = session.get(Cohort, pairs[0].cohort_id)
    assert found is not None
    return pairs[0], found


def end_pairs(
    session: Session, *, pairs: list[Pair], cohort: Cohort, reason: str, now: datetime
) -> None:
    """End pairs gracefully: a kind word to both people, every record kept."""
    for pair in pairs:
        pair.status = "ended"
        pair.ended_at = now
        record_change(pair, now)  # its calendar's meetings end here
        pair.prompt_at = None
        cancel_queued(session, team_id=pair.team_id, pair_id=pair.id, kinds=ENDED_MESSAGES)
    farewells = []
    for pair in pairs:
        with speaking_to_pair(session, pair):
            words = render_json("pairs/farewell.json.j2", pair=pair, cohort=cohort, reason=reason)
        farewells.append(to_pair(pair, message_kinds.farewell(pair), words, now))
    enqueue_many(session, farewells, now=now)


def pairs_of_person(
    session: Session, *, team_id: str, user_id: str, status: tuple[str, ...]
) -> list[Pair]:
    """The person's pairs in these states (as mentee or mentor)."""
    return list(
        session.scalars(
            select(Pair)
            .where(
                Pair.team_id == team_id,
                Pair.status.in_(status),
                or_(Pair.mentee_id == user_id, Pair.mentor_id == user_id),
            )
            .order_by(Pair.id)
        )
    )


# Built once, run with parameters: every check-in asks, and building the statement afresh
# cost more than running it (bench/ack_profile.py).
_ACTIVE_PAIRS = (
    select(Pair)
    .where(
        Pair.team_id == bindparam("team_id"),
        Pair.status.in_(("active", "paused")),
        or_(Pair.mentee_id == bindparam("user_id"), Pair.mentor_id == bindparam("user_id")),
    )
    .order_by(Pair.created_at.desc(), Pair.id.desc())
)


def active_pair_of(session: Session, *, team_id: str, user_id: str) -> Pair | None:
    """The person's most recent active pair, as mentee first, then as mentor."""
    pairs = session.scalars(_ACTIVE_PAIRS, {"team_id": team_id, "user_id": user_id}).all()
    as_mentee = [pair for pair in pairs if pair.mentee_id == user_id]
    candidates = as_mentee or list(pairs)
    return candidates[0] if candidates else None


def end_cohort(session: Session, *, cohort: Cohort, now: datetime) -> int:
    """End a cohort: its pairs end gracefully, its pending announcements are cancelled.

    Returns how many pairs ended. Everything recorded is kept.
    """
    if cohort.phase == "ended":
        raise BadInput("pairs/ended_already", cohort=cohort.name)
    pairs = list(
        session.scalars(select(Pair).where(Pair.cohort_id == cohort.id, Pair.status.in_(LIVE_PAIR)))
    )
    end_pairs(session, pairs=pairs, cohort=cohort, reason="cohort_ended", now=now)
    session.execute(
        update(Announcement)
        .where(
            Announcement.cohort_id == cohort.id,
            Announcement.sent_at.is_(None),
            Announcement.cancelled_at.is_(None),
        )
        .values(cancelled_at=now)
    )
    cohort.phase = "ended"
    cohort.phase_changed_at = now
    cohort.next_phase_at = cohort.heads_up_at = None
    return len(pairs)
