"""the mentoring rhythm: prompt times, moved meetings, quiet pairs, goal reminders

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import mentorbot.bot.dbtypes

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAIR_MOMENTS = ("moved_from", "prompt_at", "quiet_since", "nudge_at", "escalate_at")
# The cadences and nudge grace as they were when this migration was written.
CADENCE_DAYS = {"weekly": 7, "biweekly": 14, "monthly": 28}
GRACE = timedelta(days=3)


def _moment(name: str) -> sa.Column:
    return sa.Column(name, mentorbot.bot.dbtypes.UTCDateTime(timezone=True), nullable=True)


def upgrade() -> None:
    with op.batch_alter_table("pair", schema=None) as batch_op:
        for name in PAIR_MOMENTS:
            batch_op.add_column(_moment(name))
        batch_op.create_index("ix_pair_status_prompt_at", ["status", "prompt_at"], unique=False)
        batch_op.create_index("ix_pair_status_nudge_at", ["status", "nudge_at"], unique=False)
        batch_op.create_index("ix_pair_status_escalate_at", ["status", "escalate_at"], unique=False)
    # Pairs made before: quiet since they were paired or last checked in, nudged a cycle and
    # the grace later;
    # a coming meeting not yet prompted is prompted a day ahead (the default lead time).
    moment = mentorbot.bot.dbtypes.UTCDateTime(timezone=True)
    pair = sa.table(
        "pair",
        sa.column("id", sa.BigInteger),
        sa.column("created_at", moment),
        sa.column("quiet_since", moment),
        sa.column("next_meeting_at", moment),
        sa.column("prompted_meeting_at", moment),
        sa.column("prompt_at", moment),
        sa.column("cadence", sa.String),
        sa.column("nudge_at", moment),
        sa.column("escalate_at", moment),
    )
    connection = op.get_bind()
    check_in = sa.table(
        "check_in", sa.column("pair_id", sa.BigInteger), sa.column("created_at", moment)
    )
    latest = dict(
        connection.execute(
            sa.select(check_in.c.pair_id, sa.func.max(check_in.c.created_at)).group_by(
                check_in.c.pair_id
            )
        ).all()
    )
    now = datetime.now(UTC)
    for pair_id, cadence, created_at in connection.execute(
        sa.select(pair.c.id, pair.c.cadence, pair.c.created_at)
    ).all():
        cycle = timedelta(days=CADENCE_DAYS.get(cadence, 14))
        since = max(moment for moment in (created_at, latest.get(pair_id)) if moment)
        connection.execute(
            sa.update(pair)
            .where(pair.c.id == pair_id)
            .values(
                quiet_since=since,
                # A spell that began before nudges existed is counted from the upgrade on:
                # no burst of nudges and notes on the first tick after it.
                nudge_at=max(since + cycle + GRACE, now + GRACE),
                escalate_at=max(since + 2 * cycle + GRACE, now + cycle + GRACE),
            )
        )
    rows = connection.execute(
        sa.select(pair.c.id, pair.c.next_meeting_at, pair.c.prompted_meeting_at).where(
            pair.c.next_meeting_at.is_not(None)
        )
    ).all()
    for pair_id, meeting, prompted in rows:
        if prompted != meeting:
            connection.execute(
                sa.update(pair)
                .where(pair.c.id == pair_id)
                .values(prompt_at=meeting - timedelta(hours=24))
            )
    with op.batch_alter_table("pair", schema=None) as batch_op:
        batch_op.drop_column("prompted_meeting_at")
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by", sa.String(length=32), nullable=True))
        batch_op.add_column(_moment("reminded_at"))


def downgrade() -> None:
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.drop_column("reminded_at")
        batch_op.drop_column("created_by")
    with op.batch_alter_table("pair", schema=None) as batch_op:
        batch_op.add_column(_moment("prompted_meeting_at"))
        batch_op.drop_index("ix_pair_status_escalate_at")
        batch_op.drop_index("ix_pair_status_nudge_at")
        batch_op.drop_index("ix_pair_status_prompt_at")
        for name in reversed(PAIR_MOMENTS):
            batch_op.drop_column(name)
