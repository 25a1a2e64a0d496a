"""The outbox: services enqueue what the bot will say; the sender delivers it once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from mentorbot.bot.message_kinds import Kind, MessageKey
from mentorbot.bot.models import Member, OutboundMessage, Pair, Workspace
from mentorbot.bot.services.workspaces import availabilities_for
from mentorbot.bot.working_hours import next_allowed_for_all

# Rows per INSERT statement (SQLite allows 32,766 bound values; a row has 17).
ENQUEUE_CHUNK = 500
# A cached Slack profile (time zone, name) older than this is fetched again before a DM.
PROFILE_MAX_AGE = timedelta(days=7)

log = logging.getLogger(__name__)

# Why a message was withdrawn when its workspace uninstalled mentorbot (or revoked its token).
UNINSTALLED = "workspace_uninstalled"
# Why a message ended "expired": its moment came before it could be delivered, either while
# it waited (downtime, retries) or because its reader's working hours only begin after it.
EXPIRED = "expired"

# A DM to one person, a post in a channel, or a group DM ("U1,U2": first is the main reader).
TargetKind = Literal["user", "channel", "group"]


@dataclass(frozen=True)
class Outgoing:
    """A message a service wants sent: to a user (a DM) or a channel, not before a moment,
    and, when it is about a moment (a meeting, a due date, a survey's close), not from that
    moment on (`expires_at`).

    Its key comes from `message_kinds`, with the typed columns stored beside it; a bare
    string key (tests, tools) stores none of them.
    """

    team_id: str
    dedupe_key: str
    target_kind: TargetKind
    target_id: str
    payload: dict[str, Any]
    not_before: datetime
    expires_at: datetime | None = None


def enqueue(
    session: Session,
    *,
    team_id: str,
    dedupe_key: str,
    target_kind: TargetKind,
    target_id: str,
    payload: dict[str, Any],
    not_before: datetime,
    now: datetime,
    expires_at: datetime | None = None,
) -> bool:
    """Queue a message; True if queued, False if this dedupe key was queued before (a no-op)."""
    message = Outgoing(team_id, dedupe_key, target_kind, target_id, payload, not_before, expires_at)
    return enqueue_many(session, [message], now=now) == 1


def enqueue_many(session: Session, messages: list[Outgoing], *, now: datetime) -> int:
    """Queue several messages in one statement; returns how many were new (known keys are
    no-ops)."""
    gone = _uninstalled(session, {m.team_id for m in messages})
    if gone:
        # A workspace that uninstalled mentorbot hears nothing more from it.
        messages = [m for m in messages if m.team_id not in gone]
    if not messages:
        return 0
    rows = [
        {
            "team_id": m.team_id,
            **_key_columns(m.dedupe_key),
            "target_kind": m.target_kind,
            "target_id": m.target_id,
            "payload": m.payload,
            "not_before": m.not_before,
            "expires_at": m.expires_at,
            "status": "pending",
            "attempts": 0,
            "outcome_unknown": False,
            "created_at": now,
        }
        for m in messages
    ]
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # One compiled statement, executed with many parameter sets: SQLAlchemy batches them
    # into multi-row INSERTs ("insertmanyvalues"). RETURNING lists the new rows only
    # (rowcount is unreliable with ON CONFLICT). Core, not the ORM: producers enqueue in bulk.
    statement = insert(OutboundMessage).on_conflict_do_nothing().returning(OutboundMessage.id)
    connection = session.connection()
    queued = 0
    for first in range(0, len(rows), ENQUEUE_CHUNK):
        queued += len(connection.execute(statement, rows[first : first + ENQUEUE_CHUNK]).all())
    return queued


def _key_columns(key: str) -> dict[str, Any]:
    """The dedupe key and the typed columns that go with it (none for a plain string)."""
    if not isinstance(key, MessageKey):
        key = MessageKey(key)
    return {
        "dedupe_key": key.text,
        "kind": key.kind,
        "pair_id": key.pair_id,
        "cohort_id": key.cohort_id,
        "concern_id": key.concern_id,
        "about_user_id": key.about_user_id,
        "quotes_words": key.quotes_words,
    }


def _uninstalled(session: Session, team_ids: set[str]) -> set[str]:
    """Which of these workspaces have uninstalled mentorbot."""
    if not team_ids:
        return set()
    return set(
        session.scalars(
            select(Workspace.team_id).where(
                Workspace.team_id.in_(team_ids), Workspace.uninstalled_at.is_not(None)
            )
        )
    )


def cancel_all_queued(session: Session, *, team_id: str, reason: str) -> int:
    """Withdraw every message of a workspace not sent yet; returns how many."""
    return int(
        session.execute(  # type: ignore[attr-defined]
            update(OutboundMessage)
            .where(OutboundMessage.team_id == team_id, OutboundMessage.status == "pending")
            .values(status="cancelled", last_error=reason)
        ).rowcount
    )


def cancel_queued(session: Session, *, team_id: str, pair_id: int, kinds: tuple[Kind, ...]) -> None:
    """Withdraw a pair's messages of these kinds not sent yet.

    A message never tried is deleted, so its key is free again: a meeting moved away and
    back, or a pause ended early, gets its prompt after all. One that was tried and may have
    reached Slack is kept, marked cancelled.
    """
    pending = (
        OutboundMessage.team_id == team_id,
        OutboundMessage.status == "pending",
        OutboundMessage.pair_id == pair_id,
        OutboundMessage.kind.in_(kinds),
    )
    untried = (OutboundMessage.attempts == 0, OutboundMessage.outcome_unknown.is_(False))
    session.execute(delete(OutboundMessage).where(*pending, *untried))
    session.execute(
        update(OutboundMessage)
        .where(*pending)
        .values(status="cancelled", last_error="no longer needed")
    )


def to_pair(
    pair: Pair,
    dedupe_key: MessageKey,
    payload: dict[str, object],
    now: datetime,
    *,
    expires_at: datetime | None = None,
) -> Outgoing:
    """A message to the pair's group DM (mentee first: their hours come first)."""
    return Outgoing(
        team_id=pair.team_id,
        dedupe_key=dedupe_key,
        target_kind="group",
        target_id=f"{pair.mentee_id},{pair.mentor_id}",
        payload=payload,
        not_before=now,
        expires_at=expires_at,
    )


# -- the sender's side: claiming due rows and recording outcomes ------------------------------

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


def due_recipients(session: Session, *, now: datetime, limit: int) -> list[tuple[str, str]]:
    """(team_id, user_id) of people with DMs due now, whose cached profile is missing or old."""
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
            | (Member.profile_refreshed_at < stale_before),
        )
        .distinct()
        .limit(limit)
    )
    return [(team_id, user_id) for team_id, user_id in rows]


