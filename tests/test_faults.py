"""Fault injection: the database going away, Slack failing in bursts, events repeated and
out of order. Each fault ends with the same checks: nothing lost, nothing done twice.

The database goes away two ways: every connection to the shared test server cut at a proxy
(tests/dbproxy.py), and a PostgreSQL server of the test's own stopped with `pg_ctl stop -m
fast` and started again (tests/pgcluster.py).

Builds on tests/test_crash.py (a sender SIGKILLed mid-drain), tests/test_delivery.py (single
429s, 5xx and the crash window) and tests/test_requests.py (one retried event, a bot with
no database at all).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.app import create_app
from mentorbot.bot.db import make_engine, make_sessionmaker, unit_of_work
from mentorbot.bot.delivery import SendPolicy
from mentorbot.bot.migrate import upgrade
from mentorbot.bot.models import (
    CheckIn,
    Member,
    OutboundMessage,
    Pair,
    ProcessedEvent,
    SlackPause,
)
from mentorbot.bot.outbox import enqueue
from mentorbot.bot.settings import Settings
from mentorbot.bot.tick import TICK_LOCK, TICK_LOCK_KEYS, run_tick
from mentorbot.bot.timeutil import utcnow
from mentorbot.localserver import LocalServer
from mentorbot.runtime import Runtime, build_runtime, identify, record_workspace
from mentorbot.schedules.jobs import tick_job
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.web import WebApp
from tests.conftest import SIGNING_SECRET
from tests.dbproxy import DatabaseProxy, proxied
from tests.factories import TEAM, seed_pair
from tests.pgcluster import PrivateCluster, private_cluster
from tests.processes import COMMAND, bot_env, mentorbot, wait_for

# The issue asks for PostgreSQL to be gone for 30 s. Nothing in mentorbot counts how long an
# outage lasts (no timer, no circuit breaker: every request and tick simply tries the pool,
# whose pre-ping finds dead connections), so a shorter outage exercises the same code: the
# default keeps this file fast in CI. MENTORBOT_FAULT_OUTAGE_SECONDS=30 runs the figure.
OUTAGE_SECONDS = float(os.environ.get("MENTORBOT_FAULT_OUTAGE_SECONDS", "3"))
# While the database is down, traffic goes on at this pace: commands, a DM, a health check, ticks.
ROUND_SECONDS = 0.5
SLACK_DEADLINE = 3.0  # Slack gives up on an acknowledgement after 3 s
MONDAY_9_UTC = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)
DOWN_TEXT = "try again in a minute"


def _dm(text: str, ts: str, user: str = "U0MENTEE") -> dict[str, Any]:
    return {
        "type": "message",
        "channel": f"D{user[1:]}",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
    }


def _checkin_texts(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return sorted(str(c.went_well) for c in session.scalars(select(CheckIn)))


def _health(url: str) -> int:
    try:
        with urlopen(f"{url}/healthz", timeout=5) as response:
            return int(response.status)
    except HTTPError as error:
        return int(error.code)


def _queue_channel_posts(sessions: sessionmaker[Session], count: int, at: datetime) -> None:
    with unit_of_work(sessions) as session:
        for n in range(count):
            enqueue(
                session,
                team_id=TEAM,
                dedupe_key=f"outage:{n}",
                target_kind="channel",
                target_id="C0COHORT",
                payload={"text": f"queued {n}"},
                not_before=at,
                now=at,
            )


# -- the database goes away -------------------------------------------------------------------


class Outage(Protocol):
    """How a test takes the database away and brings it back."""

    def outage(self) -> None: ...

    def recover(self) -> None: ...


class _ServerStopped:
    """The PostgreSQL server itself stopped (`pg_ctl stop -m fast`), then started again."""

    def __init__(self, cluster: PrivateCluster) -> None:
        self._cluster = cluster

    def outage(self) -> None:
        self._cluster.stop()

    def recover(self) -> None:
        self._cluster.start()


@contextmanager
def _served(database_url: str, standin: SlackStandin) -> Iterator[tuple[Runtime, str]]:
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": standin.api_url,
            "MENTORBOT_DATABASE_URL": database_url,
            "MENTORBOT_COORDINATORS": "U0COORD",
        }
    )
    runtime = build_runtime(settings)
    try:
        upgrade(runtime.engine)
        record_workspace(runtime, identify(runtime), utcnow())
        with LocalServer(WebApp(create_app(runtime), runtime)) as server:
            yield runtime, server.url
    finally:
        runtime.close()


@pytest.fixture(params=["connections cut", "server stopped"])
def bot_with_outage(
    request: pytest.FixtureRequest, database_url: str, standin: SlackStandin
) -> Iterator[tuple[Outage, Runtime, str]]:
    """The bot, served on loopback, and a way to take its PostgreSQL away: every connection
    cut and new ones refused at a proxy in front of the shared test server, or a server of
    the test's own stopped outright."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite is a file in the bot's own process: there is no server to lose")
    if request.param == "connections cut":
        with proxied(database_url) as (proxy, url), _served(url, standin) as (runtime, bot):
            yield proxy, runtime, bot
    else:
        with private_cluster() as cluster, _served(cluster.url, standin) as (runtime, bot):
            yield _ServerStopped(cluster), runtime, bot


