"""Shared fixtures: a real database (SQLite, and PostgreSQL when configured), the Slack
stand-in, and the bot served over HTTP with a client that signs requests like Slack."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.app import create_app
from mentorbot.bot.db import make_engine, make_sessionmaker
from mentorbot.bot.migrate import upgrade
from mentorbot.bot.settings import Settings
from mentorbot.bot.timeutil import utcnow
from mentorbot.localserver import LocalServer
from mentorbot.runtime import Runtime, build_runtime, identify, record_workspace
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.web import WebApp

PG_ENV = "MENTORBOT_TEST_DATABASE_URL"
SIGNING_SECRET = "test-signing-secret"
TEAM = "T0MENTOR"


def pytest_report_header() -> str:
    if os.environ.get(PG_ENV):
        return "databases: SQLite and PostgreSQL"
    return f"databases: SQLite only (set {PG_ENV}=postgresql://user:pw@host/db to add PostgreSQL)"


def _postgres_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(f"{PG_ENV} is not set: CI must test against PostgreSQL")
    pytest.skip(
        f"PostgreSQL tests skipped: set {PG_ENV}=postgresql://user:password@localhost/dbname "
        "(an empty database the tests may use) to run them"
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind, private to the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mentorbot.db'}"
        return
    base = Settings.from_env({"MENTORBOT_DATABASE_URL": _postgres_url() or ""}).database_url
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    """A session factory on a migrated database."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One session for a service test; the test decides when to commit."""
    with sessions() as session:
        yield session


@pytest.fixture
def standin() -> Iterator[SlackStandin]:
    """The local Slack Web API stand-in; any contract violation fails the test."""
    with SlackStandin(team_id=TEAM) as server:
        yield server
        server.assert_no_violations()


@pytest.fixture
def settings(standin: SlackStandin, database_url: str) -> Settings:
    """Settings pointing the bot at the stand-in and the test database."""
    return Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": standin.api_url,
            "MENTORBOT_DATABASE_URL": database_url,
            "MENTORBOT_COORDINATORS": "U0COORD",
        }
    )


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    """The bot's runtime on a migrated database."""
    runtime = build_runtime(settings)
    upgrade(runtime.engine)
    # As `mentorbot run`, `worker` and `tick` do at start: the workspace and its defaults.
    record_workspace(runtime, identify(runtime), utcnow())
    yield runtime
    runtime.close()


@pytest.fixture
def bot_url(runtime: Runtime) -> Iterator[str]:
    """The bot's web app served over HTTP on loopback."""
    with LocalServer(WebApp(create_app(runtime), runtime)) as server:
        yield server.url


@pytest.fixture
def slack(bot_url: str, standin: SlackStandin) -> SignedSlackClient:
    """Sends signed, Slack-shaped requests to the bot."""
    return SignedSlackClient(
        f"{bot_url}/slack/events", SIGNING_SECRET, standin=standin, team_id=TEAM
    )


@pytest.fixture
def bot_without_database(standin: SlackStandin) -> Iterator[str]:
    """The bot served over HTTP while its database cannot be reached; yields its URL."""
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": standin.api_url,
            "MENTORBOT_DATABASE_URL": "postgresql://nobody:pw@127.0.0.1:1/none",
        }
    )
    runtime = build_runtime(settings)
    try:
        with LocalServer(WebApp(create_app(runtime), runtime)) as server:
            yield server.url
    finally:
        runtime.close()
