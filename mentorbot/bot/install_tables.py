"""The tables of slack_sdk's SQLAlchemy installation and OAuth state stores.

slack_sdk defines them and reads and writes them; mentorbot creates them through its own
Alembic migrations (0007), in the same database as everything else, rather than with the
stores' `create_tables()`. A test checks that the migrations and these definitions agree, so
an upgrade of slack_sdk that changes them shows up as a failing test, not at run time.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData

INSTALLATIONS = SQLAlchemyInstallationStore.default_installations_table_name
BOTS = SQLAlchemyInstallationStore.default_bots_table_name
OAUTH_STATES = SQLAlchemyOAuthStateStore.default_table_name


def install_metadata() -> MetaData:
    """A MetaData holding the three store tables, as slack_sdk builds them."""
    metadata = MetaData()
    SQLAlchemyInstallationStore.build_installations_table(metadata, INSTALLATIONS)
    SQLAlchemyInstallationStore.build_bots_table(metadata, BOTS)
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, OAUTH_STATES)
    return metadata
