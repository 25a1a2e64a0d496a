"""Migrations build the whole schema from empty, on SQLite and PostgreSQL, and match the models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from mentorbot.bot.db import make_engine, make_sessionmaker
from mentorbot.bot.install_tables import install_metadata
from mentorbot.bot.migrate import alembic_config, upgrade
from mentorbot.bot.models import Base, Feedback, OutboundMessage, Pair, SurveyRound
from tests.factories import TEAM
from tests.test_message_kinds import CASES, World

# These tests migrate (and inspect) databases themselves, from nothing.
pytestmark = pytest.mark.empty_database

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
    "reflection",
    "survey_round",
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
            differences = compare_metadata(context, [Base.metadata, install_metadata()])
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
        assert ("status", "not_before", "id") in outbox_indexes  # claims read in this order
        assert ("team_id", "target_id", "status") in outbox_indexes  # a conversation's rows
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


def test_the_rhythm_migration_counts_quiet_pairs_from_their_last_checkin(
    database_url: str,
) -> None:
    """Pairs from before 0004 get a quiet clock from their latest check-in, and no nudge
    or coordinator note falls due on the first tick after the upgrade."""
    engine = make_engine(database_url)
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    long_ago, yesterday = "2020-01-01 09:00:00", datetime.now(UTC) - timedelta(days=1)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0003")
            connection.execute(
                text(
                    "INSERT INTO cohort (id, team_id, name, starts_on, ends_on, cadence, phase,"
                    " created_at) VALUES (1, 'T1', 'Old', '2020-01-01', '2020-03-01', 'weekly',"
                    " 'active', :at)"
                ),
                {"at": long_ago},
            )
            for pair_id in (1, 2):
                connection.execute(
                    text(
                        "INSERT INTO pair (id, team_id, cohort_id, mentor_id, mentee_id, cadence,"
                        " status, created_at) VALUES (:id, 'T1', 1, 'UM', :mentee, 'weekly',"
                        " 'active', :at)"
                    ),
                    {"id": pair_id, "mentee": f"UE{pair_id}", "at": long_ago},
                )
            connection.execute(
                text(
                    "INSERT INTO check_in (team_id, pair_id, author_id, created_at,"
                    " shared_with_mentor, source) VALUES ('T1', 1, 'UE1', :at, false, 'dm')"
                ),
                {"at": yesterday.replace(tzinfo=None) if "sqlite" in database_url else yesterday},
            )
        upgrade(engine)
        with make_sessionmaker(engine)() as session:
            pairs = {pair.id: pair for pair in session.scalars(select(Pair))}
        now = datetime.now(UTC)
        assert abs(pairs[1].quiet_since - yesterday) < timedelta(seconds=1)  # type: ignore[operator]
        assert pairs[2].quiet_since == datetime(2020, 1, 1, 9, tzinfo=UTC)
        for pair in pairs.values():
            assert pair.nudge_at and pair.nudge_at > now
            assert pair.escalate_at and pair.escalate_at > now + timedelta(days=7)
    finally:
        engine.dispose()


def test_the_survey_rounds_migration_puts_earlier_answers_in_one_round_per_cohort(
    database_url: str,
) -> None:
    """Answers from before 0010: a cohort past its midpoint gets the round of its phase,
    opened when it entered that phase; a cohort before it keeps them for the midpoint."""
    engine = make_engine(database_url)
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    changed = "2027-04-12 00:00:00"
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0008")
            for cohort_id, phase in ((1, "midpoint"), (2, "ended"), (3, "active"), (4, "closing")):
                connection.execute(
                    text(
                        "INSERT INTO cohort (id, team_id, name, starts_on, ends_on, cadence,"
                        " phase, phase_changed_at, created_at) VALUES (:id, 'T1', :name,"
                        " '2027-03-01', '2027-05-24', 'weekly', :phase, :at, :at)"
                    ),
                    {"id": cohort_id, "name": f"C{cohort_id}", "phase": phase, "at": changed},
                )
                connection.execute(
                    text(
                        "INSERT INTO pair (id, team_id, cohort_id, mentor_id, mentee_id, cadence,"
                        " status, created_at, meetings_checked_in) VALUES (:id, 'T1', :id, 'UM',"
                        " 'UE', 'weekly', 'active', :at, 0)"
                    ),
                    {"id": cohort_id, "at": changed},
                )
                if cohort_id != 4:  # the closing cohort has no answer: no round
                    connection.execute(
                        text(
                            "INSERT INTO feedback (team_id, pair_id, author_id, author_role,"
                            " phase, trust, created_at) VALUES ('T1', :id, 'UE', 'mentee',"
                            " 'midpoint', 4, :at)"
                        ),
                        {"id": cohort_id, "at": changed},
                    )
        upgrade(engine)
        with make_sessionmaker(engine)() as session:
            rounds = {r.cohort_id: r for r in session.scalars(select(SurveyRound))}
            joined = dict(session.execute(select(Feedback.pair_id, Feedback.round_id)).all())
    finally:
        engine.dispose()
    opened = datetime(2027, 4, 12, tzinfo=UTC)
    assert {cohort_id: r.phase for cohort_id, r in rounds.items()} == {
        1: "midpoint",
        2: "closing",
    }
    assert all(
        (r.opens_at, r.closes_at) == (opened, opened + timedelta(days=7)) for r in rounds.values()
    )
    assert joined == {1: rounds[1].id, 2: rounds[2].id, 3: None}


# Kinds born after 0011: no row of theirs was queued before it.
KINDS_AFTER_0011 = {"mentorrequest", "requestanswer", "requestconfirm"}


def test_the_outbox_columns_migration_fills_rows_queued_before_it(database_url: str) -> None:
    """Rows queued under 0010 get, from their keys, the columns each kind's constructor sets
    now; a key of no known format gets none, one of the retired kind its kind and pair."""
    engine = make_engine(database_url)
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    world = World.make()
    at = "2027-03-01 12:00:00"
    rows = {
        **{
            case.key: case.expected(world)
            for case in CASES.values()
            if case.key.split(":")[0] not in KINDS_AFTER_0011
        },
        "escalate:pair7:20270301T1200:U0COORD": ("escalate", 7, 3, None, None, False),
        "moved:pair999:x": ("moved", 999, None, None, None, False),  # its pair is gone
        "crash:1": (None, None, None, None, None, False),
    }
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0010")
            for statement in (
                "INSERT INTO cohort (id, team_id, name, starts_on, ends_on, cadence, phase,"
                " created_at) VALUES (3, :team, 'Spring', '2027-03-01', '2027-05-24', 'weekly',"
                " 'active', :at)",
                "INSERT INTO pair (id, team_id, cohort_id, mentor_id, mentee_id, cadence, status,"
                " created_at, meetings_checked_in) VALUES (7, :team, 3, 'U0MENTOR', 'U0MENTEE',"
                " 'weekly', 'active', :at, 0)",
                "INSERT INTO concern (id, team_id, pair_id, raised_by, text, status, created_at)"
                " VALUES (11, :team, 7, 'U0MENTEE', 'x', 'open', :at)",
                "INSERT INTO announcement (id, team_id, cohort_id, channel_id, text, send_at,"
                " created_by, created_at) VALUES (13, :team, 3, 'C0COHORT', 'x', :at, 'U0COORD',"
                " :at)",
            ):
                connection.execute(text(statement), {"team": TEAM, "at": at})
            for key in rows:
                connection.execute(
                    text(
                        "INSERT INTO outbound_message (team_id, dedupe_key, target_kind,"
                        " target_id, payload, not_before, status, attempts, outcome_unknown,"
                        " created_at) VALUES (:team, :key, 'user', 'U0COORD', '{}', :at,"
                        " 'sent', 1, false, :at)"
                    ),
                    {"team": TEAM, "key": key, "at": at},
                )
        upgrade(engine)
        with make_sessionmaker(engine)() as session:
            found = {
                row.dedupe_key: (
                    row.kind,
                    row.pair_id,
                    row.cohort_id,
                    row.concern_id,
                    row.about_user_id,
                    row.quotes_words,
                )
                for row in session.scalars(select(OutboundMessage))
            }
    finally:
        engine.dispose()
    assert found == {key: expected[-6:] for key, expected in rows.items()}


def test_the_outbox_columns_migration_goes_down_and_up_again(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    try:
        upgrade(engine)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0010")
        columns = {c["name"] for c in inspect(engine).get_columns("outbound_message")}
        assert not columns & {"kind", "pair_id", "cohort_id", "about_user_id", "quotes_words"}
        upgrade(engine)
        columns = {c["name"] for c in inspect(engine).get_columns("outbound_message")}
        assert {"kind", "pair_id", "cohort_id", "concern_id", "about_user_id"} <= columns
    finally:
        engine.dispose()
