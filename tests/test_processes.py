"""The long-running processes: the worker and the Procfile's web process, as deployed."""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from mentorbot.bot.db import make_engine, make_sessionmaker
from mentorbot.bot.migrate import upgrade
from mentorbot.bot.models import OutboundMessage
from mentorbot.bot.timeutil import utcnow
from mentorbot.standin import SlackStandin
from tests.factories import seed_pair
from tests.processes import COMMAND, bot_env, free_port, running, wait_for, wait_until_healthy

REPO = Path(__file__).resolve().parents[1]


def _seed_due_prompt(database_url: str, standin: SlackStandin) -> None:
    """A pair meeting in two hours: the mentor's prompt and the mentee's prep are due."""
    standin.add_user("U0MENTOR", "kenji", tz="Asia/Tokyo")
    standin.add_user("U0MENTEE", "maria", tz="America/New_York")
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        now = utcnow()
        seed_pair(make_sessionmaker(engine), now=now, meeting_at=now + timedelta(hours=2))
    finally:
        engine.dispose()


def _statuses(database_url: str) -> list[str]:
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            return list(session.scalars(select(OutboundMessage.status)))
    finally:
        engine.dispose()


def test_worker_ticks_at_start_and_stops_on_sigterm(
    database_url: str, standin: SlackStandin
) -> None:
    _seed_due_prompt(database_url, standin)
    with running([*COMMAND, "worker"], bot_env(standin, database_url)):
        wait_for(lambda: _statuses(database_url) == ["sent", "sent"], "the worker's first tick")
    assert len(standin.calls_to("chat.postMessage")) == 2  # the mentor's prompt, the mentee's prep


def test_run_ticks_in_process_unless_told_not_to(database_url: str, standin: SlackStandin) -> None:
    _seed_due_prompt(database_url, standin)
    port = free_port()
    env = bot_env(standin, database_url)
    with running([*COMMAND, "run", "--no-scheduler", "--port", str(port)], env) as quiet:
        wait_until_healthy(f"http://127.0.0.1:{port}", quiet)
    assert _statuses(database_url) == []  # nothing even queued: no tick ran
    assert standin.calls_to("chat.postMessage") == []

    with running([*COMMAND, "run", "--port", str(port)], env):
        wait_for(
            lambda: _statuses(database_url) == ["sent", "sent"], "the in-process tick to deliver"
        )


def test_procfile_web_process_serves_without_a_scheduler(
    database_url: str, standin: SlackStandin
) -> None:
    _seed_due_prompt(database_url, standin)
    procfile = dict(
        line.split(":", 1) for line in (REPO / "Procfile").read_text().splitlines() if line
    )
    assert set(procfile) == {"release", "web", "worker"}
    assert procfile["worker"].strip() == "mentorbot worker"
    port = free_port()
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    env = bot_env(standin, database_url, PORT=str(port), PATH=path)
    web_command = ["sh", "-c", f"exec {procfile['web'].strip()}"]
    with running(web_command, env, cwd=REPO) as web:
        wait_until_healthy(f"http://127.0.0.1:{port}", web)
    assert standin.calls_to("chat.postMessage") == []  # the web process never ticks