def test_database_outage_gets_polite_answers_loses_nothing_and_recovers_by_itself(
    bot_with_outage: tuple[Outage, Runtime, str],
    standin: SlackStandin,
    caplog: pytest.LogCaptureFixture,
) -> None:
    database, runtime, url = bot_with_outage
    slack = SignedSlackClient(
        f"{url}/slack/events", SIGNING_SECRET, standin=standin, team_id=TEAM, settle=runtime.settle
    )
    now = utcnow()
    for user in ("U0MENTEE", "U0MENTOR", "U0COORD"):
        standin.add_user(user, user.lower())
    seed_pair(runtime.sessions, now=now)
    before = slack.command("/checkin", "before the outage", user_id="U0MENTEE")
    assert before.status == 200 and DOWN_TEXT not in before.body
    _queue_channel_posts(runtime.sessions, 20, now)
    assert _health(url) == 200
    connections_before = getattr(database, "connections_made", 0)

    database.outage()
    started = time.monotonic()
    refused_events: list[tuple[str, dict[str, Any]]] = []
    rounds = 0
    while rounds == 0 or time.monotonic() - started < OUTAGE_SECONDS:
        rounds += 1
        for command, words, user in (
            ("/checkin", f"during the outage {rounds}", "U0MENTEE"),
            ("/mentoring", "status", "U0COORD"),
        ):
            sent = time.monotonic()
            reply = slack.command(command, words, user_id=user)
            took = time.monotonic() - sent
            assert reply.status == 200, (command, reply.status)
            assert DOWN_TEXT in reply.json()["text"], reply.body
            assert took < SLACK_DEADLINE, f"{command} answered in {took:.2f} s"
        event_id = f"Ev0OUTAGE{rounds:03d}"
        event = _dm(f"a DM during the outage {rounds}", f"1700000{rounds:03d}.000100")
        assert slack.event(event, event_id=event_id).status == 503  # Slack will retry it
        refused_events.append((event_id, event))
        assert _health(url) == 503
        with pytest.raises((OperationalError, InterfaceError)):
            run_tick(runtime.sessions, runtime, utcnow(), lease=runtime.settings.delivery_lease)
        with caplog.at_level(logging.ERROR, logger="mentorbot.schedules.jobs"):
            assert tick_job(runtime) is None  # the scheduler's job logs and lives on
        if rounds == 1:  # a cron-style `mentorbot tick`: one line and exit 2, no traceback
            one_shot = mentorbot("tick", env=bot_env(standin, runtime.settings.database_url))
            assert one_shot.returncode == 2, one_shot.stderr
            assert one_shot.stderr.startswith("mentorbot: could not reach or migrate the database")
            assert len(one_shot.stderr.splitlines()) == 1
        # Pace the traffic (one round per ROUND_SECONDS); no result depends on this wait.
        threading.Event().wait(ROUND_SECONDS)
    outage_lasted = time.monotonic() - started
    if isinstance(database, DatabaseProxy):
        assert database.connections_made == connections_before  # really nothing got through
    assert any("tick failed" in record.getMessage() for record in caplog.records)
    assert not standin.calls_to("chat.postMessage"), "nothing was delivered while down"

    database.recover()
    # The same process, nothing restarted: the very first requests work again.
    assert _health(url) == 200
    after = slack.command("/checkin", "after the outage", user_id="U0MENTEE")
    assert after.status == 200 and DOWN_TEXT not in after.body
    status = slack.command("/mentoring", "status", user_id="U0COORD")
    assert status.status == 200 and DOWN_TEXT not in status.body
    # Slack retries each refused event (twice, to be sure): each is handled exactly once.
    for retry in (1, 2):
        for event_id, event in refused_events:
            response = slack.event(
                event, event_id=event_id, retry_num=retry, retry_reason="http_error"
            )
            assert response.status == 200
    summary = run_tick(runtime.sessions, runtime, utcnow(), lease=runtime.settings.delivery_lease)
    assert summary.delivery.failed == 0
    assert run_tick(runtime.sessions, runtime, utcnow()).delivery.sent == 0
    queued = [row for key, row in _outbox(runtime.sessions).items() if key.startswith("outage:")]
    assert len(queued) == 20 and {row.status for row in queued} == {"sent"}

    dm_texts = [f"a DM during the outage {n}" for n in range(1, rounds + 1)]
    # The check-in from before is there; nothing from the refused commands was half-stored.
    assert _checkin_texts(runtime.sessions) == sorted(
        ["before the outage", "after the outage", *dm_texts]
    )
    posted = Counter(m["text"] for m in standin.messages_in("C0COHORT"))
    assert posted == Counter({f"queued {n}": 1 for n in range(20)})
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProcessedEvent)) == rounds
    # One confirmation per DM, in its own thread.
    confirmed = [c.args.get("thread_ts") for c in standin.calls_to("chat.postMessage") if c.ok]
    assert sorted(t for t in confirmed if t) == sorted(e["ts"] for _, e in refused_events)
    print(f"outage {outage_lasted:.1f} s, {rounds} rounds of traffic, recovered at once")


