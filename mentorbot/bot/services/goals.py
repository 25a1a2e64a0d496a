"""SMART goals: the mentee's specific outcome, how it is measured and when it is due."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from mentorbot.bot import message_kinds
from mentorbot.bot.errors import BadInput, Example, NotAllowed, NotFound, Reason
from mentorbot.bot.models import CheckIn, Goal, Pair
from mentorbot.bot.outbox import Outgoing, enqueue_many
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.celebrations import note_goal_done
from mentorbot.bot.services.languages import speaking_to
from mentorbot.bot.services.lookups import of_workspace
from mentorbot.bot.services.workspaces import availabilities_for
from mentorbot.bot.working_hours import wall_clock

MAX_TITLE = 300
# Open goals a mentee may have at once (and what one modal can list).
MAX_OPEN_GOALS = 25
MAX_MEASURE = 1000
# A due date may be at most this far ahead.
FURTHEST_DUE = timedelta(days=2 * 365)
# The mentee hears this many days before a goal is due.
REMIND_BEFORE = timedelta(days=3)
STATUSES = {"done": "done", "drop": "dropped"}
# Pair ids per IN (…) list when reading many pairs' goals.
CHUNK = 500


@dataclass(frozen=True)
class GoalDraft:
    """A goal as the mentee wrote it."""

    title: str
    measure: str = ""
    due_on: date | None = None


def check_draft(draft: GoalDraft, *, today: date) -> list[tuple[str, Reason]]:
    """What is wrong with a draft, as (field, reason) pairs; empty when it is fine."""
    problems = []
    if not draft.title:
        problems.append(("title", Reason("goals/no_title")))
    elif len(draft.title) > MAX_TITLE:
        problems.append(("title", Reason("goals/title_too_long", limit=MAX_TITLE)))
    if len(draft.measure) > MAX_MEASURE:
        problems.append(("measure", Reason("goals/measure_too_long", limit=MAX_MEASURE)))
    if draft.due_on is not None and draft.due_on < today:
        problems.append(("due", Reason("goals/due_passed", due=draft.due_on)))
    elif draft.due_on is not None and draft.due_on > today + FURTHEST_DUE:
        problems.append(("due", Reason("goals/due_too_far")))
    return problems


def add_goal(
    session: Session, *, pair: Pair, by: str, draft: GoalDraft, today: date, now: datetime
) -> Goal:
    """Add a goal to the pair's list (the mentee's goals); BadInput says what is wrong."""
    if by != pair.mentee_id:
        raise NotAllowed("goals/mentee_adds", mentee=pair.mentee_id)
    problems = check_draft(draft, today=today)
    if problems:
        raise BadInput.of(problems[0][1], example=Example("goals/goal"))
    open_count = session.scalar(
        select(func.count()).where(Goal.pair_id == pair.id, Goal.status == "open")
    )
    if (open_count or 0) >= MAX_OPEN_GOALS:
        raise BadInput("goals/too_many", count=open_count)
    duplicate = session.scalar(
        select(Goal.id).where(
            Goal.pair_id == pair.id,
            Goal.status == "open",
            func.lower(Goal.title) == draft.title.lower(),
        )
    )
    if duplicate:
        raise BadInput("goals/duplicate")
    goal = Goal(
        team_id=pair.team_id,
        pair_id=pair.id,
        title=draft.title,
        measure=draft.measure or None,
        due_on=draft.due_on,
        status="open",
        created_by=by,
        created_at=now,
    )
    session.add(goal)
    session.flush()
    return goal


def open_goals(session: Session, pair: Pair) -> list[Goal]:
    """The pair's open goals, soonest due first."""
    return open_goals_of(session, [pair]).get(pair.id, [])


def open_goals_of(session: Session, pairs: Sequence[Pair]) -> dict[int, list[Goal]]:
    """Open goals of many pairs in one query, by pair id, soonest due first."""
    found: dict[int, list[Goal]] = {}
    ids = [pair.id for pair in pairs]
    for first in range(0, len(ids), CHUNK):
        for goal in session.scalars(
            select(Goal)
            .where(Goal.pair_id.in_(ids[first : first + CHUNK]), Goal.status == "open")
            .order_by(Goal.due_on.is_(None), Goal.due_on, Goal.id)
        ):
            found.setdefault(goal.pair_id, []).append(goal)
    return found


def remove_goal(session: Session, *, team_id: str, goal_id: int, user_id: str) -> None:
    """Take back a goal just added (its Undo button); only the mentee may."""
    goal, _ = _goal_of_mentee(session, team_id=team_id, goal_id=goal_id, user_id=user_id)
    session.execute(update(CheckIn).where(CheckIn.goal_id == goal.id).values(goal_id=None))
    session.delete(goal)
    session.flush()


def _goal_of_mentee(
    session: Session, *, team_id: str, goal_id: int, user_id: str
) -> tuple[Goal, Pair]:
    goal = of_workspace(session, Goal, goal_id, team_id=team_id, gone="goals/gone")
    pair = session.get(Pair, goal.pair_id)
    if pair is None:
        raise NotFound("goals/gone")
    if user_id != pair.mentee_id:
        raise NotAllowed("goals/mentee_only")
    return goal, pair


def finish_goal(
    session: Session, *, team_id: str, goal_id: int, user_id: str, how: str, now: datetime
) -> Goal:
    """Mark a goal done or dropped (`how` is "done" or "drop"); only the mentee may."""
    goal, pair = _goal_of_mentee(session, team_id=team_id, goal_id=goal_id, user_id=user_id)
    if goal.status != "open":
        raise BadInput("goals/finished", status=goal.status)
    goal.status = STATUSES[how]
    goal.completed_at = now
    if goal.status == "done":
        note_goal_done(session, pair=pair, goal=goal, now=now)
    return goal


def produce_goal_reminders(session: Session, now: datetime) -> int:
    """Remind mentees of open goals due within a few days (once per goal)."""
    rows = session.execute(
        select(Goal, Pair)
        .join(Pair, Pair.id == Goal.pair_id)
        .where(
            Goal.status == "open",
            Goal.reminded_at.is_(None),
            Goal.due_on.is_not(None),
            Goal.due_on <= (now + REMIND_BEFORE).date(),
            Pair.status == "active",
        )
    ).all()
    outgoing = []
    for goal, pair in rows:
        goal.reminded_at = now
        zone = availabilities_for(session, team_id=pair.team_id, user_ids=[pair.mentee_id])[
            pair.mentee_id
        ].zone
        assert goal.due_on is not None
        if goal.due_on < now.astimezone(zone).date():
            continue  # already past when first seen (e.g. after downtime): no late reminder
        with speaking_to(session, team_id=pair.team_id, user_id=pair.mentee_id):
            reminder = render_json("goals/due_soon.json.j2", goal=goal)
        outgoing.append(
            Outgoing(
                team_id=pair.team_id,
                dedupe_key=message_kinds.goal_due(pair, goal),
                target_kind="user",
                target_id=pair.mentee_id,
                payload=reminder,
                not_before=now,
                # "Due on Friday" is news until Friday ends on the mentee's clock.
                expires_at=wall_clock(goal.due_on + timedelta(days=1), time(0), zone),
            )
        )
    return enqueue_many(session, outgoing, now=now)
