"""Delivery in lanes: claims only for what is being sent, conversations kept across restarts,
Slack's pauses per workspace, and senders killed mid-batch losing nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from slack_sdk import WebClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.db import make_engine, make_sessionmaker, unit_of_work
from mentorbot.bot.delivery import SendPolicy, deliver_due
from mentorbot.bot.migrate import upgrade
from mentorbot.bot.models import Conversation, OutboundMessage, SlackPause
from mentorbot.bot.outbox import Outgoing, enqueue_many
from mentorbot.bot.settings import Settings
from mentorbot.bot.timeutil import utcnow
from mentorbot.runtime import Runtime, build_runtime
from mentorbot.standin import SlackStandin
from tests.factories import TEAM
from tests.processes import COMMAND, bot_env, count_outbox, mentorbot, wait_for

MONDAY_9_UTC = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)


def queue_dms(
    sessions: sessionmaker[Session], people: list[str], *, team_id: str = TEAM, at: datetime
) -> None:
    """One DM to each person, due at `at`."""
    with unit_of_work(sessions) as session:
        enqueue_many(
            session,
            [
                Outgoing(team_id, f"dm:{user}", "user", user, {"text": f"hi {user}"}, at)
                for user in people
            ],
            now=at,
        )


def statuses(sessions: sessionmaker[Session]) -> Counter[str]:
    with sessions() as session:
        return Counter(session.scalars(select(OutboundMessage.status)))


def add_people(standin: SlackStandin, people: list[str], team_id: str | None = None) -> None:
    for user in people:
        standin.add_user(user, user.lower(), tz="Europe/London", team_id=team_id)


def test_lanes_claim_only_what_they_are_sending(runtime: Runtime, standin: SlackStandin) -> None:
    """While Slack holds every post, four lanes hold four claims, not a batch: the rest stay
    pending for any other sender, and a crash would leave four to look up."""
    people = [f"U0P{n:03d}" for n in range(40)]
    add_people(standin, people)
    queue_dms(runtime.sessions, people, at=MONDAY_9_UTC)
    gate = standin.hold("chat.postMessage")
    drained = threading.Thread(
        target=deliver_due, args=(runtime.sessions, runtime, MONDAY_9_UTC, SendPolicy(lanes=4))
    )
    drained.start()
    try:
        wait_for(lambda: statuses(runtime.sessions)["sending"] == 4, "four claims", 30)
        assert statuses(runtime.sessions) == Counter({"pending": 36, "sending": 4})
    finally:
        gate.set()
        drained.join(timeout=60)
    assert statuses(runtime.sessions) == Counter({"sent": 40})
    posts = [call.args["channel"] for call in standin.calls_to("chat.postMessage")]
    assert sorted(posts) == sorted(standin.dm_channel_for(user) for user in people)


def test_one_message_in_flight_per_conversation(runtime: Runtime, standin: SlackStandin) -> None:
    """Four DMs to each of three people, four lanes: a lane leaves a person another lane is
    sending to, so each DM is opened once and posts to one conversation go one by one."""
    people = ["U0ANA", "U0BEN", "U0CAI"]
    add_people(standin, people)
    with unit_of_work(runtime.sessions) as session:
        enqueue_many(
            session,
            [
                Outgoing(TEAM, f"dm:{user}:{n}", "user", user, {"text": f"{n}"}, MONDAY_9_UTC)
                for user in people
                for n in range(4)
            ],
            now=MONDAY_9_UTC,
        )
    gate = standin.hold("chat.postMessage")
    drained = threading.Thread(
        target=deliver_due, args=(runtime.sessions, runtime, MONDAY_9_UTC, SendPolicy(lanes=4))
    )
    drained.start()
    try:
        wait_for(lambda: len(standin.calls_to("conversations.open")) == 3, "three opens", 30)
        with runtime.sessions() as session:
            in_flight = session.scalars(
                select(OutboundMessage.target_id).where(OutboundMessage.status == "sending")
            ).all()
        assert sorted(in_flight) == people
    finally:
        gate.set()
        drained.join(timeout=60)
    assert statuses(runtime.sessions) == Counter({"sent": 12})
    opened = Counter(call.args["users"] for call in standin.calls_to("conversations.open"))
    assert opened == Counter(dict.fromkeys(people, 1))


def test_a_restarted_worker_posts_to_an_opened_dm_without_opening_it(
    runtime: Runtime, standin: SlackStandin, settings: Settings
) -> None:
    add_people(standin, ["U0ANA", "U0BEN"])
    queue_dms(runtime.sessions, ["U0ANA", "U0BEN"], at=MONDAY_9_UTC)
    with freeze_time(MONDAY_9_UTC):
        assert deliver_due(runtime.sessions, runtime, MONDAY_9_UTC).sent == 2
    assert len(standin.calls_to("conversations.open")) == 2

    restarted = build_runtime(settings)  # a new process: nothing remembered in memory
    try:
        later = MONDAY_9_UTC + timedelta(hours=1)
        with unit_of_work(restarted.sessions) as session:
            enqueue_many(
                session,
                [Outgoing(TEAM, "again", "user", "U0ANA", {"text": "again"}, later)],
                now=later,
            )
        with freeze_time(later):
            assert deliver_due(restarted.sessions, restarted, later).sent == 1
    finally:
        restarted.close()
    assert len(standin.calls_to("conversations.open")) == 2  # none more
    last = standin.calls_to("chat.postMessage")[-1]
    assert last.args["channel"] == standin.dm_channel_for("U0ANA")
    with runtime.sessions() as session:
        stored = session.scalar(select(func.count()).select_from(Conversation))
    assert stored == 2


class Workspaces:
    """Each workspace's client, as OAuth installs give them (the sender's ClientsByTeam)."""

    def __init__(self, standin: SlackStandin, *team_ids: str) -> None:
        self.clients: dict[str, WebClient] = {}
        for team_id in team_ids:
            code = standin.approve_install(team_id, team_id, f"U0INSTALL{team_id[-1]}")
            exchange = WebClient(base_url=standin.api_url).oauth_v2_access(
                client_id="1.2", client_secret="secret", code=code
            )
            token = str(exchange["access_token"])
            self.clients[team_id] = WebClient(token=token, base_url=standin.api_url)

    def for_team(self, team_id: str) -> WebClient | None:
        return self.clients.get(team_id)


def test_a_429_pauses_only_its_workspace_for_every_sender(
    runtime: Runtime, standin: SlackStandin
) -> None:
    alpha = [f"U0A{n}" for n in range(5)]
    beta = [f"U0B{n}" for n in range(5)]
    add_people(standin, alpha, team_id="T0ALPHA")
    add_people(standin, beta, team_id="T0BETA")
    workspaces = Workspaces(standin, "T0ALPHA", "T0BETA")
    queue_dms(runtime.sessions, alpha, team_id="T0ALPHA", at=MONDAY_9_UTC)
    queue_dms(runtime.sessions, beta, team_id="T0BETA", at=MONDAY_9_UTC + timedelta(seconds=1))
    # Alpha's first post is refused: wait 30 s.
    standin.fail_next("chat.postMessage", status=429, retry_after=30)

    at = MONDAY_9_UTC + timedelta(minutes=1)
    with freeze_time(at):
        first = deliver_due(runtime.sessions, workspaces, at)
        # Another sender (a second worker) at the same moment: Alpha still waits.
        second = deliver_due(runtime.sessions, workspaces, at, SendPolicy(lanes=3))
    assert (first.sent, second.sent) == (5, 0)  # Beta's five, whatever Alpha's pause
    posts = Counter(standin.team_of(call) for call in standin.calls_to("chat.postMessage"))
    assert posts == Counter({"T0ALPHA": 1, "T0BETA": 5})  # no other call while Alpha waits
    with runtime.sessions() as session:
        pauses = session.execute(select(SlackPause.team_id, SlackPause.method)).all()
    assert pauses == [("T0ALPHA", "chat.postMessage")]

    with freeze_time(at + timedelta(seconds=31)):
        after = deliver_due(runtime.sessions, workspaces, at + timedelta(seconds=31))
    assert after.sent == 5 and statuses(runtime.sessions) == Counter({"sent": 10})


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_three_senders_one_killed_mid_batch_deliver_each_message_once(
    database_url: str, standin: SlackStandin
) -> None:
    """Three workers send side by side on PostgreSQL; one is SIGKILLed mid-drain. Its claims
    lapse with their lease, a tick takes them over, and every message arrives once."""
    messages = 1_500
    channels = [f"C0MANY{n:04d}" for n in range(messages // 2)]  # two each: within a burst
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        now = utcnow() - timedelta(minutes=1)
        with unit_of_work(make_sessionmaker(engine)) as session:
            enqueue_many(
                session,
                [
                    Outgoing(
                        TEAM,
                        f"m{n}",
                        "channel",
                        channels[n % len(channels)],
                        {"text": f"m{n}"},
                        now,
                    )
                    for n in range(messages)
                ],
                now=now,
            )
    finally:
        engine.dispose()
    env = bot_env(
        standin,
        database_url,
        MENTORBOT_DELIVERY_LEASE_SECONDS="5",
        MENTORBOT_SEND_CONCURRENCY="4",
    )

    def posts() -> int:
        return len(standin.calls_to("chat.postMessage"))

    workers = [
        subprocess.Popen(
            [*COMMAND, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _ in range(3)
    ]
    try:
        wait_for(lambda: posts() >= messages // 4, "the workers to be well into the drain")
        os.kill(workers[0].pid, signal.SIGKILL)
        at_kill = posts()
        wait_for(
            lambda: all(w.poll() is None for w in workers[1:]) and _left(database_url) <= 4,
            "the other workers to send all but the dead one's claims",
            120,
        )
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    assert messages // 4 <= at_kill < messages, "the kill must land mid-drain"
    # Whatever the dead worker held (at most its four lanes' claims) a tick takes over once
    # their lease has run out, checking Slack first.
    wait_for(
        lambda: mentorbot("tick", env=env).returncode == 0 and _left(database_url) == 0,
        "the dead worker's claims to be taken over",
        60,
    )

    texts = Counter(m["text"] for channel in channels for m in standin.messages_in(channel))
    assert len(texts) == messages  # nothing lost
    assert max(texts.values()) == 1  # nothing twice


def _left(database_url: str) -> int:
    """Messages not sent yet."""
    return count_outbox(database_url, OutboundMessage.status != "sent")
