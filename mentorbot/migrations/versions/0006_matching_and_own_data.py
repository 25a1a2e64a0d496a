"""matching profiles and proposals; people deleting their own data

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mentorbot.bot.dbtypes

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _moment(name: str, *, nullable: bool = True) -> sa.Column:
    return sa.Column(name, mentorbot.bot.dbtypes.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(_moment("data_deleted_at"))
    op.create_table(
        "profile",
        sa.Column("id", _ID, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("cohort_id", _ID, nullable=True),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("goals", sa.Text(), nullable=True),
        _moment("created_at", nullable=False),
        _moment("updated_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohort.id"], name="fk_profile_cohort_id_cohort", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_profile"),
        sa.UniqueConstraint("team_id", "user_id", name="uq_profile_team_id_user_id"),
    )
    with op.batch_alter_table("profile", schema=None) as batch_op:
        batch_op.create_index("ix_profile_cohort_id", ["cohort_id"], unique=False)
    op.create_table(
        "match_proposal",
        sa.Column("id", _ID, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("cohort_id", _ID, nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _moment("created_at", nullable=False),
        _moment("decided_at"),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name="fk_match_proposal_cohort_id_cohort",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_match_proposal"),
    )
    with op.batch_alter_table("match_proposal", schema=None) as batch_op:
        batch_op.create_index(
            "ix_match_proposal_team_id_cohort_id_status",
            ["team_id", "cohort_id", "status"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("match_proposal", schema=None) as batch_op:
        batch_op.drop_index("ix_match_proposal_team_id_cohort_id_status")
    op.drop_table("match_proposal")
    with op.batch_alter_table("profile", schema=None) as batch_op:
        batch_op.drop_index("ix_profile_cohort_id")
    op.drop_table("profile")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("data_deleted_at")
