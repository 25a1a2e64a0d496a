"""Helpers for tests that run `mentorbot` as a real process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.request import urlopen

from sqlalchemy import ColumnElement, func, select

from mentorbot.bot.db import make_engine, make_sessionmaker
from mentorbot.bot.models import OutboundMessage
from mentorbot.standin import SlackStandin

SCRIPT = Path(sys.executable).parent / "mentorbot"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "mentorbot.cli"]
GUNICORN = [str(Path(sys.executable).parent / "gunicorn")]
SECRET = "s3cret"


def clean_env(**extra: str) -> dict[str, str]:
    """The test's environment without any SLACK_ or MENTORBOT_ setting, plus `extra`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MENTORBOT_"))}
    return {**clean, **extra}


def bot_env(standin: SlackStandin, database_url: str, **extra: str) -> dict[str, str]:
    """Settings for a bot talking to the stand-in on the test database."""
    settings = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": standin.api_url,
        "MENTORBOT_DATABASE_URL": database_url,
        # Real time passes in these processes: let DMs through whatever the day and hour.
        "MENTORBOT_WORKING_HOURS": "00:00-24:00",
        "MENTORBOT_WORKDAYS": "mon-sun",
    }
    return clean_env(**{**settings, **extra})


def mentorbot(
    *args: str, env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run one `mentorbot` command to completion."""
    return subprocess.run(
        [*COMMAND, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def refusing_port() -> Iterator[int]:
    """A loopback port that refuses connections for as long as the block lasts: bound, so no
    other server can take it meanwhile (as one could a free_port()), and never listening."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield int(held.getsockname()[1])


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    """Poll until `condition` holds (another process is working), or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)  # polling another process, not timing a result
    raise AssertionError(f"timed out waiting for {what}")


def healthy(url: str) -> bool:
    """True when GET /healthz answers 200."""
    try:
        with urlopen(f"{url}/healthz", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:  # refused, reset, or no answer yet while the workers start
        return False


@contextmanager
def running(
    args: list[str], env: dict[str, str], cwd: Path | None = None
) -> Iterator[subprocess.Popen[str]]:
    """Start a long-running process; on leaving, SIGTERM it and require a clean exit 0."""
    process = subprocess.Popen(
        args, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        yield process
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
        assert code == 0, f"exit {code}:\n{process.stdout.read() if process.stdout else ''}"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


def wait_until_healthy(url: str, process: subprocess.Popen[str]) -> None:
    """Wait for /healthz; fail early, with the output, if the process died."""

    def up() -> bool:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"the process exited early:\n{output}")
        return healthy(url)

    wait_for(up, f"{url}/healthz to answer 200")


def count_outbox(database_url: str, *conditions: ColumnElement[bool]) -> int:
    """Outbox rows meeting `conditions`, read afresh (other processes are sending)."""
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            query = select(func.count()).select_from(OutboundMessage).where(*conditions)
            return int(session.scalar(query) or 0)
    finally:
        engine.dispose()
