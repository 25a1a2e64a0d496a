"""Delivery: the right message, to the right person, at the right local time, exactly once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from freezegun import freeze_time
from sqlalchemy import select, update

from mentorbot.bot.db import unit_of_work
from mentorbot.bot.delivery import MAX_ATTEMPTS, deliver_due
from mentorbot.bot.delivery.conversations import remember_channel
from mentorbot.bot.models import Conversation, Member, OutboundMessage
from mentorbot.bot.outbox import enqueue
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.factories import TEAM

MONDAY_9_UTC = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)


def queue(runtime: Runtime, key: str, target: str, *, at: datetime, kind: str = "user") -> None:
    with unit_of_work(runtime.sessions) as session:
        enqueue(
            session,
            team_id=TEAM,
            dedupe_key=key,
            target_kind=kind,  # type: ignore[arg-type]
            target_id=target,
            payload={"text": f"message {key}"},
            not_before=at,
            now=at,
        )


def drain(runtime: Runtime, at: datetime) -> object:
    with freeze_time(at):  # the wall clock (leases) agrees with the tick's `now`
        return deliver_due(runtime.sessions, runtime.client, at)


def rows(runtime: Runtime) -> dict[str, OutboundMessage]:
    with runtime.sessions() as session:
        return {row.dedupe_key: row for row in session.scalars(select(OutboundMessage))}


def stored_channel(runtime: Runtime, users: str) -> str | None:
    """The DM channel every sender uses for these people, as stored."""
    with runtime.sessions() as session:
        return session.scalar(
            select(Conversation.channel_id).where(
                Conversation.team_id == TEAM, Conversation.users == users
            )
        )


def texts_in(standin: SlackStandin, user_id: str) -> list[str]:
    return [m["text"] for m in standin.messages_in(standin.dm_channel_for(user_id))]


@pytest.fixture
def people(standin: SlackStandin) -> Iterator[None]:
    standin.add_user("U0TOKYO", "aiko", tz="Asia/Tokyo")
    standin.add_user("U0NYC", "sam", tz="America/New_York")
    standin.add_user("U0LONDON", "priya", tz="Europe/London")
    yield


def first_sent_at(runtime: Runtime, key: str, start: datetime, hours: int) -> datetime | None:
    """Drain hourly from `start`; the first moment the message was sent."""
    for step in range(hours + 1):
        moment = start + timedelta(hours=step)
        drain(runtime, moment)
        if rows(runtime)[key].status == "sent":
            return moment
    return None


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(
    ("user_id", "queued_at", "expected"),
    [
        # Friday 19:00 in Tokyo → Monday 09:00 JST (Monday 00:00 UTC).
        (
            "U0TOKYO",
            datetime(2027, 3, 12, 10, 0, tzinfo=UTC),
            datetime(2027, 3, 15, 0, 0, tzinfo=UTC),
        ),
        # Friday 20:00 EST in New York; DST starts Sunday → Monday 09:00 EDT (13:00 UTC).
        (
            "U0NYC",
            datetime(2027, 3, 13, 1, 0, tzinfo=UTC),
            datetime(2027, 3, 15, 13, 0, tzinfo=UTC),
        ),
        # Saturday noon in London; BST starts 28 March → Monday 29 March 09:00 BST (08:00 UTC).
        (
            "U0LONDON",
            datetime(2027, 3, 27, 12, 0, tzinfo=UTC),
            datetime(2027, 3, 29, 8, 0, tzinfo=UTC),
        ),
    ],
)
def test_dms_wait_for_the_recipients_working_hours(
    runtime: Runtime, standin: SlackStandin, user_id: str, queued_at: datetime, expected: datetime
) -> None:
    queue(runtime, "k", user_id, at=queued_at)
    drain(runtime, queued_at)
    assert rows(runtime)["k"].not_before == expected  # held to the minute, not to a tick
    assert first_sent_at(runtime, "k", queued_at, hours=80) == expected
    assert texts_in(standin, user_id) == ["message k"]


def test_channel_posts_are_not_held(runtime: Runtime, standin: SlackStandin) -> None:
    saturday_night = datetime(2027, 3, 13, 23, 0, tzinfo=UTC)
    queue(runtime, "announce", "C0COHORT", at=saturday_night, kind="channel")
    drain(runtime, saturday_night)
    assert rows(runtime)["announce"].status == "sent"
    assert [m["text"] for m in standin.messages_in("C0COHORT")] == ["message announce"]


@pytest.mark.usefixtures("people")
def test_time_zone_comes_from_slack_and_is_cached(runtime: Runtime, standin: SlackStandin) -> None:
    queue(runtime, "a", "U0TOKYO", at=MONDAY_9_UTC)
    drain(runtime, MONDAY_9_UTC)  # 18:00 in Tokyo: too late, held until Tuesday 09:00 JST
    with runtime.sessions() as session:
        member = session.scalars(select(Member).where(Member.user_id == "U0TOKYO")).one()
    assert member.tz == "Asia/Tokyo"
    assert rows(runtime)["a"].not_before == datetime(2027, 3, 9, 0, 0, tzinfo=UTC)
    drain(runtime, MONDAY_9_UTC + timedelta(hours=1))
    assert len(standin.calls_to("users.info")) == 1  # cached, not asked again


def test_429_waits_as_long_as_slack_asks_without_counting_a_failure(
    runtime: Runtime, standin: SlackStandin
) -> None:
    queue(runtime, "busy", "C0COHORT", at=MONDAY_9_UTC, kind="channel")
    # More 429s than the client retries inside one call (3): the row must wait, not fail.
    standin.fail_next("chat.postMessage", status=429, retry_after=1, times=4)
    report = drain(runtime, MONDAY_9_UTC)
    row = rows(runtime)["busy"]
    assert (row.status, row.last_error, row.attempts) == ("pending", "ratelimited", 0)
    assert row.not_before == MONDAY_9_UTC + timedelta(seconds=1)
    assert report.retrying == 1  # type: ignore[attr-defined]
    drain(runtime, MONDAY_9_UTC + timedelta(seconds=1))
    assert rows(runtime)["busy"].status == "sent"
    assert [m["text"] for m in standin.messages_in("C0COHORT")] == ["message busy"]


@pytest.mark.parametrize("error", ["channel_not_found", "is_archived", "not_in_channel"])
def test_permanent_errors_are_recorded_not_retried(
    runtime: Runtime, standin: SlackStandin, error: str
) -> None:
    queue(runtime, "gone", "C0GONE", at=MONDAY_9_UTC, kind="channel")
    standin.fail_next("chat.postMessage", error=error)
    drain(runtime, MONDAY_9_UTC)
    drain(runtime, MONDAY_9_UTC + timedelta(days=1))
    row = rows(runtime)["gone"]
    assert (row.status, row.last_error) == ("failed", error)
    assert len(standin.calls_to("chat.postMessage")) == 1


def test_each_persons_dm_is_opened_once_per_process(
    runtime: Runtime, standin: SlackStandin
) -> None:
    standin.add_user("U0LONDON", "priya", tz="Europe/London")
    standin.add_user("U0NYC", "sam", tz="America/New_York")
    for n, at in enumerate((MONDAY_9_UTC, MONDAY_9_UTC + timedelta(hours=6))):
        queue(runtime, f"to priya {n}", "U0LONDON", at=at)
        queue(runtime, f"to both {n}", "U0LONDON,U0NYC", at=at)
        with freeze_time(at):  # through the runtime, as the scheduler's tick does
            assert deliver_due(runtime.sessions, runtime, at).sent == 2
    opened = [call.args["users"] for call in standin.calls_to("conversations.open")]
    assert sorted(opened) == ["U0LONDON", "U0LONDON,U0NYC"]
    assert texts_in(standin, "U0LONDON") == ["message to priya 0", "message to priya 1"]


def test_a_remembered_dm_slack_no_longer_knows_is_opened_again(
    runtime: Runtime, standin: SlackStandin
) -> None:
    standin.add_user("U0LONDON", "priya", tz="Europe/London")
    with unit_of_work(runtime.sessions) as session:
        remember_channel(
            session, team_id=TEAM, users="U0LONDON", channel_id="D0CLOSED", now=MONDAY_9_UTC
        )
    queue(runtime, "still reaches her", "U0LONDON", at=MONDAY_9_UTC)
    standin.fail_next("chat.postMessage", error="channel_not_found")  # Slack: no such D0CLOSED
    with freeze_time(MONDAY_9_UTC):
        report = deliver_due(runtime.sessions, runtime, MONDAY_9_UTC)
    assert (report.sent, report.failed) == (1, 0)
    assert [c.args["channel"] for c in standin.calls_to("chat.postMessage")] == [
        "D0CLOSED",
        standin.dm_channel_for("U0LONDON"),
    ]
    assert texts_in(standin, "U0LONDON") == ["message still reaches her"]
    assert stored_channel(runtime, "U0LONDON") == standin.dm_channel_for("U0LONDON")


def test_a_person_who_left_is_recorded_not_retried(runtime: Runtime, standin: SlackStandin) -> None:
    standin.add_user("U0LEFT", "left", tz="Europe/London", deleted=True)
    queue(runtime, "bye", "U0LEFT", at=MONDAY_9_UTC)
    drain(runtime, MONDAY_9_UTC)
    drain(runtime, MONDAY_9_UTC + timedelta(hours=1))
    row = rows(runtime)["bye"]
    assert row.status == "failed" and row.last_error in ("user_disabled", "account_inactive")
    assert standin.calls_to("chat.postMessage") == []


def test_server_errors_back_off_then_give_up(runtime: Runtime, standin: SlackStandin) -> None:
    queue(runtime, "flaky", "C0COHORT", at=MONDAY_9_UTC, kind="channel")
    standin.fail_next("chat.postMessage", status=503, times=MAX_ATTEMPTS)
    moment = MONDAY_9_UTC
    waits = []
    for _ in range(MAX_ATTEMPTS):
        drain(runtime, moment)
        row = rows(runtime)["flaky"]
        if row.status == "failed":
            break
        waits.append(row.not_before - moment)
        moment = row.not_before
    assert row.status == "failed" and "gave up after 8 attempts" in (row.last_error or "")
    assert all(later > earlier for earlier, later in pairwise(waits))
    # Each 503 may have been accepted: every retry looked in the channel first.
    assert len(standin.calls_to("conversations.history")) == MAX_ATTEMPTS - 1
    assert standin.messages_in("C0COHORT") == []


def test_accepted_but_unconfirmed_is_not_sent_twice(
    runtime: Runtime, standin: SlackStandin
) -> None:
    standin.add_user("U0LONDON", "priya", tz="Europe/London")
    queue(runtime, "once", "U0LONDON", at=MONDAY_9_UTC)
    standin.fail_after_accept("chat.postMessage", status=None)  # stored, then the line drops
    drain(runtime, MONDAY_9_UTC)
    row = rows(runtime)["once"]
    assert (row.status, row.outcome_unknown) == ("pending", True)
    drain(runtime, row.not_before)
    row = rows(runtime)["once"]
    assert row.status == "sent"
    delivered = standin.messages_in(standin.dm_channel_for("U0LONDON"))
    assert [m["text"] for m in delivered] == ["message once"]
    assert row.slack_ts == delivered[0]["ts"]


def test_a_claim_abandoned_by_a_crashed_sender_is_checked_then_sent(
    runtime: Runtime, standin: SlackStandin
) -> None:
    queue(runtime, "posted", "C0COHORT", at=MONDAY_9_UTC, kind="channel")
    queue(runtime, "unposted", "C0COHORT", at=MONDAY_9_UTC, kind="channel")
    # A sender claimed both, posted the first, and died before recording anything.
    runtime.client.chat_postMessage(
        channel="C0COHORT",
        text="message posted",
        metadata={"event_type": "mentorbot_delivery", "event_payload": {"dedupe_key": "posted"}},
    )
    with unit_of_work(runtime.sessions) as session:
        session.execute(update(OutboundMessage).values(status="sending", lease_until=MONDAY_9_UTC))
    drain(runtime, MONDAY_9_UTC - timedelta(minutes=1))  # lease still running: left alone
    assert {r.status for r in rows(runtime).values()} == {"sending"}
    drain(runtime, MONDAY_9_UTC + timedelta(minutes=1))
    assert {k: r.status for k, r in rows(runtime).items()} == {"posted": "sent", "unposted": "sent"}
    texts = sorted(m["text"] for m in standin.messages_in("C0COHORT"))
    assert texts == ["message posted", "message unposted"]


def test_two_senders_at_once_deliver_each_message_once(
    runtime: Runtime, standin: SlackStandin
) -> None:
    # 40 channels with 3 messages each: within Slack's burst for a conversation.
    for n in range(120):
        queue(runtime, f"m{n}", f"C0COHORT{n % 40}", at=MONDAY_9_UTC, kind="channel")
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            deliver_due(runtime.sessions, runtime.client, MONDAY_9_UTC)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    texts = [m["text"] for c in range(40) for m in standin.messages_in(f"C0COHORT{c}")]
    assert sorted(texts) == sorted(f"message m{n}" for n in range(120))
    assert {r.status for r in rows(runtime).values()} == {"sent"}


@pytest.mark.usefixtures("people")
def test_user_change_event_moves_a_person_to_their_new_zone(
    runtime: Runtime, standin: SlackStandin, slack: SignedSlackClient
) -> None:
    queue(runtime, "first", "U0TOKYO", at=MONDAY_9_UTC - timedelta(hours=6))
    drain(runtime, MONDAY_9_UTC - timedelta(hours=6))  # 12:00 JST: sent, zone now cached
    moved = {"id": "U0TOKYO", "team_id": TEAM, "name": "aiko", "tz": "America/New_York"}
    with freeze_time(MONDAY_9_UTC - timedelta(hours=1), tick=True):
        assert slack.event({"type": "user_change", "user": moved}).status == 200
    queue(runtime, "second", "U0TOKYO", at=MONDAY_9_UTC)
    drain(runtime, MONDAY_9_UTC)  # 04:00 in New York now: held until 09:00 EST
    assert rows(runtime)["second"].not_before == datetime(2027, 3, 8, 14, 0, tzinfo=UTC)
    assert len(standin.calls_to("users.info")) == 1
