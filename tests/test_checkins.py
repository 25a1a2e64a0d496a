"""`/checkin` for mentees and mentors: the modal, quick check-ins with undo, DMs, history,
goals, moving a meeting, personal hours, App Home, and polite refusals that change nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.models import CheckIn, Goal, Member, OutboundMessage, Pair
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.programme import ANA, BEN, CAT, COORD, add_people
from tests.rhythm import (
    agree,
    chosen,
    form,
    pair_ana_and_ben,
    picked_date,
    picked_time,
    run_until,
    sent,
    the_pair,
)

START = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def people(standin: SlackStandin) -> None:
    add_people(standin)


def rows(sessions: sessionmaker[Session]) -> dict[str, Any]:
    pair = the_pair(sessions)
    with sessions() as session:
        return {
            "checkins": session.scalar(select(func.count()).select_from(CheckIn)),
            "goals": sorted(session.scalars(select(Goal.title + ":" + Goal.status))),
            "pair": (pair.status, pair.next_meeting_at),
        }


def view_of(standin: SlackStandin) -> dict[str, Any]:
    """The modal opened last, as Slack holds it (with its id and hash)."""
    view = standin.calls_to("views.open")[-1].args["view"]
    opened = json.loads(view) if isinstance(view, str) else dict(view)
    held = [v for v in standin.views.values() if v.get("callback_id") == opened["callback_id"]]
    return dict(held[-1])


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


def test_personal_hours_decide_when_a_person_hears(
    slack: SignedSlackClient, runtime: Runtime
) -> None:
    with freeze_time(START, tick=True):
        pair_ana_and_ben(slack, "2027-03-01")
        reply = slack.command("/checkin", "hours 07:00-11:00 mon-thu", user_id=BEN).json()
        assert "07:00-11:00" in reply["text"] and "Mon, Tue, Wed, Thu" in reply["text"]
        shown = slack.command("/checkin", "hours", user_id=BEN).json()["text"]
        assert "07:00-11:00" in shown and "America/New_York" in shown
    with runtime.sessions() as session:
        ben = session.scalars(select(Member).where(Member.user_id == BEN)).one()
    assert (ben.working_hours_start, ben.working_hours_end) == (time(7), time(11))
    assert ben.workdays == "mon,tue,wed,thu"


def test_app_home_shows_the_pair_the_next_meeting_goals_and_own_checkins(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True):
        pair_ana_and_ben(slack, "2027-03-01")
        pair_id = the_pair(runtime.sessions).id
        agree(slack, pair_id, weekday="2", at="16:00", cadence="weekly")
        slack.command("/checkin", "Our first talk went well", user_id=BEN)
        for user_id in (BEN, ANA, COORD):
            event = {"type": "app_home_opened", "user": user_id, "channel": "D0", "tab": "home"}
            slack.event(event)
        ben, ana = standin.home_view(BEN), standin.home_view(ANA)
        coord = json.dumps(standin.home_view(COORD))
        ben_text, ana_text = json.dumps(ben), json.dumps(ana)
        assert f"Your mentor:* <@{ANA}>" in ben_text and "Ship the search feature" in ben_text
        assert "Our first talk went well" in ben_text and "Our first talk" not in ana_text
        meeting = datetime(2027, 3, 3, 21, tzinfo=UTC)  # Wednesday 3 March, 16:00 in New York
        assert f"<!date^{int(meeting.timestamp())}^" in ben_text
        actions = {
            e["action_id"]
            for b in (ben or {})["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
        }
        assert actions == {"checkin_open", "goal_add_open", "pause_open", "agreement_open"}
        concern = next(
            b for b in (ben or {})["blocks"] if b.get("block_id", "").startswith("concern_")
        )
        assert concern["accessory"]["action_id"] == "concern_open"  # raised privately
        assert "Cohort health" in coord and "/mentoring help" in coord
        assert "not in a mentoring pair" not in coord  # a coordinator's Home leads with cohorts

        slack.block_action(BEN, "pause_open", value=str(pair_id), view=ben)
        assert view_of(standin)["callback_id"] == "pause"
        pause = form(length=chosen("3 weeks"))
        done = slack.view_submission(BEN, "pause", pause, str(pair_id)).json()
        assert done["response_action"] == "update" and the_pair(runtime.sessions).status == "paused"
        slack.block_action(BEN, "pause_resume", value=str(pair_id), view=ben)
        assert the_pair(runtime.sessions).status == "active"
        assert "pause_open" in json.dumps(standin.calls_to("views.publish")[-1].args["view"])
        queued = len(standin.calls_to("views.open"))
        slack.block_action(BEN, "checkin_open", value=str(pair_id), view=ben)
        assert len(standin.calls_to("views.open")) == queued + 1
        assert view_of(standin)["callback_id"] == "checkin"
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboundMessage)) > 0


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
