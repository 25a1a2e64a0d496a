"""Finding a message that may have arrived, within Slack's history limits: a narrow look,
paced per workspace, a few looks at most before it is recorded as possibly delivered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun import freeze_time
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.db import unit_of_work
from mentorbot.bot.delivery import SendPolicy, deliver_due
from mentorbot.bot.delivery.history import MAX_LOOKUPS, PAGE, SKEW
from mentorbot.bot.delivery.sender import DeliveryReport
from mentorbot.bot.models import OutboundMessage, SlackPause
from mentorbot.bot.outbox import UNCONFIRMED, Outgoing, enqueue_many
from mentorbot.runtime import Runtime
from mentorbot.standin import SlackStandin
from tests.factories import TEAM

MONDAY_9_UTC = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)


def queue(sessions: sessionmaker[Session], *keys: str, channel: str = "C0COHORT") -> None:
    with unit_of_work(sessions) as session:
        enqueue_many(
            session,
            [Outgoing(TEAM, key, "channel", channel, {"text": key}, MONDAY_9_UTC) for key in keys],
            now=MONDAY_9_UTC,
        )


def row(sessions: sessionmaker[Session], key: str) -> OutboundMessage:
    with sessions() as session:
        found = session.scalar(select(OutboundMessage).where(OutboundMessage.dedupe_key == key))
        assert found is not None
        return found


def posts_of(standin: SlackStandin, text: str) -> int:
    return sum(call.args.get("text") == text for call in standin.calls_to("chat.postMessage"))


def drain(runtime: Runtime, at: datetime, policy: SendPolicy | None = None) -> DeliveryReport:
    with freeze_time(at):
        return deliver_due(runtime.sessions, runtime.client, at, policy)


def test_a_look_reads_a_small_page_from_the_first_attempt_on(
    runtime: Runtime, standin: SlackStandin
) -> None:
    queue(runtime.sessions, "once")
    standin.fail_after_accept("chat.postMessage", status=500)  # stored, but answered 500
    drain(runtime, MONDAY_9_UTC)
    first = row(runtime.sessions, "once")
    assert first.outcome_unknown and first.first_attempt_at == MONDAY_9_UTC

    report = drain(runtime, first.not_before)
    [look] = standin.calls_to("conversations.history")
    assert int(look.args["limit"]) == PAGE == 15
    assert float(look.args["oldest"]) == (MONDAY_9_UTC - SKEW).timestamp()
    assert report.found_already_sent == 1
    assert [m["text"] for m in standin.messages_in("C0COHORT")] == ["once"]


def test_a_message_history_cannot_confirm_is_recorded_not_sent_twice(
    runtime: Runtime, standin: SlackStandin
) -> None:
    queue(runtime.sessions, "lost")
    standin.fail_next("chat.postMessage", status=503)  # it may have arrived: Slack cannot say
    drain(runtime, MONDAY_9_UTC)
    # Since then the channel has had more messages than a look reads.
    with freeze_time(MONDAY_9_UTC + timedelta(seconds=1)):
        for n in range(50):
            runtime.client.chat_postMessage(channel="C0COHORT", text=f"chatter {n}")
    moment = MONDAY_9_UTC
    reports = []
    for _ in range(MAX_LOOKUPS):
        moment = row(runtime.sessions, "lost").not_before
        reports.append(drain(runtime, moment))
    lost = row(runtime.sessions, "lost")
    assert (lost.status, lost.last_error, lost.lookups) == ("unknown", UNCONFIRMED, MAX_LOOKUPS)
    assert reports[-1].unknown == 1
    assert posts_of(standin, "lost") == 1  # the first attempt, never again
    drain(runtime, moment + timedelta(days=1))
    assert posts_of(standin, "lost") == 1


def test_looks_in_one_workspace_wait_their_turn(runtime: Runtime, standin: SlackStandin) -> None:
    """Outside Slack's Marketplace an app may read history about once a minute: with that
    pace, the second uncertain message is looked for a minute after the first."""
    queue(runtime.sessions, "a", "b")
    standin.fail_after_accept("chat.postMessage", status=500, times=2)
    drain(runtime, MONDAY_9_UTC)
    policy = SendPolicy(history_every=timedelta(minutes=1))
    later = MONDAY_9_UTC + timedelta(minutes=2)
    first = drain(runtime, later, policy)
    assert first.found_already_sent == 1 and len(standin.calls_to("conversations.history")) == 1
    with runtime.sessions() as session:
        [pause] = session.scalars(select(SlackPause))
    assert (pause.method, pause.until) == ("conversations.history", later + timedelta(minutes=1))
    assert drain(runtime, later + timedelta(seconds=30), policy).sent == 0
    assert drain(runtime, later + timedelta(minutes=1), policy).found_already_sent == 1
    assert len(standin.calls_to("conversations.history")) == 2
    assert sorted(m["text"] for m in standin.messages_in("C0COHORT")) == ["a", "b"]