# -- Slack fails in bursts ---------------------------------------------------------------------

PEOPLE = [f"U0P{n:02d}" for n in range(10)]
PER_PERSON = 10


def _outbox(sessions: sessionmaker[Session]) -> dict[str, OutboundMessage]:
    with sessions() as session:
        return {row.dedupe_key: row for row in session.scalars(select(OutboundMessage))}


def test_bursts_of_500_and_429_deliver_every_message_exactly_once(
    runtime: Runtime, standin: SlackStandin
) -> None:
    for user in PEOPLE:
        standin.add_user(user, user.lower(), tz="Europe/London")
    with unit_of_work(runtime.sessions) as session:
        for user in PEOPLE:
            for n in range(PER_PERSON):
                enqueue(
                    session,
                    team_id=TEAM,
                    dedupe_key=f"burst:{user}:{n}",
                    target_kind="user",
                    target_id=user,
                    payload={"text": f"{user} message {n}"},
                    not_before=MONDAY_9_UTC,
                    now=MONDAY_9_UTC,
                )
    # A burst of 500s, then of 429s, on both methods a DM needs. Slack did not take the 500s
    # (fail_next); two more posts it did take but answered 500 (fail_after_accept): the sender
    # must find those in the conversation rather than post them twice. Each 429 pauses the
    # workspace's calls of that method for its Retry-After (at least a second) in every lane.
    standin.fail_next("conversations.open", status=500, times=3)
    standin.fail_next("conversations.open", status=429, retry_after=1, times=2)
    standin.fail_next("chat.postMessage", status=500, times=5)
    standin.fail_after_accept("chat.postMessage", status=500, times=2)
    standin.fail_next("chat.postMessage", status=429, retry_after=1, times=2)

    first = run_tick(runtime.sessions, runtime, MONDAY_9_UTC, SendPolicy(lanes=4))
    rows = _outbox(runtime.sessions)
    # The drain waited out each pause, so no message is left rate-limited...
    assert [r for r in rows.values() if r.last_error == "ratelimited" and r.status != "sent"] == []
    with runtime.sessions() as session:
        paused = set(session.scalars(select(SlackPause.method).where(SlackPause.team_id == TEAM)))
    assert paused == {"conversations.open", "chat.postMessage"}
    errored = [r for r in rows.values() if r.status == "pending" and r.attempts == 1]
    assert len(errored) == 3 + 5 + 2
    assert sum(r.outcome_unknown for r in errored) == 5 + 2  # a post that may have arrived
    assert first.delivery.failed == 0
    assert first.delivery.sent == len(rows) - len(errored)

    # The backoff after one 5xx is at most 30 s: a tick a minute later retries the rest.
    later = run_tick(runtime.sessions, runtime, MONDAY_9_UTC + timedelta(minutes=1))
    assert later.delivery.sent == len(errored)
    assert later.delivery.found_already_sent == 2

    rows = _outbox(runtime.sessions)
    assert {r.status for r in rows.values()} == {"sent"}
    for user in PEOPLE:
        delivered = standin.messages_in(user)
        texts = Counter(m["text"] for m in delivered)
        assert texts == Counter({f"{user} message {n}": 1 for n in range(PER_PERSON)})
        by_ts = {m["ts"]: m["text"] for m in delivered}
        for n in range(PER_PERSON):
            row = rows[f"burst:{user}:{n}"]
            assert by_ts[str(row.slack_ts)] == f"{user} message {n}"  # the outbox agrees


