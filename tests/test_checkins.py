"""`/checkin` for mentees and mentors: the modal, quick check-ins with undo, DMs, history, a
mentor of several picking whom it is about, and polite refusals that change nothing."""

from __future__ import annotations

import json

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from mentorbot.bot.models import CheckIn, Member, Pair
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.programme import ANA, BEN, CAT, COORD
from tests.rhythm import agree, chosen, form, pair_ana_and_ben, picked_date, the_pair
from tests.weeks import START, rows, view_of

pytestmark = pytest.mark.usefixtures("people")


def test_bad_input_is_explained_and_changes_nothing(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True):
        pair_ana_and_ben(slack, "2027-03-01")
        pair_id = the_pair(runtime.sessions).id
        agree(slack, pair_id, weekday="2", at="16:00", cadence="weekly")
        before = rows(runtime.sessions)
        queued = len(standin.calls)
        for text, expected in (
            ("goal", "say what the goal is"),
            ("goal   ", "say what the goal is"),
            ("goal Run a workshop by 2027-02-30", "is not a date"),
            ("goal Run a workshop by 2026-01-01", "has passed"),
            ("pause forever", "A pause has an end"),
            ("pause", "say how long"),
            ("reschedule tomorrow", "give the new date and time"),
            ("reschedule 2027-03-02 25:00", "is not a time"),
            ("reschedule 2026-03-02 10:00", "has passed"),
            ("hours 9 to 5", "daily window"),
            ("hours 9-5", "daily window like"),
            ("hours 18:00-09:00", "start before end"),
            ("pause until 0001-01-01", "more than a year away"),
            ("reschedule 9999-12-31 23:00", "more than a year away"),
        ):
            reply = slack.command("/checkin", text, user_id=BEN)
            assert reply.status == 200
            assert expected in reply.json()["text"], (text, reply.json())
        empty = slack.view_submission(BEN, "checkin", form(), str(pair_id)).json()
        assert empty["response_action"] == "errors" and "rating" in empty["errors"]
        no_goal = slack.view_submission(BEN, "goal", form(), str(pair_id)).json()
        assert no_goal["response_action"] == "errors" and "title" in no_goal["errors"]
        past = form(title="Speak", due=picked_date("2027-02-01"))
        assert "due" in slack.view_submission(BEN, "goal", past, str(pair_id)).json()["errors"]
        assert rows(runtime.sessions) == before
        assert [c.method for c in standin.calls[queued:]] == []  # no Slack call was made
        with runtime.sessions() as session:
            hours = session.scalars(select(Member.working_hours_start)).all()
        assert set(hours) == {None}


def test_quick_checkins_undo_dms_and_history(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True):
        pair_ana_and_ben(slack, "2027-03-01")
        reply = slack.command("/checkin", "help me prepare for my review", user_id=BEN).json()
        assert "Only you can see it" in reply["text"]
        [undo] = [
            element
            for block in reply["blocks"]
            if block["type"] == "actions"
            for element in block["elements"]
        ]
        assert rows(runtime.sessions)["checkins"] == 1
        other = slack.block_action(ANA, "checkin_undo", value=undo["value"], message=reply)
        assert other.status == 200 and rows(runtime.sessions)["checkins"] == 1
        slack.block_action(BEN, "checkin_undo", value=undo["value"], message=reply)
        assert rows(runtime.sessions)["checkins"] == 0
        assert "removed" in standin.responses[-1][1]["text"]

        dm = {"type": "message", "channel_type": "im", "channel": "D0BEN", "user": BEN}
        slack.event({**dm, "text": "Met Ana, we set a plan", "ts": "1700000000.000100"})
        slack.event({**dm, "subtype": "message_changed", "text": "edited", "ts": "1.2"})
        slack.event({**dm, "subtype": "message_deleted", "ts": "1.3"})
        slack.event({**dm, "bot_id": "B1", "text": "from a bot", "ts": "1.4"})
        assert rows(runtime.sessions)["checkins"] == 1
        [confirm] = [c for c in standin.calls_to("chat.postMessage") if c.args.get("thread_ts")]
        assert confirm.args["thread_ts"] == "1700000000.000100"

        history = slack.command("/checkin", "history", user_id=BEN).json()["text"]
        assert "Met Ana, we set a plan" in history
        assert (
            "no check-ins yet" in slack.command("/checkin", "history", user_id=ANA).json()["text"]
        )


def test_a_mentor_of_several_people_picks_whom_a_checkin_is_about(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True):
        pair_ana_and_ben(slack, "2027-03-01")
        slack.command("/mentoring", f"pair <@{ANA}|ana> <@{CAT}|cat>", user_id=COORD)
        slack.command("/checkin", "", user_id=ANA)
        modal = view_of(standin)
        [choice] = [b for b in modal["blocks"] if b.get("block_id") == "pair"]
        options = {o["text"]["text"]: o["value"] for o in choice["element"]["options"]}
        assert set(options) == {"ben", "cat"}
        values = form(pair=chosen(options["cat"]), went_well="Cat found her footing")
        done = slack.view_submission(ANA, "checkin", values, modal["private_metadata"]).json()
        assert done["response_action"] == "update"
        # Pause on one mentee's panel pauses that pair only.
        slack.block_action(ANA, "pause_open", value=options["cat"])
        paused = view_of(standin)
        slack.view_submission(
            ANA, "pause", form(length=chosen("1 week")), paused["private_metadata"]
        )
        with runtime.sessions() as session:
            status = dict(session.execute(select(Pair.mentee_id, Pair.status)).all())
        assert status == {BEN: "active", CAT: "paused"}
        outsider = form(pair=chosen(options["cat"]), went_well="Not mine to write")
        refused = slack.view_submission(BEN, "checkin", outsider, modal["private_metadata"])
        assert "only the mentor and mentee" in json.dumps(refused.json())
    with runtime.sessions() as session:
        written = session.scalars(select(CheckIn)).all()
        assert [(c.author_id, c.pair_id) for c in written] == [(ANA, int(options["cat"]))]
