"""Slack talks to the bot: signed requests reach handlers, everything else is turned away."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from freezegun import freeze_time
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.db import reading
from mentorbot.bot.models import CheckIn, Goal, Pair
from mentorbot.bot.timeutil import utcnow
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.conftest import SIGNING_SECRET
from tests.factories import TEAM, seed_pair
from tests.http import answer


@pytest.mark.over_http
def test_url_verification_is_answered(slack: SignedSlackClient) -> None:
    response = slack.url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
    assert response.status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in response.body


@pytest.mark.over_http
def test_signed_command_reaches_its_handler(slack: SignedSlackClient) -> None:
    started = time.monotonic()
    response = slack.command("/checkin", "help", user_id="U0MENTEE")
    elapsed = time.monotonic() - started
    assert response.status == 200
    reply = response.json()
    assert reply["response_type"] == "ephemeral"
    assert "/checkin help" in reply["text"]
    assert elapsed < 3.0, f"Slack gives up after 3 s; this took {elapsed:.2f} s"


@pytest.mark.over_http
def test_unsigned_request_is_refused(
    slack: SignedSlackClient, sessions: sessionmaker[Session]
) -> None:
    seed_pair(sessions, now=utcnow())
    response = slack.command("/checkin", "sneaky", user_id="U0MENTEE", sign=False)
    assert response.status == 401
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(CheckIn)) == 0


def _signed_headers(body: str, content_type: str, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """Headers for a hand-made body, signed as Slack signs (with `secret`)."""
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
        "Content-Type": content_type,
    }


@pytest.mark.over_http
def test_tampered_body_is_refused(
    slack: SignedSlackClient, sessions: sessionmaker[Session]
) -> None:
    seed_pair(sessions, now=utcnow())
    body = "command=%2Fcheckin&text=hello&user_id=U0MENTEE&team_id=T0MENTOR"
    headers = _signed_headers(body, "application/x-www-form-urlencoded")
    assert slack.raw(body.replace("hello", "hacked").encode(), headers).status == 401
    wrong_secret = _signed_headers(body, "application/x-www-form-urlencoded", secret="guess")
    assert slack.raw(body.encode(), wrong_secret).status == 401
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(CheckIn)) == 0


@pytest.mark.over_http
def test_stale_request_is_refused(slack: SignedSlackClient) -> None:
    response = slack.command(
        "/checkin", "help", user_id="U0MENTEE", timestamp=int(time.time()) - 301
    )
    assert response.status == 401
    fresh = slack.command("/checkin", "help", user_id="U0MENTEE", timestamp=int(time.time()) - 240)
    assert fresh.status == 200


def test_help_for_both_commands_lists_every_subcommand(slack: SignedSlackClient) -> None:
    from mentorbot.handlers.commands import checkin_command as checkin
    from mentorbot.handlers.commands import mentoring_command as mentoring

    for command, module in (("/checkin", checkin), ("/mentoring", mentoring)):
        text = slack.command(command, "help", user_id="U0SOMEONE").json()["text"]
        for sub in module.SUBCOMMANDS:
            assert f"{command} {sub}" in text, (command, sub)
        # A bare "<" would start a Slack link or mention; help text must escape it.
        assert re.search(r"<(?![@#!])", text) is None, text


def test_quick_checkin_is_recorded_privately(
    slack: SignedSlackClient, sessions: sessionmaker[Session]
) -> None:
    seed_pair(sessions, now=utcnow())
    reply = slack.command(
        "/checkin", "We planned my first talk <!channel>", user_id="U0MENTEE"
    ).json()
    assert "Only you can see" in reply["text"]
    assert "<!channel>" not in reply["text"] and "&lt;!channel&gt;" in reply["text"]
    with sessions() as session:
        checkin = session.scalars(select(CheckIn)).one()
    assert checkin.author_id == "U0MENTEE"
    assert checkin.went_well == "We planned my first talk <!channel>"
    assert checkin.shared_with_mentor is False


def test_checkin_without_a_pair_gets_a_polite_answer_and_changes_nothing(
    slack: SignedSlackClient, sessions: sessionmaker[Session]
) -> None:
    response = slack.command("/checkin", "hello there", user_id="U0LONER")
    assert response.status == 200
    assert "not in an active mentoring pair" in response.json()["text"]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_mentoring_refuses_non_coordinators_politely(slack: SignedSlackClient) -> None:
    response = slack.command("/mentoring", "coordinators", user_id="U0MENTEE")
    assert response.status == 200
    text = response.json()["text"]
    assert "only programme coordinators" in text
    allowed = slack.command("/mentoring", "coordinators", user_id="U0COORD").json()["text"]
    assert "<@U0COORD>" in allowed


def test_unknown_mentoring_subcommand_explains(slack: SignedSlackClient) -> None:
    text = slack.command("/mentoring", "frobnicate", user_id="U0COORD").json()["text"]
    assert "`frobnicate`" in text and "/mentoring help" in text


def _dm_event(text: str, ts: str = "1700000000.000100") -> dict:
    return {
        "type": "message",
        "channel": "D0MENTEE",
        "channel_type": "im",
        "user": "U0MENTEE",
        "text": text,
        "ts": ts,
        "event_ts": ts,
    }


@pytest.mark.over_http
def test_slack_retry_of_a_processed_event_changes_nothing(
    slack: SignedSlackClient, standin: SlackStandin, sessions: sessionmaker[Session]
) -> None:
    seed_pair(sessions, now=utcnow())
    first = slack.event(_dm_event("Great session today"), event_id="Ev0RETRY1")
    assert first.status == 200
    retry = slack.event(
        _dm_event("Great session today"),
        event_id="Ev0RETRY1",
        retry_num=1,
        retry_reason="http_timeout",
    )
    assert retry.status == 200
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(CheckIn)) == 1
    confirmations = standin.calls_to("chat.postMessage")
    assert len(confirmations) == 1
    assert confirmations[0].args["thread_ts"] == "1700000000.000100"


def test_edits_and_bot_messages_are_not_checkins(
    slack: SignedSlackClient, sessions: sessionmaker[Session]
) -> None:
    seed_pair(sessions, now=utcnow())
    edited = {**_dm_event("changed"), "subtype": "message_changed"}
    from_bot = {**_dm_event("I am a bot"), "bot_id": "B0BOT"}
    assert slack.event(edited).status == 200
    assert slack.event(from_bot).status == 200
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_app_home_is_published(slack: SignedSlackClient, standin: SlackStandin) -> None:
    event = {"type": "app_home_opened", "user": "U0MENTEE", "channel": "D0MENTEE", "tab": "home"}
    assert slack.event(event).status == 200
    published = standin.calls_to("views.publish")
    assert len(published) == 1
    assert published[0].args["user_id"] == "U0MENTEE"
    view = published[0].args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["type"] == "home"


def test_unknown_path_is_404(bot_url: str) -> None:
    assert answer(f"{bot_url}/nope")[0] == 404


NOT_FOUND = b'{"ok": false, "error": "not_found"}'


def test_every_other_path_and_method_is_the_same_json_404(bot_url: str) -> None:
    """Known paths asked with another method too: no 405, no automatic OPTIONS, no redirect
    to a tidier path; and without OAuth there are no install pages."""
    asked = [
        ("GET", "/slack/events"),
        ("PUT", "/slack/events"),
        ("OPTIONS", "/slack/events"),
        ("POST", "/healthz"),
        ("DELETE", "/healthz"),
        ("OPTIONS", "/healthz"),
        ("GET", "/healthz/"),
        ("POST", "/slack//events"),
        ("GET", "/slack/install"),
        ("GET", "/slack/oauth_redirect"),
        ("GET", "/static/app.js"),
        ("GET", "/"),
    ]
    for method, path in asked:
        got = answer(bot_url + path, method)
        assert got == (404, "application/json", NOT_FOUND), (method, path)
    assert answer(f"{bot_url}/slack/events", "HEAD") == (404, "application/json", b"")


def test_healthz_answers_get_and_head_with_its_json(bot_url: str) -> None:
    ok = b'{"ok": true, "database": "up"}'
    assert answer(f"{bot_url}/healthz") == (200, "application/json", ok)
    assert answer(f"{bot_url}/healthz", "HEAD")[:2] == (200, "application/json")


def test_unexpected_error_gets_a_polite_answer_and_rolls_back(
    slack: SignedSlackClient,
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    seed_pair(sessions, now=utcnow())
    from mentorbot.handlers.commands import checkins

    real = checkins.record_quick_checkin

    def record_then_fail(session: Session, **kwargs: object) -> None:
        real(session, **kwargs)  # type: ignore[arg-type]
        raise RuntimeError("boom")

    monkeypatch.setattr(checkins, "record_quick_checkin", record_then_fail)
    response = slack.command("/checkin", "this will not stick", user_id="U0MENTEE")
    assert response.status == 200
    text = response.json()["text"]
    assert "something went wrong on our side and nothing was changed" in text
    reference = text.split("reference `")[1].split("`")[0]
    assert any(reference in record.getMessage() for record in caplog.records)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_database_down_gets_a_polite_answer(
    bot_without_database: str, standin: SlackStandin
) -> None:
    slack = SignedSlackClient(
        f"{bot_without_database}/slack/events", SIGNING_SECRET, standin=standin
    )
    command = slack.command("/checkin", "hello", user_id="U0MENTEE")
    assert command.status == 200
    assert "can't reach my database" in command.json()["text"]
    # An event cannot carry an answer: 503 asks Slack to deliver it again later.
    assert slack.event(_dm_event("hello"), event_id="Ev0DOWN").status == 503


def test_a_slack_hiccup_after_a_dm_checkin_does_not_lose_it(
    slack: SignedSlackClient, standin: SlackStandin, sessions: sessionmaker[Session]
) -> None:
    seed_pair(sessions, now=utcnow())
    standin.fail_next("chat.postMessage", status=500)
    response = slack.event(_dm_event("Slack is wobbly but this matters"), event_id="Ev0WOBBLY")
    assert response.status == 200
    with sessions() as session:
        checkin = session.scalars(select(CheckIn)).one()
    assert checkin.went_well == "Slack is wobbly but this matters"
    assert [call.ok for call in standin.calls_to("chat.postMessage")] == [False]


def _signed(slack: SignedSlackClient, body: str, content_type: str) -> int:
    return slack.raw(body.encode(), _signed_headers(body, content_type)).status


@pytest.mark.over_http
def test_requests_bolt_cannot_parse_are_still_answered_2xx(slack: SignedSlackClient) -> None:
    form = "application/x-www-form-urlencoded"
    empty_actions = json.dumps(
        {"type": "block_actions", "team": {"id": "T0MENTOR"}, "user": {"id": "U0X"}, "actions": []}
    )
    assert _signed(slack, f"payload={quote(empty_actions)}", form) == 200
    unsigned = slack.raw(f"payload={quote(empty_actions)}".encode(), {"Content-Type": form})
    assert unsigned.status == 401
    rate_limited = json.dumps(
        {
            "token": "t",
            "type": "app_rate_limited",
            "team_id": "T0MENTOR",
            "minute_rate_limited": 1518467820,
            "api_app_id": "A0MENTORBOT",
        }
    )
    assert _signed(slack, rate_limited, "application/json") == 200
    no_channel = {
        "type": "message",
        "channel_type": "im",
        "user": "U0MENTEE",
        "text": "hi",
        "ts": "1700000000.000300",
    }
    assert slack.event(no_channel).status == 200


def test_help_only_when_asked_for_exactly(
    slack: SignedSlackClient, sessions: sessionmaker[Session]
) -> None:
    seed_pair(sessions, now=utcnow())
    reply = slack.command("/checkin", "help me prepare for the next meeting", user_id="U0MENTEE")
    assert "Checked in" in reply.json()["text"]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(CheckIn)) == 1


def test_control_characters_are_dropped_the_same_on_every_database(
    slack: SignedSlackClient, sessions: sessionmaker[Session]
) -> None:
    seed_pair(sessions, now=utcnow())
    reply = slack.command("/checkin", "a\x00b\x07c\r\nnext line\tend", user_id="U0MENTEE")
    assert "Checked in" in reply.json()["text"]
    with sessions() as session:
        assert session.scalars(select(CheckIn.went_well)).one() == "abc\nnext line\tend"


def test_checkin_time_is_the_moment_of_the_request(
    slack: SignedSlackClient, sessions: sessionmaker[Session]
) -> None:
    seed_pair(sessions, now=utcnow())
    with freeze_time("2027-03-09 08:30:00", tick=True):
        assert slack.command("/checkin", "on time", user_id="U0MENTEE").status == 200
    with sessions() as session:
        created = session.scalars(select(CheckIn.created_at)).one()
    assert created.tzinfo is not None
    assert datetime(2027, 3, 9, 8, 30, tzinfo=UTC) <= created
    assert created < datetime(2027, 3, 9, 8, 31, tzinfo=UTC)


def test_slack_has_its_answer_before_the_calls_that_follow_it(
    bot_url: str, runtime: Runtime, standin: SlackStandin, sessions: sessionmaker[Session]
) -> None:
    """Opening a modal and confirming a DM check-in wait for Slack's Web API; the
    acknowledgement Slack needs within 3 s does not wait for them."""
    seed_pair(sessions, now=utcnow())
    # No `settle`: each answer returns as soon as the bot sends it. Were it to wait for the
    # held calls, it would time out.
    slack = SignedSlackClient(
        f"{bot_url}/slack/events", SIGNING_SECRET, standin=standin, timeout=10
    )
    opening = standin.hold("views.open")
    confirming = standin.hold("chat.postMessage")
    assert slack.command("/checkin", "", user_id="U0MENTEE").status == 200
    assert slack.event(_dm_event("a good week"), event_id="Ev0FIRST").status == 200
    assert standin.calls_to("views.open") == standin.calls_to("chat.postMessage") == []

    opening.set()
    confirming.set()
    runtime.settle()
    assert [call.ok for call in standin.calls_to("views.open")] == [True]
    [confirmation] = standin.calls_to("chat.postMessage")
    assert confirmation.ok and confirmation.args["thread_ts"] == "1700000000.000100"
    with sessions() as session:
        assert session.scalar(select(CheckIn.went_well)) == "a good week"


def test_checkin_answers_once_the_pair_is_found_and_reads_its_modal_after(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    """`/checkin` holds up its answer only to find the person's pair; the modal's goals are
    read after the answer, on the thread that opens the modal."""
    pair = seed_pair(runtime.sessions, now=utcnow())
    with runtime.sessions.begin() as session:
        session.add(Goal(team_id=TEAM, pair_id=pair.id, title="Ship the demo"))
    answering = threading.get_ident()
    sent: list[tuple[bool, str]] = []  # (on the answering thread, the statement)

    def record(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        sent.append((threading.get_ident() == answering, " ".join(statement.split())))

    event.listen(runtime.engine, "before_cursor_execute", record)
    try:
        answer = slack.command("/checkin", "", user_id="U0MENTEE")
    finally:
        event.remove(runtime.engine, "before_cursor_execute", record)

    assert answer.status == 200 and answer.body == ""
    before = [sql for answered, sql in sent if answered]
    after = [sql for answered, sql in sent if not answered]
    assert any("FROM pair" in sql for sql in before)
    assert not any("FROM goal" in sql for sql in before)
    assert any("FROM goal" in sql for sql in after)
    [opened] = standin.calls_to("views.open")
    assert opened.ok and "Ship the demo" in json.dumps(opened.args["view"])


def test_what_is_read_after_an_answer_holds_up_no_writer(
    sessions: sessionmaker[Session], database_url: str
) -> None:
    """A session that only reads (`reading`: the check-in modal, built after the answer)
    takes no write lock on SQLite, so a check-in made meanwhile does not wait for it."""
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL's readers never hold up a writer")
    seed_pair(sessions, now=utcnow())
    writer = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("PRAGMA busy_timeout = 100")  # fail in 0.1 s rather than wait
    try:
        with reading(sessions) as session:
            counted = session.scalar(select(Pair.meetings_checked_in))
            writer.execute("BEGIN IMMEDIATE")  # "database is locked" if the reader held it
            writer.execute("UPDATE pair SET meetings_checked_in = meetings_checked_in + 1")
            writer.execute("COMMIT")
            # The reader reads the one snapshot it began with.
            assert session.scalar(select(Pair.meetings_checked_in)) == counted
    finally:
        writer.close()
    with sessions() as session:
        assert session.scalar(select(Pair.meetings_checked_in)) == (counted or 0) + 1


def test_in_process_the_bot_answers_as_it_does_over_http(
    slack: SignedSlackClient,
    slack_http: SignedSlackClient,
    standin: SlackStandin,
    sessions: sessionmaker[Session],
) -> None:
    """Most tests hand their requests to the Bolt app's dispatch() in process: the answers,
    the refusals and the Slack calls that follow an answer are those of the served bot."""
    seed_pair(sessions, now=utcnow())
    seen = []
    for client in (slack, slack_http):
        calls = len(standin.calls)
        answers = [
            client.url_verification("handshake"),
            client.command("/checkin", "help", user_id="U0MENTEE"),
            client.command("/checkin", "help", user_id="U0MENTEE", sign=False),
            client.command(
                "/checkin", "help", user_id="U0MENTEE", timestamp=int(time.time()) - 301
            ),
            client.command("/mentoring", "status", user_id="U0MENTEE"),
            client.block_action("U0MENTEE", "a_button_nobody_listens_to", value="x"),
            # Each makes a Slack call after its answer: opens the modal, confirms the check-in.
            client.command("/checkin", "", user_id="U0MENTEE"),
            client.event(_dm_event("a good week")),
        ]
        # auth.test: Bolt asks once for the app both clients share.
        made = [call.method for call in standin.calls[calls:] if call.method != "auth.test"]
        seen.append(([(answer.status, answer.body) for answer in answers], made))
    assert seen[0] == seen[1]
    statuses = [status for status, _ in seen[0][0]]
    assert statuses == [200, 200, 401, 401, 200, 200, 200, 200]
    assert seen[0][1] == ["views.open", "chat.postMessage"]
