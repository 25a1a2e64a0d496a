"""Slack's pace: about one post a second per conversation, bursts allowed; a lane sends
something else while a conversation waits."""

from __future__ import annotations

from datetime import UTC, datetime

from freezegun import freeze_time

from mentorbot.bot.db import unit_of_work
from mentorbot.bot.delivery import deliver_due
from mentorbot.bot.delivery.pace import ConversationPace
from mentorbot.bot.outbox import Outgoing, enqueue_many
from mentorbot.runtime import Runtime
from mentorbot.standin import SlackStandin
from tests.factories import TEAM

MONDAY_9_UTC = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)


class Clock:
    """Monotonic seconds that move only when told."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_conversation_gets_a_burst_then_a_post_a_second() -> None:
    clock = Clock()
    pace = ConversationPace(per_second=1, burst=3, clock=clock)
    assert [pace.wait_for(TEAM, "C1") for _ in range(3)] == [0, 0, 0]
    assert pace.busy() == {"C1"}
    assert pace.wait_for(TEAM, "C2") == 0  # another conversation has its own
    assert pace.next_free_in() == 1.0
    clock.now += 1
    assert pace.busy() == set()
    assert pace.wait_for(TEAM, "C1") == 0
    assert pace.wait_for(TEAM, "C1") == 1.0  # taken: the caller waits a second, then posts
    clock.now += 10
    assert [pace.wait_for(TEAM, "C1") for _ in range(4)] == [0, 0, 0, 1.0]  # burst refilled


def test_a_lane_sends_to_other_conversations_while_one_waits(
    runtime: Runtime, standin: SlackStandin
) -> None:
    """Five posts due to one channel and two to another, the first channel's first: after
    its burst of three, the other channel's go out before the first channel's next one."""
    messages = [
        *(
            Outgoing(TEAM, f"one:{n}", "channel", "C0ONE", {"text": f"one {n}"}, MONDAY_9_UTC)
            for n in range(5)
        ),
        *(
            Outgoing(TEAM, f"two:{n}", "channel", "C0TWO", {"text": f"two {n}"}, MONDAY_9_UTC)
            for n in range(2)
        ),
    ]
    with unit_of_work(runtime.sessions) as session:
        assert enqueue_many(session, messages, now=MONDAY_9_UTC) == 7
    pace = ConversationPace(per_second=5, burst=3)  # real time, quicker than Slack's
    with freeze_time(MONDAY_9_UTC):
        report = deliver_due(runtime.sessions, runtime.client, MONDAY_9_UTC, pace=pace)
    assert report.sent == 7
    order = [call.args["channel"] for call in standin.calls_to("chat.postMessage")]
    assert order == ["C0ONE"] * 3 + ["C0TWO"] * 2 + ["C0ONE"] * 2
    assert [m["text"] for m in standin.messages_in("C0ONE")] == [f"one {n}" for n in range(5)]
