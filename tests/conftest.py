"""Shared fixtures: a real database (SQLite, and PostgreSQL when configured), the Slack
stand-in, the bot's Bolt app, and a client that signs requests like Slack: handed to the
app's `dispatch()` in process (`slack`), or over HTTP to the served bot (`slack_http`, and
`slack` in tests marked `over_http`)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import timedelta
from graphlib import TopologicalSorter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import freezegun
import pytest
from slack_bolt import App
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.app import create_app
from mentorbot.bot.db import make_engine, make_sessionmaker
from mentorbot.bot.delivery import pace
from mentorbot.bot.migrate import upgrade
from mentorbot.bot.settings import Settings
from mentorbot.bot.timeutil import utcnow
from mentorbot.localserver import LocalServer
from mentorbot.runtime import Runtime, build_runtime, identify, record_workspace
from mentorbot.standin import InProcess, SignedSlackClient, SlackStandin, Transport
from mentorbot.web import WebApp
from tests.programme import add_people

if TYPE_CHECKING:
    from tests.workspaces import Bot

# pytest times every test with `_pytest.timing`'s clock functions; left alone, freezegun
# swaps those for its frozen ones too, and `--durations` reported years (the frozen epoch
# less the real monotonic clock). Configured here, before any `freeze_time` is made.
# Slack's pace of posts runs in real time however the programme's clock is frozen, as
# Slack's own does: its module keeps the real clock.
freezegun.configure(extend_ignore_list=["_pytest.timing", "mentorbot.bot.delivery.pace"])

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


class _MigratedSchemas:
    """PostgreSQL schemas migrated once per test process and emptied between tests.

    Migrating a schema costs about 0.3 s of DDL; emptying one a few ms. A schema that cannot
    be emptied quickly (something still holds a lock) is dropped instead.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        self.admin = create_engine(base)
        self.free: list[str] = []
        self._order: list[str] | None = None
        self._sequences: list[str] = []

    def url(self, schema: str) -> str:
        separator = "&" if "?" in self.base else "?"
        return f"{self.base}{separator}options=-csearch_path%3D{schema}"

    def new_schema(self) -> str:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with self.admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        return schema

    def take(self) -> str:
        """A migrated, empty schema."""
        if self.free:
            return self.free.pop()
        schema = self.new_schema()
        engine = make_engine(self.url(schema))
        try:
            upgrade(engine)
        finally:
            engine.dispose()
        return schema

    def give_back(self, schema: str) -> None:
        try:
            with self.admin.begin() as connection:
                connection.execute(text("SET LOCAL lock_timeout = '5s'"))
                connection.exec_driver_sql(self._emptying(connection, schema))
        except Exception:
            self.drop(schema)
            return
        self.free.append(schema)

    def _emptying(self, connection: Any, schema: str) -> str:
        """One script that empties a migrated schema: DELETE from each table, those that
        point at others first, and every sequence back to its start. (TRUNCATE took 130 ms a
        schema, most of a short test's teardown; this takes a few.) Every schema has the same
        tables, so they are read once."""
        if self._order is None:
            tables = connection.scalars(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = :schema "
                    "AND tablename <> 'alembic_version'"
                ),
                {"schema": schema},
            ).all()
            links = connection.execute(
                text(
                    "SELECT child.relname, parent.relname FROM pg_constraint c "
                    "JOIN pg_class child ON child.oid = c.conrelid "
                    "JOIN pg_class parent ON parent.oid = c.confrelid "
                    "JOIN pg_namespace n ON n.oid = child.relnamespace "
                    "WHERE c.contype = 'f' AND n.nspname = :schema"
                ),
                {"schema": schema},
            ).all()
            points_at: dict[str, set[str]] = {table: set() for table in tables}
            for child, parent in links:
                if child != parent:
                    points_at[child].add(parent)
            # Parents come first in a topological order: children are deleted before them.
            self._order = list(reversed(list(TopologicalSorter(points_at).static_order())))
            self._sequences = list(
                connection.scalars(
                    text("SELECT sequencename FROM pg_sequences WHERE schemaname = :schema"),
                    {"schema": schema},
                )
            )
        deletes = [f'DELETE FROM "{schema}"."{table}"' for table in self._order]
        restarts = [f'ALTER SEQUENCE "{schema}"."{name}" RESTART' for name in self._sequences]
        return "; ".join(deletes + restarts)

    def drop(self, schema: str) -> None:
        with self.admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))

    def close(self) -> None:
        for schema in self.free:
            self.drop(schema)
        self.admin.dispose()


