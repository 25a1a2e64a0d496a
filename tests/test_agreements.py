"""The pair's agreement: the modal validated and recorded, odd hours questioned, shown to both."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from mentorbot.bot.models import Goal, OutboundMessage
from mentorbot.bot.tick import run_tick
from mentorbot.bot.timeutil import utcnow
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.pairing import delivered, next_monday, the_pair
from tests.programme import ANA, BEN, COORD, OUTSIDER, create_spring, mention, mentoring
from tests.rhythm import opened

pytestmark = pytest.mark.usefixtures("people")


def form(**chosen: str) -> dict[str, Any]:
    """view.state.values as Slack sends them for the agreement modal."""
    selects = {"cadence", "weekday", "place"}
    values: dict[str, Any] = {}
    for block, value in chosen.items():
        if block in selects:
            element = {"type": "static_select", "selected_option": {"value": value}}
        elif block == "time":
            element = {"type": "timepicker", "selected_time": value}
        elif block == "outside_hours_ok":
            element = {"type": "checkboxes", "selected_options": [{"value": value}]}
        else:
            element = {"type": "plain_text_input", "value": value}
        values[block] = {"value": element}
    return values


def as_text(value: object) -> str:
    """A recorded argument as JSON text (the stand-in keeps parsed JSON arguments)."""
    return value if isinstance(value, str) else json.dumps(value)


GOOD = {"cadence": "weekly", "weekday": "2", "time": "16:30", "place": "video"}


def test_the_agreement_modal_validates_records_and_shows_both(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    create_spring(slack)
    mentoring(slack, f"pair {mention(ANA)} {mention(BEN)}")
    pair = the_pair(runtime.sessions, BEN)
    kickoff = {"ts": "1.000001", "blocks": [{"type": "actions", "block_id": "kickoff"}]}

    slack.block_action(BEN, "agreement_open", value=str(pair.id), message=kickoff)
    [opened] = standin.calls_to("views.open")
    view = as_text(opened.args["view"])
    assert '"callback_id": "agreement"' in view and "America/New_York" in view

    stranger = slack.block_action(OUTSIDER, "agreement_open", value=str(pair.id), message=kickoff)
    assert stranger.status == 200
    assert "only the mentor and mentee" in standin.responses[-1][1]["text"]
    assert len(standin.calls_to("views.open")) == 1

    for broken, wrong in (({"time": "25:99"}, "time"), ({"weekday": ""}, "weekday")):
        answer = slack.view_submission(BEN, "agreement", form(**{**GOOD, **broken}), str(pair.id))
        assert answer.json()["response_action"] == "errors"
        assert list(answer.json()["errors"]) == [wrong]
    assert the_pair(runtime.sessions, BEN).agreement is None

    values = form(
        **GOOD,
        expectations="Come with a question",
        goal="Give a talk by June",
        outside_hours_ok="ok",  # early morning in Tokyo for Ana
    )
    done = slack.view_submission(BEN, "agreement", values, str(pair.id)).json()
    assert done["response_action"] == "update"
    agreed = the_pair(runtime.sessions, BEN)
    assert (agreed.cadence, agreed.meeting_weekday, agreed.meeting_time) == (
        "weekly",
        2,
        time(16, 30),
    )
    assert agreed.agreement and agreed.agreement["version"] == 1
    assert agreed.next_meeting_at is not None
    local = agreed.next_meeting_at.astimezone(ZoneInfo("America/New_York"))
    assert (local.weekday(), local.time()) == (2, time(16, 30))  # the mentee's wall clock
    assert timedelta(0) < agreed.next_meeting_at - utcnow() <= timedelta(days=7)
    with runtime.sessions() as session:
        assert session.scalars(select(Goal.title)).all() == ["Give a talk by June"]

    run_tick(runtime.sessions, runtime.client, next_monday(10, ZoneInfo("America/New_York")))
    shown = delivered(runtime.sessions, f"agreement:pair{pair.id}:v1")
    [agreement] = [
        m for m in standin.messages_in(str(shown.slack_channel)) if "agreement" in m["text"]
    ]
    assert (
        "Every week, Wednesdays at 16:30 for <@U0BEN> (New York), Thursdays at" in agreement["text"]
    )

    slack.command("/checkin", "agreement", user_id=ANA)
    reopened = as_text(standin.calls_to("views.open")[-1].args["view"])
    assert '"initial_time": "16:30"' in reopened and "Come with a question" in reopened
    changed = form(**{**GOOD, "weekday": "4"})
    slack.view_submission(ANA, "agreement", changed, str(pair.id))
    assert the_pair(runtime.sessions, BEN).agreement["version"] == 2  # type: ignore[index]


def test_a_time_outside_the_other_persons_hours_is_questioned_until_both_say_it_is_fine(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    # Monday 11 January 2027, 15:00 in London: New York is on EST, Tokyo 14 hours ahead.
    with freeze_time(datetime(2027, 1, 11, 15, tzinfo=UTC), tick=True):
        create_spring(slack)
        mentoring(slack, f"pair {mention(ANA)} {mention(BEN)}")  # Ana in Tokyo, Ben in New York
        pair = the_pair(runtime.sessions, BEN)
        slack.command("/checkin", "agreement", user_id=BEN)
        modal = json.dumps(opened(standin), ensure_ascii=False)
        # The time is picked on Ben's clock, so Ana's hours are shown on it too.
        clocks = (
            "Working hours on <@U0BEN>'s clock (New York): <@U0BEN> 09:00-18:00, "
            "<@U0ANA> 19:00-04:00."
        )
        assert clocks in modal and "That time is fine for both of us" in modal

        def submit(by: str, **terms: str) -> dict[str, Any]:
            answer = slack.view_submission(by, "agreement", form(**{**GOOD, **terms}), str(pair.id))
            return dict(answer.json())

        warned = [
            # Ben's Wednesday 10:00 is Ana's midnight; his Friday evening her Saturday.
            (BEN, "2", "10:00", "00:00 on Thursday for ana in Tokyo"),
            (BEN, "4", "19:00", "09:00 on Saturday for ana in Tokyo"),
            # Whoever submits, the other person's hours are checked: the mentee's too.
            (ANA, "2", "20:00", "20:00 on Wednesday for ben in New York"),
        ]
        for by, weekday, at, when in warned:
            answer = submit(by, weekday=weekday, time=at)
            assert answer["response_action"] == "errors"
            assert list(answer["errors"]) == ["time"]
            warning = answer["errors"]["time"]
            assert warning.startswith(f"That is {when}, outside their working hours.")
            assert "tick “That time is fine for both of us”" in warning
        assert the_pair(runtime.sessions, BEN).agreement is None

        fine = submit(BEN, weekday="2", time="10:00", outside_hours_ok="ok")
        assert fine["response_action"] == "update"
        shown = json.dumps(fine["view"], ensure_ascii=False)
        assert (
            "Wednesdays at 10:00 for <@U0BEN> (New York), Thursdays at 00:00 for <@U0ANA> (Tokyo)"
            in shown
        )
        assert "<@U0BEN> confirmed that this time is fine for both of you" in shown
        agreed = the_pair(runtime.sessions, BEN)
        assert agreed.agreement and agreed.agreement["outside_hours_ok"] is True
        with runtime.sessions() as session:
            [message] = session.scalars(
                select(OutboundMessage).where(OutboundMessage.dedupe_key.like("agreement:%"))
            )
        assert "Thursdays at 00:00 for <@U0ANA> (Tokyo)" in message.payload["text"]

        slack.command("/checkin", "agreement", user_id=ANA)
        reopened = json.dumps(opened(standin), ensure_ascii=False)
        assert (
            "Agreed now: Wednesdays at 10:00 for <@U0BEN> (New York), Thursdays at 00:00 for "
            "<@U0ANA> (Tokyo). That is outside <@U0ANA>'s working hours." in reopened
        )
        assert '"initial_options"' in reopened  # what they confirmed stays ticked

        # A time outside one's own hours is one's own choice: Ben's 22:00 is Ana's noon.
        late = submit(BEN, weekday="2", time="22:00")
        assert late["response_action"] == "update"
        again = the_pair(runtime.sessions, BEN).agreement
        assert again and again["outside_hours_ok"] is False and again["version"] == 2


def test_checkin_agreement_without_a_pair_explains(slack: SignedSlackClient) -> None:
    reply = slack.command("/checkin", "agreement", user_id=COORD).json()["text"]
    assert "not in an active mentoring pair" in reply
