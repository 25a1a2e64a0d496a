"""Announcements: written in a modal, posted to the cohort's channel once, at their time."""

from __future__ import annotations

import json
import tracemalloc
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot.errors import InvalidForm
from mentorbot.bot.models import Announcement, OutboundMessage
from mentorbot.bot.services.announcements import schedule_announcement
from mentorbot.bot.services.cohorts import create_cohort
from mentorbot.bot.tick import run_tick
from mentorbot.bot.timeutil import utcnow
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.programme import CHANNEL, COORD, OUTSIDER, create_spring, mentoring

LONDON = ZoneInfo("Europe/London")


pytestmark = pytest.mark.usefixtures("people")


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


# Templates whose filling in would be huge or endless, and what the refusal says. None of
# these values is ever built: a trillion characters could not be.
TOO_COSTLY = [
    ("{{ '9' * 99999999 }}", "this comes to 99,999,999 characters"),
    ("{{ '9' * 10**12 }}", "this comes to 1,000,000,000,000 characters"),
    ("{{ 10 ** 100000 }}", "this comes to 100,001 characters"),
    ("{{ 'x' | center(10**8) }}", "this comes to 100,000,000 characters"),
    ("{{ 'x'.ljust(10**8) }}", "this comes to 100,000,000 characters"),
    ("{{ 'x' | indent(10**8, true) }}", "this comes to 100,000,001 characters"),
    ("{{ '{:>100000000}'.format(1) }}", "this comes to at least 100,000,000 characters"),
    ("{{ '%100000000d' % 1 }}", "this comes to at least 100,000,000 characters"),
    ("{{ ('ab' * 1500) | replace('a', 'a' * 3000) }}", "this comes to 4,501,500 characters"),
    (
        "{% set ns = namespace(s='9') %}{% for i in range(26) %}{% set ns.s = ns.s ~ ns.s %}"
        "{% endfor %}{{ ns.s }}",
        "this comes to 4,096 characters",
    ),
    (
        "{% set s %}{% for i in range(2000) %}" + "9" * 1000 + "{% endfor %}{% endset %}{{ s }}",
        "this comes to 2,000,000 characters",
    ),
    ("{% for i in range(1600) %}ab{% endfor %}", "this comes to 3,200 characters"),
    ("{% for i in range(10**12) %}{% endfor %}", "this counts 1,000,000,000,000 numbers"),
    (
        "{% for a in range(3000) %}{% for b in range(3000) %}{% endfor %}{% endfor %}",
        "filling this in takes more than 50,000 steps",
    ),
]


@pytest.mark.parametrize(("text", "says"), TOO_COSTLY)
def test_what_would_cost_too_much_to_fill_in_is_refused_before_it_is_made(
    session: Session, text: str, says: str
) -> None:
    now = datetime(2027, 3, 1, 12, tzinfo=UTC)
    cohort = create_cohort(
        session,
        team_id="T0MENTOR",
        name="Spring",
        channel_id="C0COHORT",
        starts_on=date(2027, 3, 1),
        weeks=12,
        cadence="biweekly",
        created_by=COORD,
        now=now,
    )
    tracemalloc.start()
    try:
        with pytest.raises(InvalidForm) as refused:
            schedule_announcement(
                session,
                cohort=cohort,
                text=text,
                send_at=now,
                created_by=COORD,
                now=now,
                zone=LONDON,
            )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.field == "text"
    assert says in str(refused.value) and str(refused.value).startswith("Sorry, ")
    assert peak < 5_000_000  # bytes: nothing near the value's size was allocated
    assert session.scalars(select(Announcement)).all() == []


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            "{{ '9' * 99999999 }}",
            "Sorry, this comes to 99,999,999 characters; an announcement can be up to 3,000. "
            "Please make it shorter.",
        ),
        (
            "{{ 2 ** 20000 }}",
            "Sorry, this comes to 6,021 characters; an announcement can be up to 3,000.",
        ),
        (
            "{% for week in range(10**12) %}{{ week }}{% endfor %}",
            "Sorry, this counts 1,000,000,000,000 numbers with range(); an announcement can "
            "count up to 3,000. Please make it simpler.",
        ),
    ],
)
def test_the_modal_says_how_long_it_would_come_to_next_to_the_message(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin, text: str, says: str
) -> None:
    create_spring(slack)
    cohort = cohort_id(slack, standin)
    answer = slack.view_submission(COORD, "announce", form(cohort, text)).json()
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["text"]
    assert says in answer["errors"]["text"]
    with runtime.sessions() as session:
        assert session.scalars(select(Announcement)).all() == []
    run_tick(runtime.sessions, runtime.client, utcnow() + timedelta(minutes=1))
    assert posts(standin) == []


def test_one_that_no_longer_fits_when_due_is_not_posted_and_its_author_is_told(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    start = datetime(2027, 3, 1, 12, tzinfo=UTC)  # Monday 1 March 2027
    moment = datetime(2027, 3, 3, 10, tzinfo=LONDON)  # Wednesday, in working hours
    # 250 characters for each week left: 11 weeks left on 3 March, 2,750 characters.
    text = "Countdown: {{ '9' * (weeks_left * 250) }}"
    with freeze_time(start, tick=True):
        create_spring(slack, "starts 2027-03-01 weeks 12")
        cohort = cohort_id(slack, standin)
        values = form(cohort, text, "later", "2027-03-03", "10:00")
        assert slack.view_submission(COORD, "announce", values).json()["response_action"] == (
            "update"
        )
        # Four more weeks: on 3 March it now comes to 15 weeks left, 3,750 characters.
        assert "2027" in mentoring(slack, "cohort extend Spring 2027 weeks 4")
    run_tick(runtime.sessions, runtime.client, moment)
    run_tick(runtime.sessions, runtime.client, moment + timedelta(days=1))
    assert posts(standin) == []
    with runtime.sessions() as session:
        [row] = session.scalars(select(Announcement)).all()
        assert row.sent_at is None and row.cancelled_at == moment
        [queued] = session.scalars(
            select(OutboundMessage).where(OutboundMessage.target_id == COORD)
        ).all()
    assert queued.status == "sent"
    told = [m for m in standin.messages_in(COORD) if "was not posted" in m["text"]]
    assert len(told) == 1
    shown = json.dumps(told[0], ensure_ascii=False)
    assert "Your announcement to *Spring 2027* in <#C0SPRING>" in shown
    # The 3,750 nines alone are too long: refused before they are made.
    assert "was not posted: this comes to 3,750 characters; an announcement can be up to 3,000" in (
        shown
    )
    assert "Countdown:" in shown  # the announcement, quoted
    with freeze_time(moment + timedelta(days=1), tick=True):
        assert "No announcements are scheduled" in mentoring(slack, "announcements")
