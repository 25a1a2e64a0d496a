"""Migrations build the whole schema from empty, on SQLite and PostgreSQL, and match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from mentorbot.bot.db import make_engine
from mentorbot.bot.migrate import upgrade
from mentorbot.bot.models import Base

EXPECTED_TABLES = {
    "workspace",
    "member",
    "cohort",
    "pair",
    "check_in",
    "goal",
    "milestone",
    "feedback",
    "concern",
    "announcement",
    "outbound_message",
    "processed_event",
}


def test_upgrade_from_empty_creates_every_table_with_team_id(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert not (set(inspect(engine).get_table_names()) & EXPECTED_TABLES)
        upgrade(engine)
        inspector = inspect(engine)
        tables = set(inspector.get_table_names())
        assert tables >= EXPECTED_TABLES | {"alembic_version"}
        for table in EXPECTED_TABLES:
            columns = {column["name"] for column in inspector.get_columns(table)}
            assert "team_id" in columns, table
    finally:
        engine.dispose()


def test_upgrade_is_idempotent(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        upgrade(engine)
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        assert len(versions) == 1
    finally:
        engine.dispose()


def test_models_and_migrations_agree(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
        assert differences == []
    finally:
        engine.dispose()


def test_scheduler_queries_have_indexes(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        inspector = inspect(engine)
        pair_indexes = [tuple(ix["column_names"]) for ix in inspector.get_indexes("pair")]
        outbox_indexes = [
            tuple(ix["column_names"]) for ix in inspector.get_indexes("outbound_message")
        ]
        assert ("status", "next_meeting_at") in pair_indexes
        assert ("status", "prompt_at") in pair_indexes
        assert ("status", "nudge_at") in pair_indexes
        assert ("status", "escalate_at") in pair_indexes
        assert ("status", "not_before") in outbox_indexes
    finally:
        engine.dispose()


def test_sqlite_uses_wal_and_foreign_keys(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()
