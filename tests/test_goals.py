"""Goals: set by `/checkin goal` or in the modal, undone, marked done, reminded of when due."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from freezegun import freeze_time

from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.programme import ANA, BEN
from tests.rhythm import form, pair_ana_and_ben, run_until, sent, the_pair
from tests.weeks import START, rows, view_of

pytestmark = pytest.mark.usefixtures("people")


def test_goals_from_the_command_and_the_modal_with_done_and_a_due_reminder(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        pair_id = the_pair(runtime.sessions).id
        added = slack.command(
            "/checkin", "goal Give a talk at the guild by 2027-03-10", user_id=BEN
        )
        assert "Goal added" in added.json()["text"] and "10 March 2027" in added.json()["text"]
        oops = slack.command("/checkin", "goal setting with my manager is hard", user_id=BEN)
        [undo] = [b for b in oops.json()["blocks"] if b["type"] == "actions"]
        value = undo["elements"][0]["value"]
        assert slack.block_action(ANA, "goal_undo", value=value, message=oops.json()).status == 200
        assert any("setting with my manager" in g for g in rows(runtime.sessions)["goals"])
        slack.block_action(BEN, "goal_undo", value=value, message=oops.json())
        assert not any("setting with my manager" in g for g in rows(runtime.sessions)["goals"])
        mentor = slack.command("/checkin", "goal Something for Ben", user_id=ANA).json()["text"]
        assert "goals belong to the mentee" in mentor

        slack.command("/checkin", "goals", user_id=BEN)
        modal = view_of(standin)
        assert modal["callback_id"] == "goal" and "Give a talk at the guild" in json.dumps(modal)
        smart = form(title="Lead the Q3 planning", measure="Plan agreed by the team")
        done = slack.view_submission(BEN, "goal", smart, str(pair_id)).json()
        assert done["response_action"] == "update"
        assert "Lead the Q3 planning" in json.dumps(done["view"])

        slack.command("/checkin", "goals", user_id=BEN)
        modal = view_of(standin)
        [talk_id] = [
            b["accessory"]["options"][0]["value"]
            for b in modal["blocks"]
            if "Give a talk" in json.dumps(b) and "accessory" in b
        ]
        chose = {"type": "overflow", "selected_option": {"value": talk_id}}
        slack.block_action(BEN, "goal_change", view=modal, action=chose)
        assert "Give a talk at the guild:done" in rows(runtime.sessions)["goals"]
        assert standin.calls_to("views.update")

        slack.command("/checkin", "goal Write the design doc by 2027-03-05", user_id=BEN)
        run_until(runtime, clock, START, START + timedelta(days=3), timedelta(hours=1))
    reminders = sent(runtime.sessions, "goaldue")
    assert [(r.to, "Write the design doc" in r.text) for r in reminders] == [(BEN, True)]
