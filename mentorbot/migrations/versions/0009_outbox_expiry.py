"""outbox rows expire at the moment they are for; coordinators' daily note of quiet pairs

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mentorbot.bot.dbtypes

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("expires_at", mentorbot.bot.dbtypes.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "escalations_sent_at",
                mentorbot.bot.dbtypes.UTCDateTime(timezone=True),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("escalations_sent_at")
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