# -- the same event three times ----------------------------------------------------------------


def _confirmations(standin: SlackStandin) -> list[Any]:
    return [c for c in standin.calls_to("chat.postMessage") if c.ok]


def test_the_same_event_three_times_in_a_row_is_handled_once(
    slack: SignedSlackClient, standin: SlackStandin, sessions: sessionmaker[Session]
) -> None:
    seed_pair(sessions, now=utcnow())
    event = _dm("delivered three times", "1700000000.000300")
    for retry in (None, 1, 2):
        response = slack.event(event, event_id="Ev0THRICE", retry_num=retry, retry_reason=None)
        assert response.status == 200
    assert _checkin_texts(sessions) == ["delivered three times"]
    assert len(_confirmations(standin)) == 1


def test_the_same_event_three_times_at_once_is_handled_once(
    slack: SignedSlackClient, standin: SlackStandin, sessions: sessionmaker[Session]
) -> None:
    seed_pair(sessions, now=utcnow())
    event = _dm("delivered three times at once", "1700000000.000400")
    start = threading.Barrier(3)
    statuses: list[int] = []

    def deliver(retry: int | None) -> None:
        start.wait(timeout=10)
        statuses.append(
            slack.event(event, event_id="Ev0CONCURRENT", retry_num=retry, retry_reason=None).status
        )

    threads = [threading.Thread(target=deliver, args=(retry,)) for retry in (None, 1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [200, 200, 200]
    assert _checkin_texts(sessions) == ["delivered three times at once"]
    assert len(_confirmations(standin)) == 1
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProcessedEvent)) == 1


# -- events out of order -----------------------------------------------------------------------


def _edit(ts: str, text: str) -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "message_changed",
        "channel": "D0MENTEE",
        "channel_type": "im",
        "hidden": True,
        "ts": f"{float(ts) + 5:.6f}",
        "message": {"type": "message", "user": "U0MENTEE", "text": text, "ts": ts},
        "previous_message": {"type": "message", "user": "U0MENTEE", "text": "?", "ts": ts},
    }


def _delete(ts: str) -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "message_deleted",
        "channel": "D0MENTEE",
        "channel_type": "im",
        "hidden": True,
        "deleted_ts": ts,
        "ts": f"{float(ts) + 9:.6f}",
        "previous_message": {"type": "message", "user": "U0MENTEE", "text": "?", "ts": ts},
    }


