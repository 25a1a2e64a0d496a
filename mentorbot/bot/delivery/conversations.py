"""Each DM's and group DM's channel, kept in the database once Slack opened it.

conversations.open is rate-limited far more tightly than posting (Slack's Tier 3), and a
conversation's channel does not change, so it is opened once per person (or group) for every
sender and every restart. A post Slack refuses because the channel is gone clears it, and
the conversation is opened afresh. Claims read the stored channel with the row
(`claims.claim_next`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from mentorbot.bot.db import dialect_insert
from mentorbot.bot.models import Conversation, ConversationPace

# Slack's answers that say a stored conversation is no longer one the bot can post in.
STALE = frozenset({"channel_not_found", "is_archived", "not_in_channel"})


def remember_channel(
    session: Session, *, team_id: str, users: str, channel_id: str, now: datetime
) -> None:
    """Keep the channel Slack gave for these people (one id, or "U1,U2")."""
    insert = dialect_insert(session)
    statement = insert(Conversation).values(
        team_id=team_id, users=users, channel_id=channel_id, opened_at=now
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[Conversation.team_id, Conversation.users],
            set_={"channel_id": channel_id, "opened_at": now},
        )
    )


def forget_channel(session: Session, *, team_id: str, users: str) -> None:
    """Drop a stored channel Slack no longer knows (the next message opens it again)."""
    session.execute(
        delete(Conversation).where(Conversation.team_id == team_id, Conversation.users == users)
    )


def forget_person(session: Session, *, team_id: str, user_id: str) -> int:
    """Drop every stored conversation a person is in, and its pace (their data is being
    deleted)."""
    dropped = 0
    for table, users in (
        (ConversationPace, ConversationPace.target),
        (Conversation, Conversation.users),
    ):
        result = session.execute(
            delete(table).where(
                table.team_id == team_id,
                (users == user_id)
                | users.startswith(f"{user_id},")
                | users.endswith(f",{user_id}")
                | users.contains(f",{user_id},"),
            )
        )
        dropped += int(getattr(result, "rowcount", 0) or 0)
    return dropped
