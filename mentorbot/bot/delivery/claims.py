"""Claiming due outbox rows one lane at a time, and recording each outcome as it comes.

A lane claims only what it is about to send (`claim_next`), in a short transaction that
also moves DMs due outside their readers' hours and ends rows past their moment. Each claim
holds a wall-clock lease; its outcome is written by `record_outcome` only while the lease
still holds, so a crashed sender leaves at most its in-flight messages to be looked up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, ScalarSelect, Select, bindparam, select, update
from sqlalchemy.orm import Session, aliased

from mentorbot.bot.delivery.pace import PostRate, paused_teams
from mentorbot.bot.models import Conversation, ConversationPace, Member, OutboundMessage
from mentorbot.bot.outbox import EXPIRED
from mentorbot.bot.services.members import AWAY_PROFILE_MAX_AGE, PROFILE_MAX_AGE
from mentorbot.bot.services.workspaces import availabilities_for
from mentorbot.bot.working_hours import next_allowed_for_all

log = logging.getLogger(__name__)

# How long a claim lasts before another sender may take the row over (wall-clock time).
DEFAULT_LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Claimed:
    """A snapshot of one claimed row, enough to send it without holding a transaction."""

    id: int
    team_id: str
    dedupe_key: str
    target_kind: str
    target_id: str
    payload: dict[str, Any]
    outcome_unknown: bool
    attempts: int
    lease_until: datetime  # the claim's token: only its holder may record the outcome
    # The conversation to post in when known: the channel itself, or a DM's stored channel.
    channel: str | None = None
    first_attempt_at: datetime | None = None
    lookups: int = 0
    # When its conversation could have this post (its pace), None for a first one.
    free_at: datetime | None = None


@dataclass
class Scan:
    """What one claim looked at: the row claimed, or the one it moved or ended instead."""

    claims: list[Claimed]
    looked_at: int = 0
    held: int = 0
    expired: int = 0


def due_recipients(session: Session, *, now: datetime, limit: int) -> list[tuple[str, str]]:
    """(team_id, user_id) of people with DMs due now, whose cached profile is missing or old
    (for someone away, an hour old: their status may have changed without a word)."""
    stale_before = now - PROFILE_MAX_AGE
    rows = session.execute(
        select(OutboundMessage.team_id, OutboundMessage.target_id)
        .outerjoin(
            Member,
            (Member.team_id == OutboundMessage.team_id)
            & (Member.user_id == OutboundMessage.target_id),
        )
        .where(
            OutboundMessage.status == "pending",
            OutboundMessage.not_before <= now,
            OutboundMessage.target_kind == "user",
            (Member.id.is_(None))
            | (Member.profile_refreshed_at.is_(None))
            | (Member.profile_refreshed_at < stale_before)
            | (
                Member.away_since.is_not(None)
                & (Member.profile_refreshed_at < now - AWAY_PROFILE_MAX_AGE)
            ),
        )
        .distinct()
        .limit(limit)
    )
    return [(team_id, user_id) for team_id, user_id in rows]


def claim_next(
    session: Session,
    *,
    now: datetime,
    wall: datetime,
    lease: timedelta = DEFAULT_LEASE,
    pace: PostRate | None = None,
) -> Scan:
    """Claim the next due row: a pending one, or an abandoned claim whose lease ran out. Rows
    whose conversation had its posts for now (`pace`), rows behind another in their
    conversation (one in flight per conversation, in order) and rows of workspaces whose
    calls Slack paused are left for later. The claim carries its conversation's pace
    (`free_at`), which the sender moves on once it has posted.

    One row at a time: a row is locked only by the lane about to send it, so lanes of every
    worker share the work and none sits on claims it has not started.

    A DM due outside its readers' working hours is not claimed but moved to their next allowed
    moment, unless that moment is past the message's expiry: then, like a message whose expiry
    has passed while it waited, it ends "expired", never delivered late. On PostgreSQL, rows
    another sender is claiming are skipped, not waited for.
    """
    pace = pace or PostRate()
    for_update = session.get_bind().dialect.name == "postgresql"
    values = {"now": now, "wall": wall, "free_before": pace.free_before(pace.clock())}
    rows = []
    for abandoned in (True, False):  # what a vanished sender left first, then what is due
        query = _claim_query(for_update=for_update, abandoned=abandoned)
        rows = [(row, channel, free_at) for row, channel, free_at in session.execute(query, values)]
        if rows:
            break
    found = Scan(claims=[], looked_at=len(rows))
    hours = _hours(session, [row for row, _, _ in rows])
    for row, channel, free_at in rows:
        allowed = now
        if row.target_kind != "channel":
            people = [hours[(row.team_id, user_id)] for user_id in row.target_id.split(",")]
            allowed = next_allowed_for_all(people, now)
        # An abandoned claim past its expiry ends too: a late second attempt is worse than
        # none, even if the first never arrived.
        if row.expires_at is not None and allowed >= row.expires_at:
            _expire(row, allowed)
            found.expired += 1
            continue
        if allowed > now:
            row.not_before = allowed
            found.held += 1
            continue
        if row.status == "sending":  # its sender vanished mid-way: it may have reached Slack
            row.outcome_unknown = True
        row.status = "sending"
        row.lease_until = wall + lease
        if row.first_attempt_at is None and not row.outcome_unknown:
            row.first_attempt_at = wall  # (an uncertain row from before this was kept: unknown)
        found.claims.append(
            _snapshot(row, row.target_id if row.target_kind == "channel" else channel, free_at)
        )
    return found


@cache
def _claim_query(*, for_update: bool, abandoned: bool) -> Select[OutboundMessage, str, datetime]:
    """The claim's query for pending rows, or for claims whose lease ran out: built once
    (building it cost more than running it), with the moments as parameters: `now` (the
    programme's), `wall` (leases and pauses) and `free_before` (the conversation's pace, in
    Slack's time).

    Its rows come in the order of the (status, not_before, id) index, and each is checked
    against its conversation by a subquery of its own (`_ahead_in_its_conversation`), so
    the database stops at the first row that may go rather than weighing every pending row.
    """
    now: BindParameter[datetime] = bindparam("now")
    wall: BindParameter[datetime] = bindparam("wall")
    status: ColumnElement[bool]
    if abandoned:
        status = (OutboundMessage.status == "sending") & (OutboundMessage.lease_until <= wall)
    else:
        status = OutboundMessage.status == "pending"
    query = (
        select(OutboundMessage, Conversation.channel_id, ConversationPace.free_at)
        .outerjoin(
            Conversation,
            (Conversation.team_id == OutboundMessage.team_id)
            & (Conversation.users == OutboundMessage.target_id),
        )
        .outerjoin(
            ConversationPace,
            (ConversationPace.team_id == OutboundMessage.team_id)
            & (ConversationPace.target == OutboundMessage.target_id),
        )
        .where(
            OutboundMessage.not_before <= now,
            ConversationPace.free_at.is_(None)
            | (ConversationPace.free_at <= bindparam("free_before")),
            status,
            *_not_paused(wall),
            _ahead_in_its_conversation(now, wall).is_(None),
        )
        .order_by(OutboundMessage.not_before, OutboundMessage.id)
        .limit(1)
    )
    return query.with_for_update(skip_locked=True, of=OutboundMessage) if for_update else query


def _ahead_in_its_conversation(now: Any, wall: Any) -> ScalarSelect[Any]:
    """A row of the same conversation that goes first (its id, as a scalar subquery: never
    turned into a join over every pending row): one another lane is sending (of any
    worker), or one due earlier. Each lane takes only a conversation's first due message, so
    a DM is opened and looked in once, and one person's messages arrive in order. Lanes
    claiming at the same moment see each other's first rows as pending (and skip them while
    locked), never a later one as free."""
    other = aliased(OutboundMessage)
    claimable = (other.status == "pending") | (
        (other.status == "sending") & (other.lease_until <= wall)
    )
    earlier = (other.not_before < OutboundMessage.not_before) | (
        (other.not_before == OutboundMessage.not_before) & (other.id < OutboundMessage.id)
    )
    return (
        select(other.id)
        .where(
            other.team_id == OutboundMessage.team_id,
            other.target_id == OutboundMessage.target_id,
            other.status.in_(("pending", "sending")),
            other.id != OutboundMessage.id,
            ((other.status == "sending") & (other.lease_until > wall))
            | (claimable & (other.not_before <= now) & earlier),
        )
        .limit(1)
        .scalar_subquery()
    )


def _not_paused(wall: Any) -> tuple[Any, ...]:
    """Conditions leaving out rows whose next call Slack has paused for their workspace."""
    is_dm = OutboundMessage.target_kind != "channel"
    unsure = OutboundMessage.outcome_unknown | (OutboundMessage.status == "sending")
    return (
        OutboundMessage.team_id.not_in(paused_teams("chat.postMessage", wall)),
        ~(
            is_dm
            & Conversation.channel_id.is_(None)
            & OutboundMessage.team_id.in_(paused_teams("conversations.open", wall))
        ),
        ~(unsure & OutboundMessage.team_id.in_(paused_teams("conversations.history", wall))),
    )


def _hours(session: Session, rows: list[OutboundMessage]) -> dict[tuple[str, str], Any]:
    """Each DM reader's availability, read for all the rows at once."""
    recipients: dict[str, set[str]] = {}
    for row in rows:
        if row.target_kind != "channel":
            recipients.setdefault(row.team_id, set()).update(row.target_id.split(","))
    return {
        (team_id, user_id): found
        for team_id, user_ids in recipients.items()
        for user_id, found in availabilities_for(
            session, team_id=team_id, user_ids=user_ids
        ).items()
    }


