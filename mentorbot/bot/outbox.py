"""The outbox: services enqueue what the bot will say; the sender (`bot/delivery/`) delivers
it once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.orm import Session

from mentorbot.bot.db import dialect_insert
from mentorbot.bot.message_kinds import Kind, MessageKey
from mentorbot.bot.models import OutboundMessage, Pair, Workspace

# Rows per INSERT statement (SQLite allows 32,766 bound values; a row has 17).
ENQUEUE_CHUNK = 500

log = logging.getLogger(__name__)

# Why a message was withdrawn when its workspace uninstalled mentorbot (or revoked its token).
UNINSTALLED = "workspace_uninstalled"
# Why a message ended "expired": its moment came before it could be delivered, either while
# it waited (downtime, retries) or because its reader's working hours only begin after it.
EXPIRED = "expired"
# Why a message ended "unknown": it may have arrived, and Slack's history could not tell, so
# it is not sent again (see `delivery.history`).
UNCONFIRMED = "delivery_unknown"

# A DM to one person, a post in a channel, or a group DM ("U1,U2": first is the main reader).
TargetKind = Literal["user", "channel", "group"]
# A message already sent, to update: its reader, channel and ts, and how it reads now (in
# that reader's language).
Copy = tuple[str, str, str, Any]


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
    insert = dialect_insert(session)
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


def restate_waiting(
    session: Session, where: tuple[ColumnElement[bool], ...], shown: Callable[[str], Any]
) -> None:
    """Rewrite the copies of a message not sent yet (the rows `where` picks) as each one's
    reader should now read it: `shown(reader)`, in that reader's language."""
    waiting = session.execute(
        select(OutboundMessage.id, OutboundMessage.target_id).where(
            *where, OutboundMessage.status == "pending"
        )
    ).all()
    for row_id, reader in waiting:
        session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.id == row_id)
            .values(payload=shown(reader))
            .execution_options(synchronize_session=False)
        )


def sent_copies(
    session: Session, where: tuple[ColumnElement[bool], ...], shown: Callable[[str], Any]
) -> list[Copy]:
    """The copies of a message already in Slack (the rows `where` picks), each with how
    its reader should now read it (`shown(reader)`), to update them."""
    rows = session.execute(
        select(
            OutboundMessage.target_id, OutboundMessage.slack_channel, OutboundMessage.slack_ts
        ).where(
            *where,
            OutboundMessage.status == "sent",
            OutboundMessage.slack_channel.is_not(None),
            OutboundMessage.slack_ts.is_not(None),
        )
    ).all()
    return [
        (user, channel, ts, shown(user))
        for user, channel, ts in sorted((str(u), str(c), str(t)) for u, c, t in rows)
    ]
