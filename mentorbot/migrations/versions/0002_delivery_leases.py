"""delivery leases; meeting prompts remembered on the pair

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mentorbot.bot.dbtypes

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pair", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "prompted_meeting_at",
                mentorbot.bot.dbtypes.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "lease_until", mentorbot.bot.dbtypes.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("outcome_unknown", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.drop_column("outcome_unknown")
        batch_op.drop_column("lease_until")
    with op.batch_alter_table("pair", schema=None) as batch_op:
        batch_op.drop_column("prompted_meeting_at")
