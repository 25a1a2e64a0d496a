"""The long-running processes: the worker and the Procfile's web process, as deployed."""

from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.request import urlopen

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from mentorbot.bot.db import make_engine, make_sessionmaker
from mentorbot.bot.migrate import upgrade
from mentorbot.bot.models import OutboundMessage
from mentorbot.bot.timeutil import utcnow
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.factories import seed_pair
from tests.processes import (
    COMMAND,
    SECRET,
    bot_env,
    free_port,
    running,
    wait_for,
    wait_until_healthy,
)

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


def _scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urlopen(f"{url}/metrics", timeout=10) as response:
        text = response.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_the_procfile_web_process_adds_up_every_gunicorn_worker(
    database_url: str, standin: SlackStandin, tmp_path: Path
) -> None:
    engine = make_engine(database_url)
    upgrade(engine)  # as the Procfile's release step does, before the web process starts
    engine.dispose()
    procfile = dict(
        line.split(":", 1) for line in (REPO / "Procfile").read_text().splitlines() if line
    )
    port = free_port()
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    figures_dir = tmp_path / "metrics"
    env = bot_env(
        standin,
        database_url,
        PORT=str(port),
        PATH=path,
        MENTORBOT_METRICS="on",
        PROMETHEUS_MULTIPROC_DIR=str(figures_dir),
    )
    url = f"http://127.0.0.1:{port}"
    slack = SignedSlackClient(f"{url}/slack/events", SECRET, standin=standin)
    with running(["sh", "-c", f"exec {procfile['web'].strip()}"], env, cwd=REPO) as web:
        wait_until_healthy(url, web)
        with ThreadPoolExecutor(max_workers=8) as pool:  # side by side: both workers answer
            statuses = list(
                pool.map(lambda _: slack.command("/checkin", "help", "U0MENTEE").status, range(40))
            )
        assert statuses == [200] * 40
        scrapes = [_scrape(url) for _ in range(6)]  # whichever worker answers
    key = ("mentorbot_slack_requests_total", (("kind", "command"), ("outcome", "ok")))
    assert [figures[key] for figures in scrapes] == [40.0] * 6
    workers = {path.stem.rsplit("_", 1)[-1] for path in figures_dir.glob("counter_*.db")}
    assert len(workers) == 2


def test_the_worker_serves_its_metrics_on_a_port_of_its_own(
    database_url: str, standin: SlackStandin
) -> None:
    _seed_due_prompt(database_url, standin)
    port = free_port()
    env = bot_env(standin, database_url, MENTORBOT_METRICS="on", MENTORBOT_METRICS_PORT=str(port))
    url = f"http://127.0.0.1:{port}"
    with running([*COMMAND, "worker"], env) as worker:
        wait_until_healthy(url, worker)
        ticked = ("mentorbot_tick_seconds_count", ())
        wait_for(lambda: _scrape(url).get(ticked, 0) >= 1, "the worker's first tick to end")
        figures = _scrape(url)
    assert _statuses(database_url) == ["sent", "sent"]
    assert figures[("mentorbot_sends_total", (("outcome", "sent"),))] == 2
    assert figures[("mentorbot_tick_queued_total", (("producer", "meeting_prompts"),))] == 2
    assert figures[("mentorbot_workspaces_installed", ())] == 1