@pytest.mark.parametrize("order", ["in order", "edit and delete first"])
def test_edits_and_deletions_in_any_order_leave_the_checkin_as_written(
    slack: SignedSlackClient, standin: SlackStandin, sessions: sessionmaker[Session], order: str
) -> None:
    seed_pair(sessions, now=utcnow())
    ts = "1700000000.000500"
    original = _dm("the words as first written", ts)
    events = [original, _edit(ts, "edited words"), _delete(ts)]
    if order != "in order":
        events.reverse()
    for event in events:
        assert slack.event(event).status == 200
    # DM edits and deletions are ignored (README): whatever the order, one check-in, as written.
    assert _checkin_texts(sessions) == ["the words as first written"]
    assert len(_confirmations(standin)) == 1


def _user_change(tz: str, name: str, updated: int) -> dict[str, Any]:
    user = {
        "id": "U0MOVER",
        "team_id": TEAM,
        "name": name,
        "real_name": name.title(),
        "tz": tz,
        "deleted": False,
        "is_bot": False,
        "updated": updated,
    }
    return {"type": "user_change", "user": user}


def _member(sessions: sessionmaker[Session], user_id: str) -> Member | None:
    with sessions() as session:
        return session.scalars(
            select(Member).where(Member.team_id == TEAM, Member.user_id == user_id)
        ).one_or_none()


def test_an_older_user_change_arriving_late_does_not_undo_a_newer_one(
    slack: SignedSlackClient, sessions: sessionmaker[Session]
) -> None:
    moved_at = int(time.time()) - 60
    older = _user_change("Asia/Tokyo", "aiko", moved_at - 3600)
    newer = _user_change("America/New_York", "aiko moved", moved_at)
    assert slack.event(newer).status == 200
    assert slack.event(older).status == 200  # Slack delivered the older change late
    member = _member(sessions, "U0MOVER")
    assert member is not None
    assert (member.tz, member.name) == ("America/New_York", "Aiko Moved")
    # A change newer than anything known still applies.
    assert slack.event(_user_change("Europe/Paris", "aiko", moved_at + 60)).status == 200
    member = _member(sessions, "U0MOVER")
    assert member is not None and member.tz == "Europe/Paris"


def test_a_user_change_before_the_persons_first_message_is_kept(
    slack: SignedSlackClient, sessions: sessionmaker[Session]
) -> None:
    seed_pair(sessions, now=utcnow(), mentee="U0MOVER")
    change = _user_change("America/New_York", "aiko", int(time.time()))
    assert slack.event(change).status == 200
    assert slack.event(_dm("first words", "1700000000.000600", user="U0MOVER")).status == 200
    member = _member(sessions, "U0MOVER")
    assert member is not None and member.tz == "America/New_York"
    assert _checkin_texts(sessions) == ["first words"]


def test_app_home_opened_before_the_person_exists_shows_a_home_then_the_pair(
    slack: SignedSlackClient, standin: SlackStandin, sessions: sessionmaker[Session]
) -> None:
    opened = {"type": "app_home_opened", "user": "U0NEWBIE", "channel": "D0NEWBIE", "tab": "home"}
    assert slack.event(opened).status == 200
    first = standin.home_view("U0NEWBIE")
    assert first is not None and first["type"] == "home"
    assert "reference" not in json.dumps(first)  # not the "something went wrong" answer
    seed_pair(sessions, now=utcnow(), mentee="U0NEWBIE")
    assert slack.event(opened).status == 200
    second = standin.home_view("U0NEWBIE")
    assert second is not None and second != first
    assert "U0MENTOR" in json.dumps(second)  # now it shows the mentor


# -- a tick killed while its producers are writing -------------------------------------------


def _tick_state(sessions: sessionmaker[Session]) -> tuple[list[str], list[Any]]:
    with sessions() as session:
        keys = sorted(session.scalars(select(OutboundMessage.dedupe_key)))
        pairs = [(p.next_meeting_at, p.last_meeting_at) for p in session.scalars(select(Pair))]
    return keys, pairs


