"""Settings: sensible defaults, and one clear line for every bad value."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import time, timedelta

import pytest

from mentorbot.bot.settings import Settings, SettingsError


def test_defaults_need_nothing() -> None:
    settings = Settings.from_env({})
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_url == "sqlite:///mentorbot.db"
    assert settings.timezone == "UTC"
    assert (settings.working_hours.start, settings.working_hours.end) == (time(9), time(18))
    assert settings.workdays == frozenset({0, 1, 2, 3, 4})
    assert settings.port == 3000
    assert settings.coordinators == ()
    assert settings.survey_length == timedelta(days=7)
    assert not settings.socket_mode


KEY = "fT2q2C6n0mV3l8Yy1kz0b4Wm8o2N6xQ4rJ7sU9vA1cE="  # a Fernet key, for OAuth settings


def test_values_are_parsed() -> None:
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_APP_TOKEN": "xapp-1",
            "SLACK_API_URL": "http://127.0.0.1:9/api",
            "MENTORBOT_DATABASE_URL": "postgresql://u:p@db/mentorbot",
            "MENTORBOT_COORDINATORS": "U0AAA1, W0BBB2",
            "MENTORBOT_TIMEZONE": "Asia/Tokyo",
            "MENTORBOT_WORKING_HOURS": "08:30-16:00",
            "MENTORBOT_WORKDAYS": "sun-thu",
            "PORT": "8080",
            "MENTORBOT_SURVEY_DAYS": "10",
        }
    )
    assert settings.socket_mode
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert settings.database_url == "postgresql+psycopg://u:p@db/mentorbot"
    assert settings.coordinators == ("U0AAA1", "W0BBB2")
    assert settings.working_hours.start == time(8, 30)
    assert settings.workdays == frozenset({6, 0, 1, 2, 3})  # Sunday to Thursday
    assert Settings.from_env({"MENTORBOT_WORKDAYS": "fri-mon"}).workdays == {4, 5, 6, 0}
    assert settings.port == 8080
    assert settings.survey_length == timedelta(days=10)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-user-token"),
        ("SLACK_APP_TOKEN", "xoxb-wrong-kind"),
        ("SLACK_API_URL", "slack.com/api"),
        ("MENTORBOT_DATABASE_URL", "mysql://x"),
        ("MENTORBOT_DATABASE_URL", "postgresql+psycopg2://u:p@db/x"),
        ("MENTORBOT_DATABASE_URL", "mentorbot.db"),
        ("MENTORBOT_LOG_LEVEL", "loud"),
        ("MENTORBOT_COORDINATORS", "@alice"),
        ("MENTORBOT_TIMEZONE", "Mars/Olympus"),
        ("MENTORBOT_WORKING_HOURS", "18:00-09:00"),
        ("MENTORBOT_WORKING_HOURS", "9am-5pm"),
        ("MENTORBOT_WORKDAYS", "mon-funday"),
        ("MENTORBOT_WORKDAYS", "weekdays"),
        ("PORT", "70000"),
        ("PORT", "http"),
        ("MENTORBOT_SURVEY_DAYS", "0"),
        ("MENTORBOT_SURVEY_DAYS", "31"),
        ("MENTORBOT_SURVEY_DAYS", "a week"),
        ("MENTORBOT_SEND_CONCURRENCY", "0"),
        ("MENTORBOT_SEND_CONCURRENCY", "65"),
        ("MENTORBOT_SEND_CONCURRENCY", "many"),
        ("MENTORBOT_HISTORY_LOOKUP_SECONDS", "-1"),
        ("MENTORBOT_HISTORY_LOOKUP_SECONDS", "a minute"),
        ("MENTORBOT_METRICS", "sometimes"),
        ("MENTORBOT_METRICS_PORT", "0"),
        ("MENTORBOT_RETENTION_DAYS", "0"),
        ("MENTORBOT_RETENTION_DAYS", "forever"),
        ("MENTORBOT_RETENTION_DAYS", "3651"),
    ],
)
def test_bad_value_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({name: value})
    message = str(caught.value)
    assert message.startswith(name)
    assert "\n" not in message


@pytest.mark.parametrize(
    "url",
    ["postgres://u:p@db/x", "postgresql://u:p@db/x", "postgresql+psycopg://u:p@db/x"],
)
def test_postgres_urls_use_the_shipped_driver(url: str) -> None:
    settings = Settings.from_env({"MENTORBOT_DATABASE_URL": url})
    assert settings.database_url == "postgresql+psycopg://u:p@db/x"


def test_sending_lanes_and_history_pace() -> None:
    assert Settings.from_env({}).send_concurrency == 8
    assert Settings.from_env({"MENTORBOT_SEND_CONCURRENCY": "3"}).send_concurrency == 3
    # History looks: once a minute per workspace with OAuth (apps outside Slack's
    # Marketplace), as Slack answers with one token (an internal app), or as set.
    assert Settings.from_env({}).history_every == timedelta(0)
    oauth = {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s", "MENTORBOT_TOKEN_KEY": KEY}
    assert Settings.from_env(oauth).history_every == timedelta(minutes=1)
    custom = Settings.from_env({**oauth, "MENTORBOT_HISTORY_LOOKUP_SECONDS": "5"})
    assert custom.history_every == timedelta(seconds=5)


def test_metrics_and_retention_are_off_unless_set() -> None:
    default = Settings.from_env({})
    assert (default.metrics, default.metrics_port, default.retention_days) == (False, 9464, None)
    chosen = Settings.from_env(
        {
            "MENTORBOT_METRICS": "On",
            "MENTORBOT_METRICS_PORT": "9100",
            "MENTORBOT_RETENTION_DAYS": "365",
        }
    )
    assert (chosen.metrics, chosen.metrics_port, chosen.retention_days) == (True, 9100, 365)


def test_working_hours_may_run_until_midnight() -> None:
    settings = Settings.from_env({"MENTORBOT_WORKING_HOURS": "00:00-24:00"})
    assert settings.working_hours.end == time.max
    assert str(settings.working_hours) == "00:00-24:00"


def test_run_requires_token_and_secret() -> None:
    with pytest.raises(SettingsError, match=r"^SLACK_BOT_TOKEN"):
        Settings.from_env({}).require_for_run()
    with pytest.raises(SettingsError, match=r"^SLACK_SIGNING_SECRET"):
        Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1"}).require_for_run()
    # Socket Mode does not sign requests, so no secret is needed there.
    Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}).require_for_run()


def test_oauth_installs_need_both_credentials_and_a_signing_secret() -> None:
    key = KEY
    oauth = {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s3", "MENTORBOT_TOKEN_KEY": key}
    settings = Settings.from_env({**oauth, "SLACK_SIGNING_SECRET": "sig"})
    assert settings.oauth and settings.slack_bot_token is None
    settings.require_for_run()  # no bot token needed: each workspace brings its own
    with pytest.raises(SettingsError, match=r"^SLACK_SIGNING_SECRET"):
        Settings.from_env(oauth).require_for_run()
    with pytest.raises(SettingsError, match=r"^MENTORBOT_TOKEN_KEY is not set"):
        Settings.from_env({**oauth, "MENTORBOT_TOKEN_KEY": ""})
    with pytest.raises(SettingsError, match=r"^MENTORBOT_TOKEN_KEY: key 2 is not a Fernet key"):
        Settings.from_env({**oauth, "MENTORBOT_TOKEN_KEY": f"{key},not-a-key"})
    assert Settings.from_env({**oauth, "MENTORBOT_TOKEN_KEY": f" {key} , {key}"}).token_keys == (
        key,
        key,
    )
    with pytest.raises(SettingsError, match=r"^SLACK_CLIENT_SECRET is not set"):
        Settings.from_env({"SLACK_CLIENT_ID": "1.2"})
    with pytest.raises(SettingsError, match=r"^SLACK_CLIENT_ID is not set"):
        Settings.from_env({"SLACK_CLIENT_SECRET": "s3"})
    with pytest.raises(SettingsError, match=r"^SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set"):
        Settings.from_env({**oauth, "SLACK_BOT_TOKEN": "xoxb-1"})
    with pytest.raises(SettingsError, match=r"^SLACK_APP_TOKEN \(Socket Mode\) cannot"):
        Settings.from_env({**oauth, "SLACK_APP_TOKEN": "xapp-1"})
    with pytest.raises(SettingsError, match=r"^MENTORBOT_COORDINATORS names people of one"):
        Settings.from_env({**oauth, "MENTORBOT_COORDINATORS": "U0ANA"})
    with pytest.raises(SettingsError, match=r"^SLACK_REDIRECT_URI must be the full URL"):
        Settings.from_env({**oauth, "SLACK_REDIRECT_URI": "/slack/oauth_redirect"})
    uri = "https://bot.example.com/slack/oauth_redirect"
    assert Settings.from_env({**oauth, "SLACK_REDIRECT_URI": uri}).slack_redirect_uri == uri


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "MENTORBOT_TIMEZONE": "Nowhere/Else"}, "MENTORBOT_TIMEZONE"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "MENTORBOT_LOG_LEVEL": "x"},
            "MENTORBOT_LOG_LEVEL",
        ),
    ],
)
def test_cli_stops_with_one_line_and_no_traceback(env: dict[str, str], variable: str) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MENTORBOT_"))}
    result = subprocess.run(
        [sys.executable, "-m", "mentorbot.cli", "run"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"mentorbot: {variable}")
    assert "Traceback" not in result.stderr
