"""Alembic, driven from code so the installed package can migrate its own database."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at the migrations shipped inside the package."""
    config = Config()
    config.set_main_option("script_location", str(files("mentorbot") / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


# PostgreSQL advisory lock held while migrating, so that processes starting together (web
# workers, the worker) migrate one after another instead of racing: a fixed number paired
# with the schema's name, as each schema migrates on its own.
MIGRATION_LOCK = 0x6D656E75


@cache
def head_revision() -> str | None:
    """The newest revision shipped, read from the migration scripts once per process."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def at_head(engine: Engine) -> bool:
    """Whether the database is at the newest revision already (one small query)."""
    try:
        with engine.connect() as connection:
            found = connection.scalars(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:
        return False  # no version table yet: a new database
    return found == [head_revision()]


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision; a no-op when it is already there (checked
    first without Alembic, which loads every migration script each time it runs)."""
    if at_head(engine):
        return
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key, hashtext(current_schema()))"),
                {"key": MIGRATION_LOCK},
            )
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