def _snapshot(row: OutboundMessage, channel: str | None, free_at: datetime | None) -> Claimed:
    assert row.lease_until is not None
    return Claimed(
        id=row.id,
        team_id=row.team_id,
        dedupe_key=row.dedupe_key,
        target_kind=row.target_kind,
        target_id=row.target_id,
        payload=row.payload,
        outcome_unknown=row.outcome_unknown,
        attempts=row.attempts,
        lease_until=row.lease_until,
        channel=channel,
        first_attempt_at=row.first_attempt_at,
        lookups=row.lookups,
        free_at=free_at,
    )


def _expire(row: OutboundMessage, allowed: datetime) -> None:
    """End a message that can no longer arrive before the moment it is for."""
    row.status = "expired"
    row.last_error = EXPIRED
    log.info(
        "%s expired: it was for %s, and the earliest it could reach %s is %s",
        row.dedupe_key,
        row.expires_at.isoformat() if row.expires_at else "?",
        row.target_id,
        allowed.isoformat(),
    )


def record_outcome(session: Session, claim: Claimed, changes: dict[str, Any]) -> bool:
    """Write a claimed row's outcome unless its claim was taken over meanwhile (its lease ran
    out and another sender holds the row now: that sender's record stands)."""
    result = session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.id == claim.id,
            OutboundMessage.status == "sending",
            OutboundMessage.lease_until == claim.lease_until,
        )
        .values(lease_until=None, **changes)
    )
    written = getattr(result, "rowcount", 0) == 1
    if not written:
        log.warning("%s: outcome not recorded, its claim was taken over", claim.dedupe_key)
    return written


def release_abandoned_claims(session: Session, *, wall: datetime) -> int:
    """End every running claim now; only for a sole sender starting up (SQLite deployments).

    With one worker, a claim found at start-up belongs to a predecessor that died; its rows
    are checked in Slack and sent by the next drain instead of waiting for the lease.
    """
    result = session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.status == "sending", OutboundMessage.lease_until > wall)
        .values(lease_until=wall)
    )
    return int(getattr(result, "rowcount", 0) or 0)
