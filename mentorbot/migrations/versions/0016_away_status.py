"""away status: whether a person's Slack status says they are away, and until when

Revision ID: 0016
Revises: 0015

`member.away_since` (None: not away) and `member.away_until` (the status's expiry; None:
until it changes) hold a person's DMs; `member.away_waived` is their *Send them now* for
this spell. The status's words are never stored.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mentorbot.bot.dbtypes

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member") as batch_op:
        batch_op.add_column(
            sa.Column("away_since", mentorbot.bot.dbtypes.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("away_until", mentorbot.bot.dbtypes.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("away_waived", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("member") as batch_op:
        batch_op.drop_column("away_waived")
        batch_op.drop_column("away_until")
        batch_op.drop_column("away_since")
