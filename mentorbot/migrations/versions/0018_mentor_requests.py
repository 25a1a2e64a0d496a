"""mentor requests: a mentee's request to a mentor of a self-serve cohort, and its answer

Revision ID: 0018
Revises: 0017

A row per request: the mentee's words (why, hope, first goal), the rhythm they would like,
its status, the mentor's kind note or suggestion, and the pair an acceptance made.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mentorbot.bot.dbtypes

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = mentorbot.bot.dbtypes.UTCDateTime(timezone=True)

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mentor_request",
        sa.Column("id", _ID, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("cohort_id", _ID, nullable=False),
        sa.Column("mentee_id", sa.String(length=32), nullable=False),
        sa.Column("mentor_id", sa.String(length=32), nullable=False),
        sa.Column("why", sa.Text(), nullable=True),
        sa.Column("hope", sa.Text(), nullable=True),
        sa.Column("first_goal", sa.Text(), nullable=True),
        sa.Column("cadence", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("suggested_id", sa.String(length=32), nullable=True),
        sa.Column("answered_by", sa.String(length=32), nullable=True),
        sa.Column("answered_at", _WHEN, nullable=True),
        sa.Column("pair_id", _ID, nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_mentor_request_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pair_id"],
            ["pair.id"],
            name=op.f("fk_mentor_request_pair_id_pair"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_request")),
    )
    for columns in (
        ("team_id", "mentee_id", "status"),
        ("team_id", "mentor_id", "status"),
        ("cohort_id", "status"),
        ("status", "expires_at"),
    ):
        op.create_index(
            op.f("ix_mentor_request_" + "_".join(columns)), "mentor_request", list(columns)
        )


def downgrade() -> None:
    op.drop_table("mentor_request")
