"""retention: when a pair's, a cohort's or a concern's words were deleted

Revision ID: 0020
Revises: 0019

With MENTORBOT_RETENTION_DAYS set, the tick deletes the words people wrote some days after
their pair or cohort ended, in small batches; `words_deleted_at` says a row's turn has come
and gone, so each batch takes the next ones.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mentorbot.bot.dbtypes

_WHEN = mentorbot.bot.dbtypes.UTCDateTime(timezone=True)

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("pair", "cohort", "concern")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("words_deleted_at", _WHEN, nullable=True))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("words_deleted_at")
