"""Nudges: a quiet pair's mentee gets one friendly nudge; after two missed cycles the pair
falls due for escalation to coordinators (escalations.py gathers those into a daily note).

Each pair carries when its nudge and its escalation fall due; a check-in, the end of a
pause or a new cadence moves them, so the tick only reads pairs that are due.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot import message_kinds
from mentorbot.bot.message_kinds import MessageKey
from mentorbot.bot.models import Pair
from mentorbot.bot.outbox import Outgoing, enqueue_many
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.cohorts import CADENCES
from mentorbot.bot.services.workspaces import workspace_setting

DEFAULT_GRACE = timedelta(days=3)
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
    cycle = CADENCES.get(pair.cadence, CADENCES["biweekly"])
    grace = grace_of(session, pair.team_id)
    pair.nudge_at = pair.quiet_since + cycle + grace
    pair.escalate_at = pair.quiet_since + CYCLES_BEFORE_ESCALATION * cycle + grace


def produce_nudges(session: Session, now: datetime) -> int:
    """Nudge mentees of quiet pairs once per quiet spell."""
    outgoing: list[Outgoing] = []
    for pair in session.scalars(
        select(Pair).where(Pair.status == "active", Pair.nudge_at <= now)
    ).all():
        pair.nudge_at = None
        outgoing.append(nudge_message(pair, message_kinds.nudge(pair), now))
    return enqueue_many(session, outgoing, now=now)


def nudge_message(pair: Pair, dedupe_key: MessageKey, now: datetime) -> Outgoing:
    """The friendly nudge to a quiet pair's mentee (a `Kind.NUDGE`: a pause or the pair's end
    withdraws it)."""
    return Outgoing(
        team_id=pair.team_id,
        dedupe_key=dedupe_key,
        target_kind="user",
        target_id=pair.mentee_id,
        payload=render_json("nudges/nudge.json.j2", pair=pair),
        not_before=now,
    )
