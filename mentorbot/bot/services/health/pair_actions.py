"""What the per-pair buttons of cohort health do: open one pair's figures, nudge a quiet pair."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot import message_kinds
from mentorbot.bot.errors import BadInput, NotAllowed, NotFound
from mentorbot.bot.models import Cohort, OutboundMessage, Pair
from mentorbot.bot.outbox import enqueue_many
from mentorbot.bot.services.cohorts import workspace_zone
from mentorbot.bot.services.health.engagement import PairEngagement, engagement
from mentorbot.bot.services.lookups import of_workspace
from mentorbot.bot.services.nudges import nudge_message


def pair_engagement(
    session: Session, *, team_id: str, pair_id: int, now: datetime, viewer: str | None = None
) -> PairEngagement:
    """One pair's figures (the App Home's "Open" button); NotFound when it is not there,
    NotAllowed when `viewer` is in it."""
    pair = of_workspace(session, Pair, pair_id, team_id=team_id)
    cohort = session.get(Cohort, pair.cohort_id)
    if cohort is None:
        raise NotFound("health/pair_gone")
    if viewer in (pair.mentor_id, pair.mentee_id):
        raise NotAllowed("health/own_pair")
    [row] = engagement(session, cohort=cohort, now=now, pair_ids=[pair.id])
    return row


def nudge_pair(session: Session, *, team_id: str, pair_id: int, now: datetime) -> tuple[Pair, bool]:
    """Queue the friendly nudge to a quiet pair's mentee; False when one was queued today.

    The words are the automatic nudge's. Only an active pair is nudged (a paused one is on
    a break, an ended one is over).
    """
    pair = of_workspace(session, Pair, pair_id, team_id=team_id)
    if pair.status != "active":
        raise BadInput(
            "health/not_active", mentor=pair.mentor_id, mentee=pair.mentee_id, status=pair.status
        )
    day = _today(session, team_id, now)
    nudge = nudge_message(session, pair, message_kinds.coordinator_nudge(pair, day), now)
    queued = enqueue_many(session, [nudge], now=now)
    return pair, queued == 1


def nudged_today(
    session: Session, *, team_id: str, pair_ids: Sequence[int], now: datetime
) -> frozenset[int]:
    """Which of these pairs a coordinator nudged today (workspace time zone)."""
    if not pair_ids:
        return frozenset()
    day = _today(session, team_id, now)
    keys = {message_kinds.coordinator_nudge_text(pair_id, day): pair_id for pair_id in pair_ids}
    found = session.scalars(
        select(OutboundMessage.dedupe_key).where(
            OutboundMessage.team_id == team_id, OutboundMessage.dedupe_key.in_(list(keys))
        )
    )
    return frozenset(keys[key] for key in found)


def _today(session: Session, team_id: str, now: datetime) -> date:
    zone: ZoneInfo = workspace_zone(session, team_id)
    return now.astimezone(zone).date()
