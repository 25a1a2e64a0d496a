"""languages: a person's Slack locale and the language they chose

Revision ID: 0021
Revises: 0020

Every message is rendered in its reader's language: the one they chose with
`/checkin language`, else their Slack locale (users.info with include_locale), else the
workspace default.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member") as batch:
        batch.add_column(sa.Column("slack_locale", sa.String(16), nullable=True))
        batch.add_column(sa.Column("language", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("member") as batch:
        batch.drop_column("language")
        batch.drop_column("slack_locale")
