"""Engine and session factory for SQLite (WAL, foreign keys) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

# The execution option `reading` gives its session's connection.
READ_ONLY = "mentorbot_read_only"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin (see _sqlite_begin):
    # otherwise SAVEPOINTs are not nested inside the transaction and a RELEASE commits early.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    if ":memory:" not in str(_database_name(dbapi_connection)):
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front: SQLite has one writer, and a transaction that
    # reads and then writes would otherwise fail, not wait, when another writer got in between.
    # One that only reads (`reading`) needs no lock: in WAL mode it reads its own snapshot.
    options = connection.get_execution_options()
    if options.get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    elif options.get("isolation_level") != "AUTOCOMMIT":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _database_name(dbapi_connection: Any) -> str:
    cursor = dbapi_connection.cursor()
    try:
        row = cursor.execute("PRAGMA database_list").fetchone()
        return str(row[2]) if row and row[2] else ":memory:"
    finally:
        cursor.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One session for one request or job: committed on success, rolled back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def reading(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that only reads (building a view after the answer): on SQLite it takes no
    write lock, so it never holds up a request that writes. It is rolled back, not committed."""
    session = factory()
    try:
        session.connection(execution_options={READ_ONLY: True})
        yield session
    finally:
        session.rollback()
        session.close()


def dialect_insert(session: Session) -> Any:
    """The `insert` of the session's database (PostgreSQL's or SQLite's), for the
    `ON CONFLICT` upserts both speak."""
    is_pg = session.get_bind().dialect.name == "postgresql"
    return postgresql.insert if is_pg else sqlite.insert


def database_answers(engine: Engine) -> bool:
    """True when a trivial query succeeds (used by /healthz)."""
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
