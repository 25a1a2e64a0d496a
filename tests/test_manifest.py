"""The app manifest is valid for Slack and asks only for what the bot uses."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from mentorbot.oauth import BOT_SCOPES, REDIRECT_PATH
from mentorbot.slack_sign_in import CALLBACK_PATH
from tests.specs import shared_file

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((REPO / "manifest.yml").read_text())


def test_manifest_validates_against_slacks_schema(manifest: dict) -> None:
    major = manifest["_metadata"]["major_version"]
    schema = json.loads(shared_file(f"slack/manifest.schema.v{major}.json").read_text())
    jsonschema.validate(manifest, schema)


def test_schema_check_catches_a_broken_manifest(manifest: dict) -> None:
    major = manifest["_metadata"]["major_version"]
    schema_path = shared_file(f"slack/manifest.schema.v{major}.json")
    broken = {**manifest, "settings": {**manifest["settings"], "socket_mode_enabled": "yes"}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, json.loads(schema_path.read_text()))


def test_commands_escape_mentions_and_features_are_on(manifest: dict) -> None:
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(commands) == {"/checkin", "/mentoring"}
    assert all(c["should_escape"] for c in commands.values())
    assert manifest["features"]["app_home"]["home_tab_enabled"]
    assert manifest["features"]["app_home"]["messages_tab_enabled"]
    assert manifest["settings"]["interactivity"]["is_enabled"]
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "message.im",
        "user_change",
        "app_uninstalled",
        "tokens_revoked",
    }


def test_bot_scopes_are_least_privilege(manifest: dict) -> None:
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    # The only user scopes are Sign in with Slack's: who signs in to the dashboard.
    assert manifest["oauth_config"]["scopes"]["user"] == ["openid", "profile"]
    # Exactly what the code uses: slash commands, posting, opening DMs and group DMs,
    # message.im events, history where the bot posts (exactly-once delivery), time zones
    # (users.info, user_change), e-mails (CSV imports), the CSV files themselves, and files
    # the bot uploads (reports, a person's own data).
    assert scopes == {
        "commands",
        "chat:write",
        "im:write",
        "im:history",
        "users:read",
        "users:read.email",
        "mpim:write",
        "mpim:history",
        "channels:history",
        "groups:history",
        "files:read",
        "files:write",
    }


def test_oauth_installs_ask_for_exactly_the_manifests_scopes(manifest: dict) -> None:
    assert sorted(BOT_SCOPES) == sorted(manifest["oauth_config"]["scopes"]["bot"])
    assert manifest["oauth_config"]["redirect_urls"][0].endswith(REDIRECT_PATH)
    assert manifest["oauth_config"]["redirect_urls"][1].endswith(CALLBACK_PATH)
