"""The outbox: services enqueue what the bot will say; the sender delivers it once."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from mentorbot.bot.models import OutboundMessage

TargetKind = Literal["user", "channel"]


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
) -> bool:
    """Queue a message; True if queued, False if this dedupe key was queued before (a no-op)."""
    values = {
        "team_id": team_id,
        "dedupe_key": dedupe_key,
        "target_kind": target_kind,
        "target_id": target_id,
        "payload": payload,
        "not_before": not_before,
        "status": "pending",
        "attempts": 0,
        "created_at": now,
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(OutboundMessage)
        .values(values)
        .on_conflict_do_nothing()
        .returning(OutboundMessage.id)
    )
    # RETURNING yields the new id, or nothing when the key existed (rowcount is unreliable).
    return session.execute(statement).scalar() is not None
