"""Announcements: written in a modal, posted to the cohort's channel once, at their time."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from mentorbot.bot.models import Announcement
from mentorbot.bot.tick import run_tick
from mentorbot.bot.timeutil import utcnow
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.programme import CHANNEL, COORD, OUTSIDER, add_people, create_spring, mentoring

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def people(standin: SlackStandin) -> None:
    add_people(standin)


def form(cohort_id: int, text: str, when: str = "now", day: str = "", at: str = "") -> Any:
    """view.state.values as Slack sends them for the announcement modal."""
    values: dict[str, Any] = {
        "cohort": {
            "value": {"type": "static_select", "selected_option": {"value": str(cohort_id)}}
        },
        "text": {"value": {"type": "plain_text_input", "value": text}},
        "when": {"value": {"type": "radio_buttons", "selected_option": {"value": when}}},
        "date": {"value": {"type": "datepicker", "selected_date": day or None}},
        "time": {"value": {"type": "timepicker", "selected_time": at or None}},
    }
    return values


def later(days: int, hour: int) -> tuple[str, str, datetime]:
    """A date and time `days` from now at `hour` London time, as the pickers give them."""
    day = (utcnow() + timedelta(days=days)).astimezone(LONDON).date()
    moment = datetime.combine(day, time(hour), tzinfo=LONDON).astimezone(UTC)
    return day.isoformat(), f"{hour:02d}:00", moment


def cohort_id(slack: SignedSlackClient, standin: SlackStandin) -> int:
    """Open the modal once and read the cohort's id from its only option."""
    assert mentoring(slack, "announce") == ""
    view = standin.calls_to("views.open")[-1].args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    [block] = [b for b in view["blocks"] if b.get("block_id") == "cohort"]
    return int(block["element"]["initial_option"]["value"])


def posts(standin: SlackStandin) -> list[str]:
    """Texts the bot posted in the cohort channel after its welcome."""
    return [m["text"] for m in standin.messages_in(CHANNEL)][1:]


def test_a_scheduled_announcement_is_posted_once_at_its_time(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    create_spring(slack)
    cohort = cohort_id(slack, standin)
    day, at, moment = later(3, 10)
    text = "Week {{ week }} of {{ cohort }}: {{ weeks_left }} weeks left <!channel>"
    done = slack.view_submission(COORD, "announce", form(cohort, text, "later", day, at)).json()
    assert done["response_action"] == "update"
    assert "(Europe/London)" in json.dumps(done["view"])
    with runtime.sessions() as session:
        [row] = session.scalars(select(Announcement)).all()
    assert row.send_at == moment and row.created_by == COORD

    listed = slack.command("/mentoring", "announcements", user_id=COORD).json()
    [button] = [b["accessory"] for b in listed["blocks"] if "accessory" in b]
    assert (button["action_id"], button["value"]) == ("announcement_cancel", str(row.id))

    run_tick(runtime.sessions, runtime.client, moment - timedelta(minutes=1))
    assert posts(standin) == []
    run_tick(runtime.sessions, runtime.client, moment)
    run_tick(runtime.sessions, runtime.client, moment + timedelta(minutes=1))
    assert posts(standin) == ["Week 1 of Spring 2027: 11 weeks left &lt;!channel>"]
    assert "No announcements are scheduled" in mentoring(slack, "announcements")


def test_one_due_while_the_bot_was_down_is_posted_once_when_it_is_back(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    create_spring(slack)
    cohort = cohort_id(slack, standin)
    day, at, moment = later(2, 9)
    slack.view_submission(COORD, "announce", form(cohort, "Kickoff today!", "later", day, at))
    slack.view_submission(COORD, "announce", form(cohort, "Welcome, everyone"))
    back = moment + timedelta(days=2, hours=5)
    run_tick(runtime.sessions, runtime.client, back)
    run_tick(runtime.sessions, runtime.client, back + timedelta(minutes=1))
    assert sorted(posts(standin)) == ["Kickoff today!", "Welcome, everyone"]


@pytest.mark.parametrize(
    ("text", "when", "days", "field", "says"),
    [
        ("Hello", "later", -1, "date", "has passed"),
        ("Hello", "later", None, "date", "Pick the date"),
        ("Week {{ week", "now", 0, "text", "I can't fill this in"),
        ("{{ nobody }}", "now", 0, "text", "{{ week }}"),
        ("{{ ''.__class__.__mro__ }}", "now", 0, "text", "I can't fill this in"),
        ("   ", "now", 0, "text", "Write what the announcement should say"),
    ],
)
def test_the_modal_refuses_what_cannot_be_posted(
    slack: SignedSlackClient,
    runtime: Runtime,
    standin: SlackStandin,
    text: str,
    when: str,
    days: int | None,
    field: str,
    says: str,
) -> None:
    create_spring(slack)
    cohort = cohort_id(slack, standin)
    day, at, _ = later(days or 0, 9)
    values = form(cohort, text, when, "" if days is None else day, at)
    answer = slack.view_submission(COORD, "announce", values).json()
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == [field]
    assert says in answer["errors"][field]
    with runtime.sessions() as session:
        assert session.scalars(select(Announcement)).all() == []


def test_a_cancelled_announcement_is_not_posted(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    create_spring(slack)
    cohort = cohort_id(slack, standin)
    day, at, moment = later(1, 12)
    slack.view_submission(COORD, "announce", form(cohort, "Never mind", "later", day, at))
    with runtime.sessions() as session:
        [row] = session.scalars(select(Announcement)).all()
    listing = {"ts": "1.000002", "blocks": []}
    slack.block_action(OUTSIDER, "announcement_cancel", value=str(row.id), message=listing)
    assert "only programme coordinators" in standin.responses[-1][1]["text"]
    slack.block_action(COORD, "announcement_cancel", value=str(row.id), message=listing)
    replaced = standin.responses[-1][1]
    assert replaced["replace_original"] and "No announcements are scheduled" in replaced["text"]
    run_tick(runtime.sessions, runtime.client, moment + timedelta(hours=1))
    assert posts(standin) == []


def test_announce_needs_a_running_cohort_and_a_coordinator(
    slack: SignedSlackClient, standin: SlackStandin
) -> None:
    assert "no running cohort to announce to" in mentoring(slack, "announce")
    create_spring(slack)
    assert "only programme coordinators" in mentoring(slack, "announce", user_id=OUTSIDER)
    answer = slack.view_submission(OUTSIDER, "announce", form(1, "Sneaky")).json()
    assert answer["response_action"] == "push"  # the polite refusal, as a modal
    assert standin.calls_to("views.open") == []