@pytest.fixture(autouse=True)
def _quick_pace(monkeypatch: pytest.MonkeyPatch) -> None:
    """In process, the stand-in keeps no pace: posts to one conversation go out without
    Slack's second apart, so tests about other things do not wait in real time. The tests
    of pacing give their PostRate its rate (tests/test_delivery_pace.py); workers run as
    processes keep Slack's."""
    monkeypatch.setattr(pace, "POSTS_PER_SECOND", 1000.0)
    monkeypatch.setattr(pace, "BURST", 1000)
    monkeypatch.setattr(pace, "MARGIN", timedelta(0))


@pytest.fixture(scope="session")
def _pg_schemas() -> Iterator[_MigratedSchemas | None]:
    url = os.environ.get(PG_ENV)
    if not url:
        yield None
        return
    schemas = _MigratedSchemas(Settings.from_env({"MENTORBOT_DATABASE_URL": url}).database_url)
    yield schemas
    schemas.close()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies instead of migrating its own."""
    path = tmp_path_factory.mktemp("template") / "mentorbot.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
    finally:
        engine.dispose()  # the last connection closing folds the WAL back into the file
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    _pg_schemas: _MigratedSchemas | None,
) -> Iterator[str]:
    """A database of each kind, private to the test: migrated and empty, or with no tables
    at all for tests marked `empty_database`."""
    empty = request.node.get_closest_marker("empty_database") is not None
    if request.param == "sqlite":
        path = tmp_path / "mentorbot.db"
        if not empty:
            template: Path = request.getfixturevalue("_sqlite_template")
            for suffix in ("", "-wal", "-shm"):
                if Path(f"{template}{suffix}").exists():
                    shutil.copyfile(f"{template}{suffix}", f"{path}{suffix}")
        yield f"sqlite:///{path}"
        return
    schemas = _pg_schemas
    if schemas is None:
        _postgres_url()
        raise AssertionError("unreachable: _postgres_url skips or fails")
    schema = schemas.new_schema() if empty else schemas.take()
    try:
        yield schemas.url(schema)
    finally:
        if empty:
            schemas.drop(schema)
        else:
            schemas.give_back(schema)


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
    return settings_for(standin, database_url)


def settings_for(standin: SlackStandin, database_url: str, **more: str) -> Settings:
    """The tests' usual settings, with `more` environment variables (a module's own
    `settings` fixture: `settings_for(standin, database_url, MENTORBOT_PUBLIC_URL=…)`)."""
    return Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": standin.api_url,
            "MENTORBOT_DATABASE_URL": database_url,
            "MENTORBOT_COORDINATORS": "U0COORD",
            **more,
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
def bolt_app(runtime: Runtime) -> App:
    """The bot's Bolt app, as `mentorbot run` builds it."""
    return create_app(runtime)


@pytest.fixture
def bot_url(bolt_app: App, runtime: Runtime) -> Iterator[str]:
    """The bot's web app served over HTTP on loopback."""
    with LocalServer(WebApp(bolt_app, runtime)) as server:
        yield server.url


def _signed_client(
    to: str | Transport, standin: SlackStandin, runtime: Runtime
) -> SignedSlackClient:
    return SignedSlackClient(
        to, SIGNING_SECRET, standin=standin, team_id=TEAM, settle=runtime.settle
    )


@pytest.fixture
def slack_http(bot_url: str, standin: SlackStandin, runtime: Runtime) -> SignedSlackClient:
    """Sends signed, Slack-shaped requests over HTTP to the served bot; each returns once the
    Slack calls that follow the answer are made. For tests about the HTTP contract."""
    return _signed_client(f"{bot_url}/slack/events", standin, runtime)


@pytest.fixture
def slack(
    request: pytest.FixtureRequest, bolt_app: App, standin: SlackStandin, runtime: Runtime
) -> SignedSlackClient:
    """Sends signed, Slack-shaped requests to the bot's Bolt app in this process (its
    `dispatch()`, as the web layer calls it); each returns once the Slack calls that follow
    the answer are made. A test marked `over_http` gets `slack_http` instead."""
    if request.node.get_closest_marker("over_http") is not None:
        client: SignedSlackClient = request.getfixturevalue("slack_http")
        return client
    return _signed_client(InProcess(bolt_app), standin, runtime)


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


@pytest.fixture
def bot(standin: SlackStandin, database_url: str) -> Iterator[Bot]:
    """mentorbot with OAuth installs, for two workspaces (see tests/workspaces.py)."""
    from tests.workspaces import serving  # it reads this module's SIGNING_SECRET

    with serving(standin, database_url) as served:
        yield served


@pytest.fixture
def people(standin: SlackStandin) -> None:
    """The programme's people in the stand-in (`tests/programme.py`); a module of tests about
    them asks with `pytestmark = pytest.mark.usefixtures("people")`."""
    add_people(standin)
