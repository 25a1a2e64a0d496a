"""Slack's pace: about one post a second per conversation, bursts allowed, kept in the
database for every sender; a lane sends something else while a conversation waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun import freeze_time
from sqlalchemy import select

from mentorbot.bot.db import unit_of_work
from mentorbot.bot.delivery import deliver_due
from mentorbot.bot.delivery.claims import claim_next, record_outcome
from mentorbot.bot.delivery.pace import PostRate
from mentorbot.bot.models import ConversationPace
from mentorbot.bot.outbox import Outgoing, enqueue_many
from mentorbot.runtime import Runtime
from mentorbot.standin import SlackStandin
from tests.factories import TEAM

MONDAY_9_UTC = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)


class SlackClock:
    """Slack's time, moving only when told."""

    def __init__(self) -> None:
        self.now = datetime(2027, 3, 8, 9, 0, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def queue(runtime: Runtime, channel: str, count: int) -> None:
    with unit_of_work(runtime.sessions) as session:
        enqueue_many(
            session,
            [
                Outgoing(TEAM, f"{channel}:{n}", "channel", channel, {"text": f"{n}"}, MONDAY_9_UTC)
                for n in range(count)
            ],
            now=MONDAY_9_UTC,
        )


def send_next(runtime: Runtime, rate: PostRate, clock: SlackClock) -> str | None:
    """Claim the next message as a lane would, and record it posted now, with its
    conversation's pace: its conversation. Slack takes a fifth of a second to answer."""
    with unit_of_work(runtime.sessions) as session:
        scan = claim_next(session, now=MONDAY_9_UTC, wall=rate.clock(), pace=rate)
    if not scan.claims:
        return None
    (claim,) = scan.claims
    with unit_of_work(runtime.sessions) as session:
        assert record_outcome(session, claim, {"status": "sent"})
        rate.took(
            session, team_id=TEAM, target=claim.target_id, free_at=claim.free_at, at=rate.clock()
        )
    clock.now += timedelta(seconds=0.2)
    return claim.target_id


def test_a_conversation_gets_a_burst_then_a_post_a_second(runtime: Runtime) -> None:
    queue(runtime, "C0ONE", 8)
    queue(runtime, "C0TWO", 1)
    clock = SlackClock()
    start = clock.now
    rate = PostRate(per_second=1, burst=3, clock=clock, margin=timedelta(milliseconds=50))
    sent = [send_next(runtime, rate, clock) for _ in range(5)]
    assert sent == ["C0ONE"] * 3 + ["C0TWO", None]  # the other conversation has its own
    with runtime.sessions() as session:
        free_at = session.scalar(
            select(ConversationPace.free_at).where(ConversationPace.target == "C0ONE")
        )
    assert free_at == start + timedelta(seconds=1)  # a second after the burst began
    clock.now = free_at
    assert send_next(runtime, rate, clock) is None  # its moment, but not yet past the margin
    clock.now = free_at + timedelta(milliseconds=50)
    assert [send_next(runtime, rate, clock) for _ in range(2)] == ["C0ONE", None]
    clock.now += timedelta(seconds=10)  # the burst refilled, no more
    assert [send_next(runtime, rate, clock) for _ in range(4)] == ["C0ONE"] * 3 + [None]


def test_a_second_sender_keeps_the_pace_of_the_first(runtime: Runtime) -> None:
    """Two workers' lanes share one pace: what one posted counts for the other."""
    queue(runtime, "C0ONE", 4)
    clock = SlackClock()
    first = PostRate(per_second=1, burst=3, clock=clock)
    second = PostRate(per_second=1, burst=3, clock=clock)
    assert [send_next(runtime, first, clock) for _ in range(2)] == ["C0ONE"] * 2
    assert [send_next(runtime, second, clock) for _ in range(2)] == ["C0ONE", None]


def test_a_lane_sends_to_other_conversations_while_one_waits(
    runtime: Runtime, standin: SlackStandin
) -> None:
    """Five posts due to one channel and two to another, the first channel's first: after
    its burst of three, the other channel's go out before the first channel's next one,
    in Slack's real time while the programme's clock stands still."""
    queue(runtime, "C0ONE", 5)
    queue(runtime, "C0TWO", 2)
    rate = PostRate(per_second=5, burst=3)  # real time, quicker than Slack's
    with freeze_time(MONDAY_9_UTC):
        report = deliver_due(runtime.sessions, runtime.client, MONDAY_9_UTC, pace=rate)
    assert report.sent == 7
    order = [call.args["channel"] for call in standin.calls_to("chat.postMessage")]
    assert order == ["C0ONE"] * 3 + ["C0TWO"] * 2 + ["C0ONE"] * 2
    assert [m["text"] for m in standin.messages_in("C0ONE")] == [f"{n}" for n in range(5)]
