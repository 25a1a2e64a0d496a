"""Nudges: a quiet pair's mentee gets one friendly nudge; after two missed cycles the pair
falls due for escalation to coordinators (escalations.py gathers those into a daily note).

Each pair carries when its nudge and its escalation fall due; a check-in, the end of a
pause or a new cadence moves them, so the tick only reads pairs that are due.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot import message_kinds
from mentorbot.bot.message_kinds import MessageKey
from mentorbot.bot.models import Pair
from mentorbot.bot.outbox import Outgoing, enqueue_many
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.cohorts import cycle_of
from mentorbot.bot.services.languages import speaking_to
from mentorbot.bot.services.workspaces import availabilities_for, workspace_setting
from mentorbot.bot.working_hours import Availability

DEFAULT_GRACE = timedelta(days=3)
# Holidays that move a nudge can bring more holidays into its window: at most this many looks.
MAX_HOLIDAY_ROUNDS = 5
# Coordinators hear after this many cycles without a check-in.
CYCLES_BEFORE_ESCALATION = 2


def grace_of(session: Session, team_id: str) -> timedelta:
    """How long past a cycle a workspace waits before nudging (MENTORBOT_NUDGE_GRACE_DAYS)."""
    with session.no_autoflush:  # pending changes cannot alter settings: flush them once, later
        days = workspace_setting(session, team_id, "nudge_grace_days")
    return DEFAULT_GRACE if days is None else timedelta(days=int(days))


def restart_quiet_clock(session: Session, pair: Pair, since: datetime) -> None:
    """The pair showed life at `since` (paired, checked in, back from a pause)."""
    pair.quiet_since = since
    schedule_nudges(session, pair)


def schedule_nudges(session: Session, pair: Pair) -> None:
    """Work out when the pair's nudge and escalation fall due, from its quiet clock."""
    if pair.quiet_since is None:
        return
    pair.nudge_at, pair.escalate_at = _deadlines(session, pair, pair.quiet_since)


def _deadlines(session: Session, pair: Pair, since: datetime) -> tuple[datetime, datetime]:
    """When a quiet spell from `since` calls for a nudge (a cycle of the pair's rhythm and
    the grace days) and for the coordinators' escalation (two cycles and the grace)."""
    cycle, grace = cycle_of(pair.cadence), grace_of(session, pair.team_id)
    return since + cycle + grace, since + CYCLES_BEFORE_ESCALATION * cycle + grace


def produce_nudges(session: Session, now: datetime) -> int:
    """Nudge mentees of quiet pairs once per quiet spell. The mentee's public holidays do not
    count: a quiet spell over Christmas is given those days more (looked at only once a
    nudge falls due, so a check-in does not pay for it)."""
    outgoing: list[Outgoing] = []
    due = session.scalars(select(Pair).where(Pair.status == "active", Pair.nudge_at <= now)).all()
    mentees = _mentees(session, due)
    for pair in due:
        if pair.quiet_since is not None:
            deadline, _ = _deadlines(session, pair, pair.quiet_since)
            moved = without_holidays(pair.quiet_since, deadline, mentees[pair.id])
            if moved > now:
                pair.nudge_at = moved
                continue
        pair.nudge_at = None
        outgoing.append(nudge_message(session, pair, message_kinds.nudge(pair), now))
    return enqueue_many(session, outgoing, now=now)


def without_holidays(since: datetime, deadline: datetime, person: Availability) -> datetime:
    """`deadline`, moved on by a day for each public holiday of the person's (in their zone)
    from `since` to it, the holidays of the added days included."""
    if person.holidays is None:
        return deadline
    counted_to = since.astimezone(person.zone).date() - timedelta(days=1)
    moved = deadline
    for _ in range(MAX_HOLIDAY_ROUNDS):
        last = moved.astimezone(person.zone).date()
        days = (last - counted_to).days
        extra = sum(
            1
            for offset in range(1, days + 1)
            if person.holiday_on(counted_to + timedelta(days=offset))
        )
        counted_to = last
        if not extra:
            return moved
        moved += timedelta(days=extra)
    return moved


def _mentees(session: Session, pairs: Sequence[Pair]) -> dict[int, Availability]:
    """Each pair's mentee's availability (their zone and holidays), read per workspace."""
    by_team: dict[str, set[str]] = {}
    for pair in pairs:
        by_team.setdefault(pair.team_id, set()).add(pair.mentee_id)
    found = {
        team_id: availabilities_for(session, team_id=team_id, user_ids=user_ids)
        for team_id, user_ids in by_team.items()
    }
    return {pair.id: found[pair.team_id][pair.mentee_id] for pair in pairs}


def nudge_message(session: Session, pair: Pair, dedupe_key: MessageKey, now: datetime) -> Outgoing:
    """The friendly nudge to a quiet pair's mentee, in their language (a `Kind.NUDGE`: a
    pause or the pair's end withdraws it)."""
    with speaking_to(session, team_id=pair.team_id, user_id=pair.mentee_id):
        words = render_json("nudges/nudge.json.j2", pair=pair)
    return Outgoing(
        team_id=pair.team_id,
        dedupe_key=dedupe_key,
        target_kind="user",
        target_id=pair.mentee_id,
        payload=words,
        not_before=now,
    )