def claim_due(
    session: Session,
    *,
    now: datetime,
    wall: datetime,
    limit: int,
    lease: timedelta = DEFAULT_LEASE,
) -> tuple[list[Claimed], int, int]:
    """Claim among up to `limit` due rows: pending ones, and abandoned claims whose lease ran out.

    Returns the claims, how many rows were looked at (held DMs are looked at, not claimed)
    and how many of them expired.

    A DM due outside its recipient's working hours is not claimed but moved to their next
    allowed moment, unless that moment is past the message's expiry: then, like a message
    whose expiry has passed while it waited, it ends "expired", never delivered late. On
    PostgreSQL, rows another sender is claiming are skipped, not waited for.
    """
    query = (
        select(OutboundMessage)
        .where(
            OutboundMessage.not_before <= now,
            (OutboundMessage.status == "pending")
            | ((OutboundMessage.status == "sending") & (OutboundMessage.lease_until <= wall)),
        )
        .order_by(OutboundMessage.not_before, OutboundMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claimed = []
    expired = 0
    rows = list(session.scalars(query))
    recipients: dict[str, set[str]] = {}
    for row in rows:
        if row.target_kind != "channel":
            recipients.setdefault(row.team_id, set()).update(row.target_id.split(","))
    hours = {
        (team_id, user_id): found
        for team_id, user_ids in recipients.items()
        for user_id, found in availabilities_for(
            session, team_id=team_id, user_ids=user_ids
        ).items()
    }
    for row in rows:
        allowed = now
        if row.target_kind != "channel":
            people = [hours[(row.team_id, user_id)] for user_id in row.target_id.split(",")]
            allowed = next_allowed_for_all(people, now)
        # An abandoned claim past its expiry ends too: a late second attempt is worse than
        # none, even if the first never arrived.
        if row.expires_at is not None and allowed >= row.expires_at:
            _expire(row, allowed)
            expired += 1
            continue
        if allowed > now:
            row.not_before = allowed
            continue
        if row.status == "sending":  # its sender vanished mid-way: it may have reached Slack
            row.outcome_unknown = True
        row.status = "sending"
        row.lease_until = wall + lease
        claimed.append(
            Claimed(
                id=row.id,
                team_id=row.team_id,
                dedupe_key=row.dedupe_key,
                target_kind=row.target_kind,
                target_id=row.target_id,
                payload=row.payload,
                outcome_unknown=row.outcome_unknown,
                attempts=row.attempts,
                lease_until=row.lease_until,
            )
        )
    return claimed, len(rows), expired


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


def record_outcomes(session: Session, outcomes: list[tuple[Claimed, dict[str, Any]]]) -> list[bool]:
    """Write claimed rows' outcomes, each unless its claim was taken over meanwhile.

    Outcomes with the same columns go in one executemany; returns, per outcome, whether it
    was written.
    """
    written = [False] * len(outcomes)
    groups: dict[tuple[str, ...], list[int]] = {}
    for index, (_claim, changes) in enumerate(outcomes):
        groups.setdefault(tuple(sorted(changes)), []).append(index)
    connection = session.connection()
    for columns, indexes in groups.items():
        statement = (
            update(OutboundMessage)
            .where(
                OutboundMessage.id == bindparam("w_id"),
                OutboundMessage.status == "sending",
                OutboundMessage.lease_until == bindparam("w_lease"),
            )
            .values(lease_until=None, **{column: bindparam(f"v_{column}") for column in columns})
        )
        params = [
            {
                "w_id": outcomes[i][0].id,
                "w_lease": outcomes[i][0].lease_until,
                **{f"v_{column}": value for column, value in outcomes[i][1].items()},
            }
            for i in indexes
        ]
        result = connection.execute(statement, params)
        if getattr(result, "rowcount", -1) == len(indexes):
            for i in indexes:
                written[i] = True
        else:  # rare: a claim ran out and another sender took the row over; its record stands
            log.warning("%d outcome(s) not recorded: their claims were taken over", len(indexes))
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
