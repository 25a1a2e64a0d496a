"""The long-running processes: the worker and the Procfile's web process, as deployed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from mentorbot.bot.db import make_engine, make_sessionmaker
from mentorbot.bot.migrate import upgrade
from mentorbot.bot.models import OutboundMessage
from mentorbot.bot.timeutil import utcnow
from mentorbot.standin import SlackStandin
from tests.factories import seed_pair
from tests.test_cli import COMMAND, _env, _free_port, _wait_until_healthy

REPO = Path(__file__).resolve().parents[1]


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)  # polling for another process, not timing a result
    raise AssertionError(f"timed out waiting for {what}")


def _seed_due_prompt(database_url: str, standin: SlackStandin) -> None:
    standin.add_user("U0MENTOR", "kenji", tz="Asia/Tokyo")
    standin.add_user("U0MENTEE", "maria", tz="America/New_York")
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        now = utcnow()
        seed_pair(make_sessionmaker(engine), now=now, meeting_at=now + timedelta(hours=2))
    finally:
        engine.dispose()


def _sent(database_url: str) -> list[str]:
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
    env = _env(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_API_URL=standin.api_url,
        MENTORBOT_DATABASE_URL=database_url,
    )
    worker = subprocess.Popen(
        [*COMMAND, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        _wait_for(lambda: bool(standin.calls_to("chat.postMessage")), "the worker's first tick")
        _wait_for(lambda: _sent(database_url) == ["sent"], "the delivery to be recorded")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        output = worker.stdout.read() if worker.stdout else ""
        if worker.stdout:
            worker.stdout.close()
    assert "worker started" in output
    assert "queued 1, sent 1" in output
    assert len(standin.calls_to("chat.postMessage")) == 1


def test_run_ticks_in_process_unless_told_not_to(database_url: str, standin: SlackStandin) -> None:
    _seed_due_prompt(database_url, standin)
    port = _free_port()
    env = _env(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="s3cret",
        SLACK_API_URL=standin.api_url,
        MENTORBOT_DATABASE_URL=database_url,
    )
    quiet = subprocess.Popen(
        [*COMMAND, "run", "--no-scheduler", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_healthy(f"http://127.0.0.1:{port}", quiet)  # type: ignore[arg-type]
    finally:
        quiet.send_signal(signal.SIGTERM)
        assert quiet.wait(timeout=30) == 0
    assert _sent(database_url) == []  # nothing even queued: no tick ran
    assert standin.calls_to("chat.postMessage") == []

    ticking = subprocess.Popen(
        [*COMMAND, "run", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(lambda: _sent(database_url) == ["sent"], "the in-process tick to deliver")
    finally:
        ticking.send_signal(signal.SIGTERM)
        assert ticking.wait(timeout=30) == 0


def test_procfile_web_process_serves_without_a_scheduler(
    database_url: str, standin: SlackStandin
) -> None:
    _seed_due_prompt(database_url, standin)
    procfile = dict(
        line.split(":", 1) for line in (REPO / "Procfile").read_text().splitlines() if line
    )
    port = _free_port()
    env = _env(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="s3cret",
        SLACK_API_URL=standin.api_url,
        MENTORBOT_DATABASE_URL=database_url,
        PORT=str(port),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    web = subprocess.Popen(
        ["sh", "-c", f"exec {procfile['web'].strip()}"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_healthy(f"http://127.0.0.1:{port}", web)  # type: ignore[arg-type]
    finally:
        web.send_signal(signal.SIGTERM)
        assert web.wait(timeout=30) == 0
    assert standin.calls_to("chat.postMessage") == []  # the web process never ticks
    assert set(procfile) == {"release", "web", "worker"}
    assert procfile["worker"].strip() == "mentorbot worker"