def test_a_tick_killed_mid_transaction_stores_nothing_and_the_next_does_the_work_once(
    database_url: str, standin: SlackStandin
) -> None:
    """SIGKILL `mentorbot tick` while its producers' one transaction has written some rows.

    Deterministic on PostgreSQL: the test holds a lock on the outbox, so the tick's producer
    transaction stops at its first outbox insert, after earlier writes; the test sees it
    waiting (pg_locks), holding write locks on other tables, and kills it there. SQLite has
    one writer at a time: the tick could not even begin its transaction while the test
    blocked it, so there is no moment "mid-transaction" to reach from outside.
    """
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite: no way to stop a tick deterministically inside its transaction")
    for user in ("U0MENTEE", "U0MENTOR"):
        standin.add_user(user, user.lower())
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    at = utcnow().replace(microsecond=0)
    seed_pair(sessions, now=at - timedelta(days=1), meeting_at=at - timedelta(hours=3))
    env = bot_env(standin, database_url)
    before = _tick_state(sessions)
    assert before[0] == []
    try:
        with engine.connect() as blocker:
            blocker.execute(text("LOCK TABLE outbound_message IN EXCLUSIVE MODE"))
            tick = subprocess.Popen(
                [*COMMAND, "tick", "--at", at.isoformat()],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                waiting: list[int] = []

                def tick_waits_on_the_outbox() -> bool:
                    with engine.connect() as probe:
                        waiting[:] = probe.scalars(
                            text(
                                "SELECT pid FROM pg_locks WHERE NOT granted "
                                "AND relation = 'outbound_message'::regclass"
                            )
                        ).all()
                    return bool(waiting) or tick.poll() is not None

                wait_for(tick_waits_on_the_outbox, "the tick to reach its first outbox insert")
                assert tick.poll() is None, "the tick ended instead of waiting on the outbox"
                with engine.connect() as probe:
                    written = probe.scalars(
                        text(
                            "SELECT DISTINCT relation::regclass::text FROM pg_locks "
                            "WHERE pid = :pid AND granted AND mode = 'RowExclusiveLock' "
                            "AND relation <> 'outbound_message'::regclass"
                        ),
                        {"pid": waiting[0]},
                    ).all()
                assert "pair" in written, f"the tick had written nothing yet: {written}"
                os.kill(tick.pid, signal.SIGKILL)
                assert tick.wait(timeout=30) == -signal.SIGKILL
            finally:
                if tick.poll() is None:
                    tick.kill()
                    tick.wait()
            blocker.rollback()  # the lock goes; the orphaned transaction meets a closed socket

        def gone() -> bool:
            with engine.connect() as probe:
                alive = probe.scalar(
                    text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                    {"pid": waiting[0]},
                )
                free = probe.scalar(
                    text(f"SELECT pg_try_advisory_lock{TICK_LOCK_KEYS}"), {"k": TICK_LOCK}
                )
                if free:
                    probe.execute(
                        text(f"SELECT pg_advisory_unlock{TICK_LOCK_KEYS}"), {"k": TICK_LOCK}
                    )
            return not alive and bool(free)

        wait_for(gone, "PostgreSQL to end the killed tick's connections")
        assert _tick_state(sessions) == before  # nothing half-stored: no pair moved on

        done = mentorbot("tick", "--at", at.isoformat(), env=env)
        assert done.returncode == 0, done.stderr
        assert "skipped" not in done.stdout
        after = _tick_state(sessions)
        assert after[0] and after[1] != before[1]  # prompts queued, the meeting moved on
        again = mentorbot("tick", "--at", at.isoformat(), env=env)
        assert again.returncode == 0, again.stderr
        assert _tick_state(sessions) == after  # done once, not again
        with sessions() as session:
            rows = session.scalars(select(OutboundMessage)).all()
        sent = [r for r in rows if r.status == "sent"]
        texts = Counter(
            m["text"]
            for channel in {r.slack_channel for r in sent}
            for m in standin.messages_in(str(channel))
        )
        assert sent and max(texts.values()) == 1
        assert sum(texts.values()) == len(sent)
    finally:
        engine.dispose()
