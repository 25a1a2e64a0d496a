"""mentor directory: mentors open to requests, and cohorts where mentees find their own

Revision ID: 0017
Revises: 0016

`profile.open_to_requests` and `profile.how_i_help` are what the directory lists of a mentor;
`cohort.self_serve` is `off` (coordinators pair people, as before), `open` or `approval`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("profile") as batch_op:
        batch_op.add_column(
            sa.Column("open_to_requests", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("how_i_help", sa.Text(), nullable=True))
    with op.batch_alter_table("cohort") as batch_op:
        batch_op.add_column(
            sa.Column("self_serve", sa.String(length=16), server_default="off", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("cohort") as batch_op:
        batch_op.drop_column("self_serve")
    with op.batch_alter_table("profile") as batch_op:
        batch_op.drop_column("how_i_help")
        batch_op.drop_column("open_to_requests")
