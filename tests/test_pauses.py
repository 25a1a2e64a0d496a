"""Pauses: no prompts while paused, both told, and prompts back on resuming, early or on time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from freezegun import freeze_time

from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.programme import ANA, BEN
from tests.rhythm import agree, pair_ana_and_ben, run_until, sent, the_pair
from tests.weeks import DAY, HOUR, START

pytestmark = pytest.mark.usefixtures("people")


def test_a_pause_stops_every_prompt_tells_both_and_resumes_by_itself(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        pair_id = the_pair(runtime.sessions).id
        agree(slack, pair_id, weekday="2", at="12:00", cadence="weekly")
        for forever in ("forever", "until someday", "20 weeks", "0 days"):
            reply = slack.command("/checkin", f"pause {forever}", user_id=BEN).json()["text"]
            assert "For example: `/checkin pause" in reply, reply
            assert the_pair(runtime.sessions).status == "active"

        reply = slack.command("/checkin", "pause 2 weeks", user_id=BEN).json()["text"]
        assert "Paused until" in reply
        paused = the_pair(runtime.sessions)
        assert paused.status == "paused" and paused.paused_until
        assert abs(paused.paused_until - (START + 14 * DAY)) < HOUR
        moment = run_until(runtime, clock, START, START + 21 * DAY, 6 * HOUR)

    told = [m for m in sent(runtime.sessions) if m.kind in ("paused", "resumed")]
    assert [(m.kind, m.to) for m in told] == [
        ("paused", f"{BEN},{ANA}"),
        ("resumed", f"{BEN},{ANA}"),
    ]
    meetings = [m for m in sent(runtime.sessions) if m.kind in ("prompt", "prep", "followup")]
    assert meetings and min(m.at for m in meetings) >= START + 14 * DAY
    assert the_pair(runtime.sessions).status == "active"

    with freeze_time(moment, tick=True):
        slack.command("/checkin", "pause until 2027-04-20", user_id=ANA)  # the mentor may too
        assert the_pair(runtime.sessions).status == "paused"
        reply = slack.command("/checkin", "resume", user_id=BEN).json()["text"]
        assert "running again" in reply
        assert the_pair(runtime.sessions).status == "active"
        again = slack.command("/checkin", "resume", user_id=BEN).json()["text"]
        assert "not paused" in again


def test_a_pause_ended_before_the_meeting_brings_its_prompts_back(
    slack: SignedSlackClient, runtime: Runtime
) -> None:
    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        agree(slack, the_pair(runtime.sessions).id, weekday="2", at="12:00", cadence="weekly")
        # Ben's prep goes on Tuesday 12:00 in New York; Ana's prompt waits for 09:00 in Tokyo.
        moment = run_until(runtime, clock, START, datetime(2027, 3, 2, 18, tzinfo=UTC), HOUR)
        assert [p.kind for p in sent(runtime.sessions) if p.kind in ("prep", "prompt")] == ["prep"]
        slack.command("/checkin", "pause 1 week", user_id=BEN)
        clock.move_to(moment + HOUR)
        slack.command("/checkin", "resume", user_id=BEN)
        run_until(runtime, clock, moment + HOUR, datetime(2027, 3, 3, 12, tzinfo=UTC), HOUR)
    prompts = [(p.kind, p.to, p.at) for p in sent(runtime.sessions) if p.kind in ("prep", "prompt")]
    assert prompts == [
        ("prep", BEN, datetime(2027, 3, 2, 17, tzinfo=UTC)),
        ("prompt", ANA, datetime(2027, 3, 3, 0, tzinfo=UTC)),
    ]
