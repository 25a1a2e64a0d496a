"""Moving one meeting, by `/checkin reschedule` or the modal: the rhythm goes on, both told."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.programme import ANA, BEN
from tests.rhythm import (
    agree,
    form,
    pair_ana_and_ben,
    picked_date,
    picked_time,
    run_until,
    sent,
    the_pair,
)
from tests.weeks import START, view_of

pytestmark = pytest.mark.usefixtures("people")


def test_moving_one_meeting_keeps_the_rhythm_and_tells_both(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        pair_id = the_pair(runtime.sessions).id
        agree(slack, pair_id, weekday="2", at="16:00", cadence="weekly")  # Wednesdays, New York
        regular = the_pair(runtime.sessions).next_meeting_at
        reply = slack.command("/checkin", "reschedule 2027-03-04T10:00", user_id=BEN).json()
        assert "Moved" in reply["text"]
        moved = the_pair(runtime.sessions)
        assert moved.next_meeting_at == datetime(2027, 3, 4, 15, 0, tzinfo=UTC)  # 10:00 EST
        assert moved.moved_from == regular

        too_far = slack.command("/checkin", "reschedule 2027-03-12 10:00", user_id=BEN).json()
        assert "after the meeting that follows" in too_far["text"]

        run_until(runtime, clock, START, START + timedelta(days=5), timedelta(hours=1))
        after = the_pair(runtime.sessions)
        assert after.next_meeting_at == regular + timedelta(days=7)  # the rhythm goes on
        assert after.moved_from is None

        slack.block_action(ANA, "meeting_move_open", value=str(pair_id))
        modal = view_of(standin)
        assert modal["callback_id"] == "meeting_move" and "Asia/Tokyo" in json.dumps(modal)
        values = form(date=picked_date("2027-03-11"), time=picked_time("09:00"))
        slack.view_submission(ANA, "meeting_move", values, str(pair_id))
        assert the_pair(runtime.sessions).next_meeting_at == datetime(2027, 3, 11, 0, tzinfo=UTC)
    told = sent(runtime.sessions, "moved")
    assert [m.to for m in told] == [f"{BEN},{ANA}"]
