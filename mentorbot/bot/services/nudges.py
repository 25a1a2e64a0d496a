"""Nudges and escalation: a quiet pair's mentee gets one friendly nudge; after two missed
cycles, coordinators get a quiet note that the pair may need help (never any content)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mentorbot.bot.models import Cohort, Pair, Workspace
from mentorbot.bot.outbox import Outgoing, enqueue_many
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.cohorts import CADENCES
from mentorbot.bot.services.members import list_coordinators
from mentorbot.bot.services.workspaces import configured_coordinators

DEFAULT_GRACE = timedelta(days=3)
# Coordinators hear after this many cycles without a check-in.
CYCLES_BEFORE_ESCALATION = 2


def _grace(session: Session) -> dict[str, timedelta]:
    return {
        team_id: timedelta(days=int(days))
        if (days := (settings or {}).get("nudge_grace_days")) is not None
        else DEFAULT_GRACE
        for team_id, settings in session.execute(select(Workspace.team_id, Workspace.settings))
    }


def _quiet_pairs(
    session: Session, now: datetime, cadence: str, quiet_for: timedelta, done_column: object
) -> list[Pair]:
    """Active pairs of `cadence` quiet since before `now - quiet_for`, not yet told about it."""
    column = done_column
    return list(
        session.scalars(
            select(Pair).where(
                Pair.status == "active",
                Pair.cadence == cadence,
                Pair.quiet_since <= now - quiet_for,
                or_(column.is_(None), column < Pair.quiet_since),  # type: ignore[attr-defined]
            )
        )
    )


def produce_nudges(session: Session, now: datetime) -> int:
    """Nudge mentees of quiet pairs once per quiet spell; escalate long silences."""
    graces = _grace(session)
    outgoing: list[Outgoing] = []
    smallest = min(graces.values(), default=DEFAULT_GRACE)
    for cadence, period in CADENCES.items():
        for pair in _quiet_pairs(session, now, cadence, period + smallest, Pair.nudged_at):
            grace = graces.get(pair.team_id, DEFAULT_GRACE)
            assert pair.quiet_since is not None
            if pair.quiet_since > now - period - grace:
                continue
            pair.nudged_at = now
            outgoing.append(
                Outgoing(
                    team_id=pair.team_id,
                    dedupe_key=f"nudge:pair{pair.id}:{pair.quiet_since:%Y%m%dT%H%M}",
                    target_kind="user",
                    target_id=pair.mentee_id,
                    payload=render_json("rhythm/nudge.json.j2", pair=pair),
                    not_before=now,
                )
            )
        quiet_for = CYCLES_BEFORE_ESCALATION * period
        for pair in _quiet_pairs(session, now, cadence, quiet_for + smallest, Pair.escalated_at):
            grace = graces.get(pair.team_id, DEFAULT_GRACE)
            assert pair.quiet_since is not None
            if pair.quiet_since > now - quiet_for - grace:
                continue
            pair.escalated_at = now
            outgoing.extend(_escalation(session, pair, now))
    return enqueue_many(session, outgoing, now=now)


def _escalation(session: Session, pair: Pair, now: datetime) -> list[Outgoing]:
    cohort = session.get(Cohort, pair.cohort_id)
    assert pair.quiet_since is not None
    payload = render_json(
        "rhythm/escalation.json.j2",
        pair=pair,
        cohort=cohort,
        weeks=max(1, (now - pair.quiet_since).days // 7),
    )
    return [
        Outgoing(
            team_id=pair.team_id,
            dedupe_key=f"escalate:pair{pair.id}:{pair.quiet_since:%Y%m%dT%H%M}:{coordinator}",
            target_kind="user",
            target_id=coordinator,
            payload=payload,
            not_before=now,
        )
        for coordinator in list_coordinators(
            session, team_id=pair.team_id, configured=configured_coordinators(session, pair.team_id)
        )
    ]
