"""holiday calendars: each person's public holidays (a country, optionally a subdivision)

Revision ID: 0014
Revises: 0013

`member.holiday_calendar` holds `GB`, `US-CA` or `none`; empty follows the workspace's
calendar (MENTORBOT_HOLIDAYS). DMs wait over a public holiday in the reader's calendar.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member") as batch_op:
        batch_op.add_column(sa.Column("holiday_calendar", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("member") as batch_op:
        batch_op.drop_column("holiday_calendar")
