"""delivery lanes: opened conversations and Slack pauses kept for every sender; history looks

Revision ID: 0012
Revises: 0011

`conversation` keeps each DM's and group DM's channel once Slack opened it; `slack_pause`
keeps, per workspace and method, until when calls wait (a 429's Retry-After, or the pace of
conversations.history). Outbox rows remember when they were first tried, where a look in
Slack's history starts, and how many looks could not tell.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mentorbot.bot.dbtypes

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "conversation",
        sa.Column("id", _ID, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("users", sa.String(length=64), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("opened_at", mentorbot.bot.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation")),
        sa.UniqueConstraint("team_id", "users", name=op.f("uq_conversation_team_id_users")),
    )
    op.create_table(
        "slack_pause",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("method", sa.String(length=64), nullable=False),
        sa.Column("until", mentorbot.bot.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "method", name=op.f("pk_slack_pause")),
    )
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "first_attempt_at", mentorbot.bot.dbtypes.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("lookups", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.drop_column("lookups")
        batch_op.drop_column("first_attempt_at")
    op.drop_table("slack_pause")
    op.drop_table("conversation")
