"""Slack's pace: about one post a second per conversation, and a workspace's pauses.

Two kinds of waiting, both in real time (Slack's clock, not the programme's `now`):

- `ConversationPace`, in the process: a token bucket per conversation (a channel, or a DM's
  readers), one post a second with short bursts, as Slack asks of chat.postMessage. A lane
  leaves a conversation that has no token for later and sends something else meanwhile.
- `slack_pause` rows, in the database, seen by every lane of every worker: until when a
  workspace's calls of one method wait. A 429 sets one from its Retry-After; looking in a
  conversation's history sets one after each look, since Slack allows that rarely.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from mentorbot.bot.models import SlackPause

# Slack's guidance for chat.postMessage: about one message a second per conversation,
# with short bursts allowed.
POSTS_PER_SECOND = 1.0
BURST = 3


class ConversationPace:
    """Token buckets per (workspace, conversation), shared by a process's lanes.

    `clock` is monotonic seconds in real time; posting waits for Slack, whatever time the
    programme's tick is about.
    """

    LIMIT = 10_000  # buckets kept; past it, full ones are forgotten

    def __init__(
        self,
        per_second: float | None = None,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._per_second = per_second or POSTS_PER_SECOND
        self._burst = burst or BURST
        self._clock = clock
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}  # tokens, as of
        self._lock = threading.Lock()

    def _tokens(self, key: tuple[str, str], now: float) -> float:
        tokens, then = self._buckets.get(key, (self._burst, now))
        return min(self._burst, tokens + (now - then) * self._per_second)

    def busy(self) -> set[str]:
        """Targets with no post to spare now: a lane claims something else meanwhile."""
        with self._lock:
            now = self._clock()
            return {key[1] for key in self._buckets if self._tokens(key, now) < 1}

    def wait_for(self, team_id: str, target: str) -> float:
        """Take a post for this conversation: 0 when one was there, else the seconds until it
        will be (taken already: the caller waits that long, then posts)."""
        key = (team_id, target)
        with self._lock:
            now = self._clock()
            tokens = self._tokens(key, now) - 1
            self._buckets[key] = (tokens, now)
            if len(self._buckets) > self.LIMIT:
                self._forget_full(now)
        return 0.0 if tokens >= 0 else -tokens / self._per_second

    def next_free_in(self) -> float:
        """Seconds until the busiest conversation has a post to spare (0 when none is busy)."""
        with self._lock:
            now = self._clock()
            lacking = [1 - self._tokens(key, now) for key in self._buckets]
        worst = max((need for need in lacking if need > 0), default=0.0)
        return worst / self._per_second

    def _forget_full(self, now: float) -> None:
        for key in [k for k in self._buckets if self._tokens(k, now) >= self._burst]:
            del self._buckets[key]


def paused_teams(method: str, wall: datetime) -> Select[Any]:
    """The workspaces whose calls of `method` wait at `wall`, as a subquery."""
    return select(SlackPause.team_id).where(SlackPause.method == method, SlackPause.until > wall)


def pause(session: Session, *, team_id: str, method: str, until: datetime) -> None:
    """Make every sender wait until `until` before calling `method` for this workspace (a
    later pause already set stands)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
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
