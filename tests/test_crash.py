"""A worker killed mid-delivery loses nothing and sends nothing twice once restarted."""

from __future__ import annotations

import os
import signal
import subprocess
from collections import Counter
from datetime import timedelta

from mentorbot.bot.db import make_engine, make_sessionmaker, unit_of_work
from mentorbot.bot.migrate import upgrade
from mentorbot.bot.models import OutboundMessage
from mentorbot.bot.outbox import enqueue
from mentorbot.bot.timeutil import utcnow
from mentorbot.standin import SlackStandin
from tests.factories import TEAM
from tests.processes import COMMAND, bot_env, count_outbox, running, wait_for

MESSAGES = 500
# Two messages a channel: within Slack's burst for one conversation, so pacing adds no wait.
CHANNELS = [f"C0COHORT{n:03d}" for n in range(MESSAGES // 2)]


def _sent_count(database_url: str) -> int:
    return count_outbox(database_url, OutboundMessage.status == "sent")


def _claims_running(database_url: str) -> int:
    return count_outbox(
        database_url,
        OutboundMessage.status == "sending",
        OutboundMessage.lease_until > utcnow(),
    )


def test_sigkill_mid_drain_then_restart_delivers_each_message_once(
    database_url: str, standin: SlackStandin
) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        now = utcnow() - timedelta(minutes=1)
        with unit_of_work(make_sessionmaker(engine)) as session:
            for n in range(MESSAGES):
                enqueue(
                    session,
                    team_id=TEAM,
                    dedupe_key=f"crash:{n}",
                    target_kind="channel",
                    target_id=CHANNELS[n % len(CHANNELS)],
                    payload={"text": f"message {n}"},
                    not_before=now,
                    now=now,
                )
    finally:
        engine.dispose()
    # A short lease, so the dead worker's claims lapse soon (each lane claims one message at
    # a time, so a lease only needs to outlast one send).
    env = bot_env(standin, database_url, MENTORBOT_DELIVERY_LEASE_SECONDS="6")

    def posts() -> int:
        return len(standin.calls_to("chat.postMessage"))

    first = subprocess.Popen(
        [*COMMAND, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(lambda: posts() >= MESSAGES // 4, "the worker to be well into the drain")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    at_kill = posts()
    assert MESSAGES // 4 <= at_kill < MESSAGES, "the kill must land mid-drain"
    # The dead worker's claims run out after their 6 s lease (PostgreSQL cannot know it died;
    # on SQLite the restarted sole worker ends them at once).
    wait_for(lambda: _claims_running(database_url) == 0, "the dead worker's leases to run out")

    with running([*COMMAND, "worker"], env):
        wait_for(lambda: _sent_count(database_url) == MESSAGES, "every message to be sent", 150)

    texts = Counter(
        message["text"] for channel in CHANNELS for message in standin.messages_in(channel)
    )
    assert len(texts) == MESSAGES  # nothing lost
    assert max(texts.values()) == 1  # nothing twice
