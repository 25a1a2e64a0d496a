"""The tick: producers enqueue due work once; the sender delivers it with its dedupe key."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.db import unit_of_work
from mentorbot.bot.models import OutboundMessage
from mentorbot.bot.outbox import enqueue
from mentorbot.bot.tick import TICK_LOCK, TICK_LOCK_KEYS, run_tick
from mentorbot.runtime import Runtime
from mentorbot.standin import SlackStandin
from tests.factories import TEAM, seed_pair

MEETING = datetime(2027, 3, 9, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo


def test_enqueue_is_a_no_op_for_a_known_key(sessions: sessionmaker[Session]) -> None:
    now = datetime(2027, 3, 1, tzinfo=UTC)

    def queue(session: Session, team_id: str, text: str) -> bool:
        return enqueue(
            session,
            team_id=team_id,
            dedupe_key="k1",
            target_kind="user",
            target_id="U1",
            payload={"text": text},
            not_before=now,
            now=now,
        )

    with unit_of_work(sessions) as session:
        first = queue(session, TEAM, "one")
        second = queue(session, TEAM, "two")
        other_team = queue(session, "T0OTHER", "x")
    assert (first, second, other_team) == (True, False, True)
    with sessions() as session:
        rows = session.scalars(select(OutboundMessage).where(OutboundMessage.team_id == TEAM)).all()
    assert [row.payload["text"] for row in rows] == ["one"]


def test_meeting_prompt_reaches_the_mentor_once_in_their_time_zone(
    runtime: Runtime, standin: SlackStandin
) -> None:
    standin.add_user("U0MENTOR", "kenji", tz="Asia/Tokyo")
    standin.add_user("U0MENTEE", "maria", tz="America/New_York")
    seed_pair(
        runtime.sessions,
        now=MEETING - timedelta(days=3),
        meeting_at=MEETING,
        mentor_tz="Asia/Tokyo",
    )

    too_early = run_tick(runtime.sessions, runtime.client, MEETING - timedelta(hours=25))
    assert too_early.delivery.sent == 0
    due = run_tick(runtime.sessions, runtime.client, MEETING - timedelta(hours=23))
    again = run_tick(runtime.sessions, runtime.client, MEETING - timedelta(hours=22))
    assert (due.delivery.sent, again.delivery.sent) == (1, 0)

    posts = standin.calls_to("chat.postMessage")
    assert len(posts) == 1
    opened = standin.calls_to("conversations.open")
    assert opened[0].args["users"] == "U0MENTOR"
    assert posts[0].args["channel"] == standin.dm_channel_for("U0MENTOR")
    text = posts[0].args["text"]
    assert "Tuesday 9 March 2027 at 10:00 JST" in text
    metadata = posts[0].args["metadata"]
    metadata = json.loads(metadata) if isinstance(metadata, str) else metadata
    assert metadata["event_type"] == "mentorbot_delivery"
    assert metadata["event_payload"]["dedupe_key"].startswith("prompt:pair")

    with runtime.sessions() as session:
        row = session.scalars(
            select(OutboundMessage).where(OutboundMessage.dedupe_key.startswith("prompt:"))
        ).one()
    delivered = standin.messages_in(standin.dm_channel_for("U0MENTOR"))
    assert row.status == "sent" and row.slack_ts == delivered[0]["ts"]


def test_one_tick_at_a_time_across_processes(runtime: Runtime, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the tick lock is PostgreSQL's; SQLite deployments run one worker")
    engine = runtime.engine
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as other_worker:
        other_worker.execute(text(f"SELECT pg_advisory_lock{TICK_LOCK_KEYS}"), {"k": TICK_LOCK})
        busy = run_tick(runtime.sessions, runtime.client, MEETING)
        other_worker.execute(text(f"SELECT pg_advisory_unlock{TICK_LOCK_KEYS}"), {"k": TICK_LOCK})
    free = run_tick(runtime.sessions, runtime.client, MEETING)
    assert busy.skipped and "producing skipped, another tick is running" in busy.line()
    assert not free.skipped
