"""Slack's pace: about one post a second per conversation, and a workspace's pauses.

Two kinds of waiting, both kept in the database for every lane of every worker, and both in
real time (Slack's clock, not the programme's `now`):

- `conversation_pace` rows: when a conversation (a channel, or a DM's readers) may have its
  next post, as Slack asks of chat.postMessage: one a second, with short bursts
  (`PostRate`, a generic cell rate algorithm: one moment per conversation). A lane
  claims only messages whose conversation is free, and sends something else meanwhile.
- `slack_pause` rows: until when a workspace's calls of one method wait. A 429 sets one from
  its Retry-After; looking in a conversation's history sets one after each look, since Slack
  allows that rarely.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from mentorbot.bot.db import dialect_insert
from mentorbot.bot.models import ConversationPace, OutboundMessage, SlackPause

# Slack's guidance for chat.postMessage: about one message a second per conversation,
# with short bursts allowed.
POSTS_PER_SECOND = 1.0
BURST = 3
# A post waits this much past its conversation's moment: Slack counts a post when it
# arrives, and one call's way there may be quicker than the one before.
MARGIN = timedelta(milliseconds=50)


def slack_time() -> datetime:
    """Real time now, as Slack counts its pace. (Tests that freeze the programme's clock
    leave this module's alone: tests/conftest.py.)"""
    return datetime.fromtimestamp(time.time(), UTC)


@dataclass(frozen=True)
class PostRate:
    """Posts per conversation: `per_second`, after a burst of `burst` (Slack's guidance when
    not given, read when used). Each conversation keeps one moment, `free_at`: the earliest
    its next post may go; each post moves it on by one interval, and never further back than
    a burst's worth before the post. A post waits `margin` past that moment (`MARGIN` when
    not given)."""

    per_second: float | None = None
    burst: int | None = None
    clock: Callable[[], datetime] = slack_time
    margin: timedelta | None = None

    def _margin(self) -> timedelta:
        return MARGIN if self.margin is None else self.margin

    def _interval(self) -> timedelta:
        return timedelta(seconds=1 / (self.per_second or POSTS_PER_SECOND))

    def _burst(self) -> int:
        return self.burst or BURST

    def free_before(self, at: datetime) -> datetime:
        """A conversation may have a post at `at` when its moment is at or before this."""
        return at - self._margin()

    def took(
        self,
        session: Session,
        *,
        team_id: str,
        target: str,
        free_at: datetime | None,
        at: datetime,
    ) -> None:
        """A post to this conversation went at `at` (its moment was `free_at`): move the
        moment on. Safe without a lock of its own: only the lane holding the conversation's
        one claim calls it, as it records the outcome (sender._Drain)."""
        interval = self._interval()
        earliest = at - (self._burst() - 1) * interval
        moved = max(free_at or earliest, earliest) + interval
        insert = dialect_insert(session)
        statement = insert(ConversationPace).values(team_id=team_id, target=target, free_at=moved)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[ConversationPace.team_id, ConversationPace.target],
                set_={"free_at": moved},
            )
        )


def next_free_conversation(
    session: Session, *, now: datetime, at: datetime, rate: PostRate
) -> datetime | None:
    """When the first conversation waiting for its pace, with a message due, is free."""
    free_at = session.scalar(
        select(ConversationPace.free_at)
        .join(
            OutboundMessage,
            (OutboundMessage.team_id == ConversationPace.team_id)
            & (OutboundMessage.target_id == ConversationPace.target),
        )
        .where(
            ConversationPace.free_at > rate.free_before(at),
            OutboundMessage.status == "pending",
            OutboundMessage.not_before <= now,
        )
        .order_by(ConversationPace.free_at)
        .limit(1)
    )
    return None if free_at is None else free_at + rate._margin()


def paused_teams(method: str, wall: datetime) -> Select[Any]:
    """The workspaces whose calls of `method` wait at `wall`, as a subquery."""
    return select(SlackPause.team_id).where(SlackPause.method == method, SlackPause.until > wall)


def pause(session: Session, *, team_id: str, method: str, until: datetime) -> None:
    """Make every sender wait until `until` before calling `method` for this workspace (a
    later pause already set stands)."""
    insert = dialect_insert(session)
    statement = insert(SlackPause).values(team_id=team_id, method=method, until=until)
    statement = statement.on_conflict_do_update(
        index_elements=[SlackPause.team_id, SlackPause.method],
        set_={"until": until},
        where=SlackPause.until < until,
    )
    session.execute(statement)


def retry_after(seconds: object, *, default: int = 1) -> timedelta:
    """A Retry-After header's wait, at least a second."""
    text = str(seconds or "").strip()
    return timedelta(seconds=max(1, int(text)) if text.isdigit() else default)
