"""Shared set-up for the benchmarks: databases to measure on, and a Slack-timing client."""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from sqlalchemy import create_engine, text

from mentorbot.bot.settings import Settings


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


def databases() -> Iterator[tuple[str, str]]:
    """Yield (name, URL) for SQLite, and PostgreSQL when MENTORBOT_BENCH_DATABASE_URL is set.

    On PostgreSQL each benchmark gets a fresh schema, dropped afterwards.
    """
    with tempfile.TemporaryDirectory() as folder:
        yield "SQLite", f"sqlite:///{folder}/bench.db"
    url = os.environ.get("MENTORBOT_BENCH_DATABASE_URL")
    if not url:
        print("(PostgreSQL skipped: set MENTORBOT_BENCH_DATABASE_URL=postgresql://... to add it)")
        return
    base = Settings.from_env({"MENTORBOT_DATABASE_URL": url}).database_url
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield "PostgreSQL", f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
