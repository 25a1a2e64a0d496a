"""calendar feeds: each person's private iCalendar link, and the meetings' history it shows

Revision ID: 0015
Revises: 0014

`calendar_feed` keeps one row per person per workspace: a nonce the link's token is derived
from, and the token's SHA-256 (never the token). `pair.meeting_history` keeps what the feed
needs of past meetings: the rhythms, pauses and moved meetings.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mentorbot.bot.dbtypes

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_feed",
        sa.Column("id", _ID, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", mentorbot.bot.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feed")),
        sa.UniqueConstraint("team_id", "user_id", name=op.f("uq_calendar_feed_team_id_user_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feed_token_hash")),
    )
    with op.batch_alter_table("pair") as batch_op:
        batch_op.add_column(sa.Column("meeting_history", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pair") as batch_op:
        batch_op.drop_column("meeting_history")
    op.drop_table("calendar_feed")
