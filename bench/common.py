"""Shared set-up for the benchmarks: databases to measure on, and a Slack-timing client."""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from sqlalchemy import create_engine, insert, text

from mentorbot.bot.db import make_engine, make_sessionmaker, unit_of_work
from mentorbot.bot.migrate import upgrade
from mentorbot.bot.models import Cohort, Member, Pair
from mentorbot.bot.services.workspaces import ensure_workspace
from mentorbot.bot.settings import Settings
from mentorbot.bot.timeutil import utcnow
from mentorbot.standin import SlackStandin
from mentorbot.standin.transport import StandinHTTPServer

T = TypeVar("T")
TEAM = "T0BENCH"
# Every hour of every day is a working hour: the benchmarks measure work, not waiting.
ALL_HOURS = {"timezone": "UTC", "working_hours": "00:00-24:00", "workdays": list(range(7))}


class TimedClient(WebClient):
    """A WebClient that adds up the time spent waiting for Slack (the stand-in here)."""

    slack_seconds = 0.0

    def api_call(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        started = time.perf_counter()
        try:
            return super().api_call(*args, **kwargs)
        finally:
            self.slack_seconds += time.perf_counter() - started


def timed_client(api_url: str) -> TimedClient:
    """A client like the bot's (429s retried inside a call) that times Slack."""
    return TimedClient(
        token="xoxb-bench",
        base_url=api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=3)],
    )


class StandinProcess:
    """The Slack stand-in in a process of its own, so its work does not share a GIL with the
    code measured (in-process, its threads stole time from the tick between calls).

    Use as a context manager; `api_url` is its Web API URL. `setup`, if given, runs on the
    stand-in in its process before the first call (rate limits, installs...) and its result
    is `prepared`; `ask(question)` runs `question(standin)` there and returns the answer
    (both must pickle: module-level functions, or partials of them). `backlog` enlarges
    its listen queue (Python's default is 5) for many concurrent callers. `violations`
    counts contract violations once it has stopped.
    """

    def __init__(
        self,
        users: Sequence[tuple[str, str]] = (),
        *,
        setup: Callable[[SlackStandin], Any] | None = None,
        backlog: int | None = None,
    ) -> None:
        self._users = list(users)
        self._setup = setup
        self._backlog = backlog
        self.api_url = ""
        self.prepared: Any = None
        self.violations = 0

    def __enter__(self) -> StandinProcess:
        context = multiprocessing.get_context("fork")
        self._pipe, child = context.Pipe()
        self._process = context.Process(
            target=_serve_standin, args=(child, self._users, self._setup, self._backlog)
        )
        self._process.start()
        self.api_url, self.prepared = self._pipe.recv()
        return self

    def ask(self, question: Callable[[SlackStandin], T]) -> T:
        """Run `question` on the stand-in in its process; return its answer."""
        self._pipe.send(question)
        answer: T = self._pipe.recv()
        return answer

    def __exit__(self, *_exc: object) -> None:
        self._pipe.send(None)
        self.violations = self._pipe.recv()
        self._process.join()


def _serve_standin(
    pipe: Connection,
    users: list[tuple[str, str]],
    setup: Callable[[SlackStandin], Any] | None,
    backlog: int | None,
) -> None:
    if backlog:
        StandinHTTPServer.request_queue_size = backlog
    with SlackStandin(team_id=TEAM) as standin:
        for user_id, name in users:
            standin.add_user(user_id, name, tz="UTC")
        prepared = setup(standin) if setup else None
        pipe.send((standin.api_url, prepared))
        while (question := pipe.recv()) is not None:
            pipe.send(question(standin))
        pipe.send(len(standin.violations))


def databases() -> Iterator[tuple[str, str]]:
    """Yield (name, URL) for SQLite, and PostgreSQL when MENTORBOT_BENCH_DATABASE_URL is set.

    On PostgreSQL each benchmark gets a fresh schema, dropped afterwards.
    """
    for kind in database_kinds():
        with scratch_database(kind) as url:
            yield kind, url


def database_kinds() -> list[str]:
    """The databases to measure on: SQLite, and PostgreSQL when
    MENTORBOT_BENCH_DATABASE_URL is set (saying so when it is not)."""
    if os.environ.get("MENTORBOT_BENCH_DATABASE_URL"):
        return ["SQLite", "PostgreSQL"]
    print("(PostgreSQL skipped: set MENTORBOT_BENCH_DATABASE_URL=postgresql://... to add it)")
    return ["SQLite"]


@contextmanager
def scratch_database(kind: str) -> Iterator[str]:
    """The URL of a new, empty database of a kind (a SQLite file, or a PostgreSQL schema in
    MENTORBOT_BENCH_DATABASE_URL), removed when the block ends."""
    if kind == "SQLite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    url = os.environ["MENTORBOT_BENCH_DATABASE_URL"]
    base = Settings.from_env({"MENTORBOT_DATABASE_URL": url}).database_url
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def seed_programme(
    url: str,
    pairs: int,
    *,
    meeting_after: Callable[[int], timedelta],
    analyze: bool = False,
) -> None:
    """Migrate; a workspace, a running weekly cohort and `pairs` active pairs UM<n> → UE<n>,
    pair n meeting `meeting_after(n)` from now (prompted a day before)."""
    engine = make_engine(url)
    upgrade(engine)
    now = utcnow()
    with unit_of_work(make_sessionmaker(engine)) as session:
        ensure_workspace(
            session, team_id=TEAM, name="bench", bot_user_id=None, defaults=ALL_HOURS, now=now
        )
        cohort = Cohort(
            team_id=TEAM,
            name="Bench",
            channel_id="C0BENCH",
            starts_on=now.date(),
            ends_on=now.date() + timedelta(weeks=12),
            cadence="weekly",
            phase="active",
        )
        session.add(cohort)
        session.flush()
        cohort_id = cohort.id
    chunk = 10_000
    with engine.begin() as connection:
        for first in range(0, pairs, chunk):
            ids = range(first, min(first + chunk, pairs))
            connection.execute(
                insert(Member),
                [member_row(f"U{role}{n}", f"{role} {n}", now) for n in ids for role in ("M", "E")],
            )
            connection.execute(insert(Pair), [_pair(n, cohort_id, now, meeting_after) for n in ids])
    if analyze:
        # Fresh statistics, as autovacuum (PostgreSQL) or a long-running database would have.
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    engine.dispose()


def member_row(user_id: str, name: str, now: datetime, *, team_id: str = TEAM) -> dict[str, Any]:
    """A member of the bench workspace (or another) in UTC, profile fresh: for a bulk insert."""
    return {
        "team_id": team_id,
        "user_id": user_id,
        "name": name,
        "tz": "UTC",
        "is_coordinator": False,
        "is_bot": False,
        "deleted": False,
        "profile_refreshed_at": now,
        "created_at": now,
    }


def _pair(
    n: int, cohort_id: int, now: datetime, meeting_after: Callable[[int], timedelta]
) -> dict[str, Any]:
    meeting = now + meeting_after(n)
    return {
        "team_id": TEAM,
        "cohort_id": cohort_id,
        "mentor_id": f"UM{n}",
        "mentee_id": f"UE{n}",
        "cadence": "weekly",
        "status": "active",
        "next_meeting_at": meeting,
        "prompt_at": meeting - timedelta(hours=24),
        "quiet_since": now,
        "nudge_at": now + timedelta(days=10),
        "escalate_at": now + timedelta(days=17),
        "created_at": now,
    }
