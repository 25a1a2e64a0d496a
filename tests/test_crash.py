"""A worker killed mid-delivery loses nothing and sends nothing twice once restarted."""

from __future__ import annotations

import os
import signal
import subprocess
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from mentorbot.bot.db import make_engine, make_sessionmaker, unit_of_work
from mentorbot.bot.migrate import upgrade
from mentorbot.bot.models import OutboundMessage
from mentorbot.bot.outbox import enqueue
from mentorbot.bot.timeutil import utcnow
from mentorbot.standin import SlackStandin
from tests.factories import TEAM
from tests.processes import COMMAND, bot_env, running, wait_for

MESSAGES = 500
CHANNEL = "C0COHORT"


def _sent_count(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(OutboundMessage)
                    .where(OutboundMessage.status == "sent")
                )
                or 0
            )
    finally:
        engine.dispose()


def _claims_running(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(OutboundMessage)
                    .where(
                        OutboundMessage.status == "sending",
                        OutboundMessage.lease_until > utcnow(),
                    )
                )
                or 0
            )
    finally:
        engine.dispose()


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
                    target_id=CHANNEL,
                    payload={"text": f"message {n}"},
                    not_before=now,
                    now=now,
                )
    finally:
        engine.dispose()
    # A short lease, so the dead worker's claims lapse soon; long enough that the restarted
    # worker finishes a batch of 50 sends inside its own lease even on a busy machine (else
    # it leaves the rest to its next tick, a minute later).
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

    texts = Counter(message["text"] for message in standin.messages_in(CHANNEL))
    assert len(texts) == MESSAGES  # nothing lost
    assert max(texts.values()) == 1  # nothing twice
