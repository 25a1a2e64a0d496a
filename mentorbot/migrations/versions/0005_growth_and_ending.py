"""growth and ending: celebrations, phases, concerns handled, closing reflections, alumni

Revision ID: 0005
Revises: 0004
"""

import calendar
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import mentorbot.bot.dbtypes

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _moment(name: str) -> sa.Column:
    return sa.Column(name, mentorbot.bot.dbtypes.UTCDateTime(timezone=True), nullable=True)


def _months_later(moment: datetime, months: int) -> datetime:
    # Frozen here as it was written: calendar months, the 31st clamped to the month's end.
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def upgrade() -> None:
    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.add_column(_moment("next_phase_at"))
        batch_op.add_column(_moment("heads_up_at"))
        batch_op.create_index("ix_cohort_next_phase_at", ["next_phase_at"], unique=False)
        batch_op.create_index("ix_cohort_heads_up_at", ["heads_up_at"], unique=False)
    with op.batch_alter_table("pair", schema=None) as batch_op:
        batch_op.add_column(_moment("anniversary_at"))
        batch_op.add_column(_moment("last_meeting_at"))
        batch_op.add_column(
            sa.Column("meetings_checked_in", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.create_index(
            "ix_pair_status_anniversary_at", ["status", "anniversary_at"], unique=False
        )
        # Pauses that end (the tick reads them every minute).
        batch_op.create_index(
            "ix_pair_status_paused_until", ["status", "paused_until"], unique=False
        )
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.add_column(sa.Column("variant", sa.SmallInteger(), nullable=True))
        batch_op.add_column(_moment("shared_at"))
    with op.batch_alter_table("concern", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolution", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("reply", sa.Text(), nullable=True))
    op.create_table(
        "reflection",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("pair_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("goals_done", sa.Integer(), nullable=False),
        sa.Column("goals_in_progress", sa.Integer(), nullable=False),
        sa.Column("goals_dropped", sa.Integer(), nullable=False),
        sa.Column("gratitude", sa.Text(), nullable=True),
        sa.Column("keep_in_touch", sa.Boolean(), nullable=False),
        _moment("alumni_at"),
        sa.Column("alumni_sent", sa.Integer(), nullable=False),
        sa.Column("created_at", mentorbot.bot.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pair_id"], ["pair.id"], name="fk_reflection_pair_id_pair", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reflection"),
        sa.UniqueConstraint(
            "team_id", "pair_id", "user_id", name="uq_reflection_team_id_pair_id_user_id"
        ),
    )
    with op.batch_alter_table("reflection", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reflection_keep_in_touch_alumni_at", ["keep_in_touch", "alumni_at"], unique=False
        )

    # Rows from before: running cohorts catch up with their phase on the next tick; pairs
    # still together get the next "months together" celebration that is still ahead.
    moment = mentorbot.bot.dbtypes.UTCDateTime(timezone=True)
    connection = op.get_bind()
    now = datetime.now(UTC)
    cohort = sa.table("cohort", sa.column("phase", sa.String), sa.column("next_phase_at", moment))
    connection.execute(sa.update(cohort).where(cohort.c.phase != "ended").values(next_phase_at=now))
    pair = sa.table(
        "pair",
        sa.column("id", sa.BigInteger),
        sa.column("status", sa.String),
        sa.column("created_at", moment),
        sa.column("anniversary_at", moment),
    )
    for pair_id, created_at in connection.execute(
        sa.select(pair.c.id, pair.c.created_at).where(pair.c.status.in_(("active", "paused")))
    ).all():
        ahead = [m for m in (_months_later(created_at, n) for n in (1, 3)) if m > now]
        if ahead:
            connection.execute(
                sa.update(pair).where(pair.c.id == pair_id).values(anniversary_at=ahead[0])
            )


def downgrade() -> None:
    with op.batch_alter_table("reflection", schema=None) as batch_op:
        batch_op.drop_index("ix_reflection_keep_in_touch_alumni_at")
    op.drop_table("reflection")
    with op.batch_alter_table("concern", schema=None) as batch_op:
        batch_op.drop_column("reply")
        batch_op.drop_column("resolution")
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.drop_column("shared_at")
        batch_op.drop_column("variant")
    with op.batch_alter_table("pair", schema=None) as batch_op:
        batch_op.drop_index("ix_pair_status_paused_until")
        batch_op.drop_index("ix_pair_status_anniversary_at")
        batch_op.drop_column("meetings_checked_in")
        batch_op.drop_column("last_meeting_at")
        batch_op.drop_column("anniversary_at")
    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.drop_index("ix_cohort_heads_up_at")
        batch_op.drop_index("ix_cohort_next_phase_at")
        batch_op.drop_column("heads_up_at")
        batch_op.drop_column("next_phase_at")
