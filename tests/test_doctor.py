"""`mentorbot doctor`: one line per check, what to do when one fails, exit 1 then."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_bolt import App

from mentorbot.cli import main
from mentorbot.doctor import run_checks
from mentorbot.localserver import LocalServer
from mentorbot.oauth import BOT_SCOPES
from mentorbot.runtime import Runtime
from mentorbot.standin import SlackStandin
from mentorbot.web import WebApp
from tests.conftest import SIGNING_SECRET


@pytest.fixture
def served(bolt_app: App, runtime: Runtime) -> Iterator[str]:
    with LocalServer(WebApp(bolt_app, runtime)) as server:
        yield server.url


def env_for(standin: SlackStandin, database_url: str, **more: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": standin.api_url,
        "MENTORBOT_DATABASE_URL": database_url,
        **more,
    }


def lines(env: dict[str, str]) -> dict[str, str]:
    return {check.name: check.line() for check in run_checks(env)}


def test_a_good_install_passes_every_check(
    standin: SlackStandin,
    database_url: str,
    served: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = env_for(standin, database_url, MENTORBOT_PUBLIC_URL=served)
    found = lines(env)
    assert set(found) == {"settings", "database", "migrations", "token", "scopes", "public URL"}
    assert all(line.startswith("ok ") for line in found.values()), found
    assert f"{served}/healthz answers" in found["public URL"]
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert main(["doctor"]) == 0
    assert "ok   scopes: exactly the manifest's" in capsys.readouterr().out


def test_a_missing_scope_a_bad_token_and_an_unmigrated_database_each_say_what_to_do(
    standin: SlackStandin,
    tmp_path: Path,
    database_url: str,
    runtime: Runtime,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = env_for(standin, database_url)
    standin.scopes = (*(s for s in BOT_SCOPES if s != "files:read"), "admin")
    scopes = lines(env)["scopes"]
    assert scopes.startswith("FAIL") and "missing files:read" in scopes
    assert "not needed admin" in scopes and "OAuth & Permissions" in scopes

    standin.fail_next("auth.test", error="invalid_auth")
    token = lines(env)["token"]
    assert token.startswith("FAIL") and "invalid_auth" in token and "SLACK_BOT_TOKEN" in token

    empty = env_for(standin, f"sqlite:///{tmp_path / 'new.db'}")
    migrations = lines(empty)["migrations"]
    assert migrations.startswith("FAIL") and "mentorbot db upgrade" in migrations
    for key, value in empty.items():
        monkeypatch.setenv(key, value)
    assert main(["doctor"]) == 1

    nowhere = lines(env_for(standin, database_url, MENTORBOT_PUBLIC_URL="http://127.0.0.1:9"))
    assert nowhere["public URL"].startswith("FAIL") and "does not answer" in nowhere["public URL"]
    bad = run_checks({"MENTORBOT_DATABASE_URL": database_url})
    assert len(bad) == 1 and bad[0].name == "settings" and not bad[0].ok
