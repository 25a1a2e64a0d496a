"""User text never pings anyone or breaks a message.

Whatever a person types (a check-in, a DM, a goal, an agreement, a mistyped command) is
escaped wherever the bot shows it in mrkdwn: `<!channel> & <@U0COORD> <https://evil|click>`
arrives as `&lt;!channel&gt; &amp; …`, so it pages nobody and links nowhere. Long text is
cut to Block Kit's limits, and every message still passes the stand-in's checks.
Plain-text objects and a modal's initial values show text as typed; they need no escaping.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import select, update

from mentorbot.bot.models import Announcement, CheckIn, OutboundMessage
from mentorbot.bot.tick import run_tick
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.standin.contract import check_message_content, check_view
from mentorbot.standin.signed_client import BotResponse
from tests.payloads import strings_in
from tests.programme import ANA, BEN, CHANNEL, COORD, mention, mentoring
from tests.rhythm import (
    chosen,
    form,
    pair_ana_and_ben,
    picked_time,
    run_until,
    the_pair,
    ticked,
)

START = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)  # a Monday
HOSTILE = "<!channel> & <@U0COORD> <https://evil.example|click>"
SHOWN = "&lt;!channel&gt; &amp; &lt;@U0COORD&gt; &lt;https://evil.example|click&gt;"
# What would page the channel, ping the coordinator or make a link, were it not escaped.
RAW = ("<!channel>", "<@U0COORD>", "<https://evil")
# Keys whose strings Slack shows as typed, never as mrkdwn.
AS_TYPED = frozenset({"initial_value", "private_metadata", "errors"})
# An escape a cut left half: `&am…`, `&l…`.
HALVED = re.compile(r"&(?:a|am|amp|l|lt|g|gt)?…")


pytestmark = pytest.mark.usefixtures("people")


class Answers:
    """Every HTTP answer the bot gave (ephemeral replies, modal updates), as JSON."""

    def __init__(self) -> None:
        self.bodies: list[Any] = []

    def keep(self, response: BotResponse) -> Any:
        assert response.status == 200, response.body
        body = response.json() if response.body else {}
        self.bodies.append(body)
        return body


def mrkdwn_texts(value: Any) -> Iterator[str]:
    """Every string of a payload that Slack may render as mrkdwn (JSON strings unpacked)."""
    return strings_in(value, skip_keys=AS_TYPED | {"token"}, skip_plain_text=True)


def everything_shown(standin: SlackStandin, answers: Answers) -> list[tuple[str, str]]:
    """(where, text) for every mrkdwn string the bot sent: Web API calls, response_url
    replies and HTTP answers."""
    found = [(call.method, text) for call in standin.calls for text in mrkdwn_texts(call.args)]
    found += [
        ("response_url", text) for _, payload in standin.responses for text in mrkdwn_texts(payload)
    ]
    found += [("answer", text) for body in answers.bodies for text in mrkdwn_texts(body)]
    return found


def assert_pings_nobody(standin: SlackStandin, answers: Answers) -> None:
    offending = [
        (where, text[:200])
        for where, text in everything_shown(standin, answers)
        for raw in RAW
        if raw in text
    ]
    assert offending == []


def posted(standin: SlackStandin, marker: str) -> list[str]:
    """The chat.postMessage calls (as JSON) that hold `marker`."""
    calls = [json.dumps(c.args, ensure_ascii=False) for c in standin.calls_to("chat.postMessage")]
    return [call for call in calls if marker in call]


def shown_in(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False)


def test_hostile_text_is_shown_escaped_on_every_surface_and_pings_nobody(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    answers = Answers()
    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        pair_id = str(the_pair(runtime.sessions).id)

        # The agreement: expectations, boundaries and a first goal, to both in a group DM.
        terms = form(
            cadence=chosen("weekly"),
            weekday=chosen("2"),
            time=picked_time("16:00"),
            place=chosen("video"),
            expectations=HOSTILE,
            boundaries=HOSTILE,
            goal=HOSTILE,
            outside_hours_ok=ticked("ok"),  # 06:00 in Tokyo for Ana
        )
        agreed = answers.keep(slack.view_submission(BEN, "agreement", terms, pair_id))
        assert agreed["response_action"] == "update" and SHOWN in shown_in(agreed["view"])

        # A quick check-in, a check-in shared through the modal, and one by DM.
        quick = answers.keep(slack.command("/checkin", HOSTILE, user_id=BEN))
        assert SHOWN in quick["text"] and SHOWN in shown_in(quick["blocks"])
        shared = form(
            rating=chosen("4"),
            went_well=HOSTILE,
            blockers=HOSTILE,
            next_steps=HOSTILE,
            share=ticked("share"),
        )
        done = answers.keep(slack.view_submission(BEN, "checkin", shared, pair_id))
        assert SHOWN in shown_in(done["view"])
        dm = standin.dm_channel_for(BEN)
        event = {"type": "message", "channel_type": "im", "channel": dm, "user": BEN}
        slack.event({**event, "text": HOSTILE, "ts": "1772366400.000100"})
        [confirm] = [c for c in standin.calls_to("chat.postMessage") if c.args.get("thread_ts")]
        assert SHOWN in shown_in(confirm.args)
        history = answers.keep(slack.command("/checkin", "history", user_id=BEN))
        assert history["text"].count(SHOWN) == 3

        # Goals: from the command (with a due date), from the modal, and the lists of them.
        added = slack.command("/checkin", f"goal {HOSTILE} two by 2027-03-05", user_id=BEN)
        assert SHOWN in answers.keep(added)["text"]
        smart = form(title=f"{HOSTILE} three", measure=HOSTILE)
        goal = answers.keep(slack.view_submission(BEN, "goal", smart, pair_id))
        assert SHOWN in shown_in(goal["view"])
        answers.keep(slack.command("/checkin", "goals", user_id=BEN))
        # Three titles (the agreement's first goal among them) and one measure.
        assert shown_in(standin.calls_to("views.open")[-1].args).count(SHOWN) == 4
        mentor_list = answers.keep(slack.command("/checkin", "goals", user_id=ANA))
        assert mentor_list["text"].count(SHOWN) == 3
        answers.keep(slack.command("/checkin", "", user_id=BEN))  # goals as plain-text options

        # Mistyped commands that quote what was typed back, escaped (mentions and all).
        for user_id, command, text in (
            (BEN, "/checkin", f"pause until {HOSTILE}"),
            (BEN, "/checkin", "hours <@U0COORD>"),
            (BEN, "/checkin", "reschedule <@U0COORD> 10:00"),
            (COORD, "/mentoring", f"cohort create Autumn <#{CHANNEL}|spring> starts {HOSTILE}"),
            (COORD, "/mentoring", "cohort create Autumn #<@U0COORD>"),
            (COORD, "/mentoring", "import <@U0COORD> dry-run"),
            (COORD, "/mentoring", "coordinator add x<@U0COORD>"),
            (COORD, "/mentoring", f"pair {mention(ANA)} @<@U0COORD>"),
        ):
            reply = answers.keep(slack.command(command, text, user_id=user_id))["text"]
            assert "&lt;@U0COORD&gt;" in reply, (text, reply)
            assert HOSTILE not in text or SHOWN in reply, (text, reply)

        # Deliver: the kickoff, the agreement, the mentor's prompt, the goal's reminder.
        run_until(runtime, clock, START, START + timedelta(days=4), timedelta(hours=1))
        [agreement] = posted(standin, "*Expectations:*")
        assert agreement.count(SHOWN) == 3  # expectations, boundaries, the first goal
        [prompt] = posted(standin, "What they shared with you")
        assert prompt.count(SHOWN) >= 3 + 1  # the shared check-in and the open goals
        [reminder] = [m for m in standin.messages_in(BEN) if "goal_done" in json.dumps(m)]
        assert SHOWN in shown_in(reminder["blocks"])
        [button] = [
            e
            for b in reminder["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == "goal_done"
        ]
        slack.block_action(BEN, "goal_done", value=button["value"], message=reminder, channel_id=dm)
        assert SHOWN in standin.responses[-1][1]["text"]

        # The App Home: the mentee's own check-ins and goals; what the mentor was shown.
        for user_id in (BEN, ANA):
            slack.event(
                {"type": "app_home_opened", "user": user_id, "channel": "D0", "tab": "home"}
            )
        assert SHOWN in shown_in(standin.home_view(BEN))
        assert SHOWN in shown_in(standin.home_view(ANA))

    assert_pings_nobody(standin, answers)
    methods = {where for where, text in everything_shown(standin, answers) if SHOWN in text}
    assert {"chat.postMessage", "views.open", "views.publish", "response_url", "answer"} <= methods


def test_a_typed_mention_in_a_cohort_name_or_cadence_is_shown_not_rendered(
    slack: SignedSlackClient, standin: SlackStandin
) -> None:
    answers = Answers()
    pair_ana_and_ben(slack, "2027-03-01")
    for text in (
        "cohort show <@U0COORD>",
        f"cohort create Autumn <#{CHANNEL}|spring> cadence <@U0COORD>",
    ):
        reply = answers.keep(slack.command("/mentoring", text, user_id=COORD))
        assert "&lt;@U0COORD&gt;" in reply["text"], reply
    assert_pings_nobody(standin, answers)


def test_an_announcement_pages_nobody_but_keeps_links_and_dates(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    answers = Answers()
    pages = "<!here> <!channel|channel> <!everyone> <!group> <!subteam^S0MENTORS|@mentors>"
    text = (
        "Welcome to {{ cohort }}! " + pages + " Read <https://example.com/guide|the guide> "
        "by <!date^1804000000^{date}|a date>."
    )

    def announce(when: str, day: str = "", at: str = "", words: str = text) -> None:
        assert mentoring(slack, "announce") == ""
        modal = standin.calls_to("views.open")[-1].args["view"]
        modal = json.loads(modal) if isinstance(modal, str) else modal
        [block] = [b for b in modal["blocks"] if b.get("block_id") == "cohort"]
        cohort = block["element"]["initial_option"]["value"]
        values = {
            "cohort": {"value": {"type": "static_select", "selected_option": {"value": cohort}}},
            "text": {"value": {"type": "plain_text_input", "value": words}},
            "when": {"value": {"type": "radio_buttons", "selected_option": {"value": when}}},
            "date": {"value": {"type": "datepicker", "selected_date": day or None}},
            "time": {"value": {"type": "timepicker", "selected_time": at or None}},
        }
        done = answers.keep(slack.view_submission(COORD, "announce", values))
        assert done["response_action"] == "update", done

    def post(marker: str) -> dict[str, Any]:
        [found] = [m for m in standin.messages_in(CHANNEL) if marker in m["text"]]
        return found

    with freeze_time(START, tick=True):
        mentoring(slack, f"cohort create Spring & Summer <#{CHANNEL}|spring> starts 2027-03-01")
        announce("later", "2027-03-03", "09:00")  # London: 09:00 UTC
        listed = answers.keep(slack.command("/mentoring", "announcements", user_id=COORD))
        assert "&lt;!here&gt; &lt;!channel|channel&gt;" in shown_in(listed["blocks"])
        announce("now")
        longest = ("Hi <!channel> " * 300)[:3000]  # 3,000 characters that grow when defused
        announce("now", words=longest)
        run_tick(runtime.sessions, runtime.client, START + timedelta(minutes=5))
        now_post = post("Welcome to Spring &amp; Summer!")  # the cohort's name, escaped
        long_post = post("Hi &lt;!channel> Hi")
        assert "<!channel>" not in shown_in(long_post)
        assert len(long_post["text"]) == 3000 and long_post["text"].endswith("…")
        # A stored text that no longer fills in is posted as written, and still pages nobody.
        with runtime.sessions.begin() as session:
            session.execute(
                update(Announcement)
                .where(Announcement.sent_at.is_(None))
                .values(text=Announcement.text + " {{ gone }} <!channel>")
            )
        run_tick(runtime.sessions, runtime.client, datetime(2027, 3, 3, 9, 1, tzinfo=UTC))
        later_post = post("{{ gone }}")
    for message in (now_post, later_post):
        for words in (message["text"], shown_in(message["blocks"])):
            assert not re.search(r"<!(?!date\^)", words), words
            assert "<https://example.com/guide|the guide>" in words
            assert "<!date^1804000000^{date}|a date>" in words
            assert "&lt;!subteam^S0MENTORS|@mentors>" in words
    assert_no_broken_message(standin, answers)


def assert_no_broken_message(standin: SlackStandin, answers: Answers) -> None:
    """The stand-in accepted every call; every HTTP answer passes the same checks."""
    standin.assert_no_violations()
    assert [(c.method, c.error) for c in standin.calls if not c.ok] == []
    for body in answers.bodies:
        if "view" in body:
            assert check_view(body["view"], "modal") == [], body
        elif "text" in body or "blocks" in body:
            assert check_message_content(body) == [], body
    halved = [
        (where, text[-40:])
        for where, text in everything_shown(standin, answers)
        if HALVED.search(text)
    ]
    assert halved == []


def test_long_text_is_cut_to_block_kit_limits_and_every_message_is_valid(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    answers = Answers()

    def filled(length: int) -> str:
        """`length` characters that grow four- or fivefold when escaped."""
        return ("<&>" * length)[:length]

    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        pair_id = str(the_pair(runtime.sessions).id)
        terms = form(
            cadence=chosen("weekly"),
            weekday=chosen("2"),
            time=picked_time("16:00"),
            place=chosen("video"),
            expectations=filled(1000),
            boundaries=filled(1000),
            goal=filled(300),
            outside_hours_ok=ticked("ok"),  # 06:00 in Tokyo for Ana
        )
        answers.keep(slack.view_submission(BEN, "agreement", terms, pair_id))

        # The longest check-ins allowed, and one too long (refused politely, not cut).
        answers.keep(slack.command("/checkin", filled(3000), user_id=BEN))
        too_long = answers.keep(slack.command("/checkin", "x" * 5000, user_id=BEN))
        assert "5000 characters" in too_long["text"]
        dm = standin.dm_channel_for(BEN)
        event = {"type": "message", "channel_type": "im", "channel": dm, "user": BEN}
        slack.event({**event, "text": filled(3000), "ts": "1772366400.000100"})
        slack.event({**event, "text": "y" * 5000, "ts": "1772366400.000200"})
        fields = {name: filled(3000) for name in ("went_well", "blockers", "next_steps")}
        shared = form(rating=chosen("2"), share=ticked("share"), **fields)
        answers.keep(slack.view_submission(BEN, "checkin", shared, pair_id))
        refused = answers.keep(
            slack.view_submission(BEN, "checkin", form(went_well="z" * 5000), pair_id)
        )
        assert refused["response_action"] == "errors"
        answers.keep(slack.command("/checkin", "history", user_id=BEN))

        # Many long goals: the mentor's prompt and the App Home list them all.
        for n in range(12):
            title = filled(290 - len(f" {n} by 2027-03-05")) + f" {n}"
            answers.keep(slack.command("/checkin", f"goal {title} by 2027-03-05", user_id=BEN))
        answers.keep(
            slack.view_submission(
                BEN, "goal", form(title=filled(300), measure=filled(1000)), pair_id
            )
        )
        answers.keep(slack.command("/checkin", "goals", user_id=BEN))
        answers.keep(slack.command("/checkin", "goals", user_id=ANA))
        answers.keep(slack.command("/checkin", "", user_id=BEN))
        quoting = answers.keep(
            slack.command("/checkin", f"pause until {filled(3000)}", user_id=BEN)
        )
        assert len(quoting["text"]) < 1000  # what was typed is quoted back cut short

        run_until(runtime, clock, START, START + timedelta(days=4), timedelta(hours=1))
        for user_id in (BEN, ANA):
            slack.event(
                {"type": "app_home_opened", "user": user_id, "channel": "D0", "tab": "home"}
            )

    assert len(posted(standin, "What they shared with you")) == 1
    sections = [
        block["text"]["text"]
        for call in standin.calls_to("chat.postMessage")
        if "What they shared with you" in json.dumps(call.args)
        for block in _blocks(call.args)
        if block["type"] == "section"
    ]
    cut = [len(text) for text in sections if text.endswith("…")]
    assert cut and all(2990 < length <= 3000 for length in cut), [len(t) for t in sections]
    with runtime.sessions() as session:
        failed = session.scalars(
            select(OutboundMessage.dedupe_key).where(OutboundMessage.status == "failed")
        ).all()
    assert failed == []
    assert len(posted(standin, "is due on")) == 12  # every goal's reminder went out
    assert_no_broken_message(standin, answers)
    assert_pings_nobody(standin, answers)


def _blocks(args: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = args.get("blocks") or []
    return list(json.loads(blocks) if isinstance(blocks, str) else blocks)


def test_text_slack_escaped_is_stored_as_typed_and_escaped_once_when_shown(
    slack: SignedSlackClient, runtime: Runtime
) -> None:
    """Slack sends a typed `<`, `>`, `&` as entities in commands and DMs; they are stored
    as typed, and shown escaped exactly once (not `&amp;lt;`)."""
    with freeze_time(datetime(2027, 3, 1, 12, tzinfo=UTC), tick=True):
        pair_ana_and_ben(slack, "2027-03-01")
        reply = slack.command("/checkin", "Q&amp;A went well &lt;3", user_id=BEN).json()
        dm = {"type": "message", "channel_type": "im", "channel": "D0BEN", "user": BEN}
        slack.event({**dm, "text": "fish &amp; chips &gt; salad", "ts": "1700000000.000200"})
    with runtime.sessions() as session:
        stored = sorted(session.scalars(select(CheckIn.went_well)).all(), key=str)
    assert stored == ["Q&A went well <3", "fish & chips > salad"]
    assert "Q&amp;A went well &lt;3" in reply["text"] and "&amp;amp;" not in reply["text"]
