"""No Slack token in any log line, whichever library writes it."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from mentorbot.bot.db import unit_of_work
from mentorbot.bot.outbox import enqueue
from mentorbot.bot.settings import Settings, SettingsError
from mentorbot.bot.tick import run_tick
from mentorbot.logs import JsonFormatter, bind_log_context, install_token_redaction, redact_tokens
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.factories import TEAM


@pytest.mark.parametrize(
    "token",
    [
        "xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "xoxp-1-2-3-abcdef",
        "xapp-1-A0123-456-abcdef0123",
        "xoxe.xoxb-1-MS0yLTEyMzQ1Ng",
    ],
)
def test_every_kind_of_token_is_redacted(token: str) -> None:
    text = redact_tokens(f'answer {{"access_token": "{token}", "ok": true}}')
    assert token not in text and token.split("-", 1)[1] not in text
    assert "…redacted" in text and '"ok": true' in text


def test_log_records_are_redacted_at_creation(caplog: pytest.LogCaptureFixture) -> None:
    install_token_redaction()
    install_token_redaction()  # twice is harmless
    caplog.set_level(logging.DEBUG)
    logging.getLogger("slack_sdk.web.base_client").debug(
        "Received the following response - body: %s", {"access_token": "xoxb-123-456-secretpart"}
    )
    assert "secretpart" not in caplog.text and "xoxb-…redacted" in caplog.text
    logging.getLogger("mentorbot").info("team %s, %d pairs", "T0ALPHA", 3)
    assert "team T0ALPHA, 3 pairs" in caplog.text


def json_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The captured records as MENTORBOT_LOG_FORMAT=json writes them, parsed back."""
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in caplog.records]


def test_a_json_line_parses_and_carries_no_token(caplog: pytest.LogCaptureFixture) -> None:
    install_token_redaction()
    caplog.set_level(logging.INFO)
    with bind_log_context(workspace="T0ALPHA", request="abc123"):
        logging.getLogger("mentorbot.x").info("token %s", "xoxb-123-456-secretpart")
        try:
            raise RuntimeError("xoxb-999-888-inexception")
        except RuntimeError:
            logging.getLogger("mentorbot.x").exception("it failed")
    logging.getLogger("mentorbot.x").warning("outside")
    first, second, third = json_lines(caplog)
    assert set(first) == {"time", "level", "logger", "message", "workspace", "request"}
    assert first["level"] == "INFO" and first["logger"] == "mentorbot.x"
    assert first["workspace"] == "T0ALPHA" and first["request"] == "abc123"
    assert first["time"].endswith("+00:00")
    assert "secretpart" not in json.dumps(first) and "inexception" not in json.dumps(second)
    assert "Traceback" in second["exception"]
    assert "workspace" not in third  # the context ended with its block


def test_a_failed_delivery_names_its_tick_workspace_kind_and_key(
    runtime: Runtime, standin: SlackStandin, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    now = datetime(2027, 3, 3, 11, 0, tzinfo=UTC)
    with unit_of_work(runtime.sessions) as session:
        enqueue(
            session,
            team_id=TEAM,
            dedupe_key="nudge:pair7:x",
            target_kind="user",
            target_id="U0GONE",
            payload={"text": "hello"},
            not_before=now,
            now=now,
        )
    standin.fail_next("conversations.open", error="user_not_found")
    run_tick(runtime.sessions, runtime.client, now)
    failed = [line for line in json_lines(caplog) if "failed for good" in line["message"]]
    assert len(failed) == 1
    line = failed[0]
    assert line["workspace"] == TEAM and line["kind"] == "nudge"
    assert line["dedupe_key"] == "nudge:pair7:x" and len(line["tick"]) == 12


def test_a_slack_requests_lines_name_its_workspace_and_request(
    slack: SignedSlackClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    # Slack's retry of an event handled already is answered with a line saying so.
    for event_id in ("Ev0ONE", "Ev0TWO"):
        event = {"type": "app_home_opened", "user": "U0ANA", "channel": "D0HOME", "tab": "messages"}
        assert slack.event(event, event_id=event_id).status == 200
        assert slack.event(event, event_id=event_id, retry_num=1).status == 200
    lines = [line for line in json_lines(caplog) if line.get("request")]
    assert lines and all(line["workspace"] == TEAM for line in lines)
    assert len({line["request"] for line in lines}) == 2  # one id per request


def test_an_unknown_log_format_stops_start_up() -> None:
    with pytest.raises(SettingsError, match="MENTORBOT_LOG_FORMAT must be text or json"):
        Settings.from_env({"MENTORBOT_LOG_FORMAT": "xml"})
    assert Settings.from_env({"MENTORBOT_LOG_FORMAT": "JSON"}).log_format == "json"
