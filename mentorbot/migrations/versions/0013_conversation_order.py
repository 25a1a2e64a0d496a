"""conversation order and pace: outbox rows found by their conversation; its next post

Revision ID: 0013
Revises: 0012

A lane sends only the first due message of a conversation, and none while another lane is
sending to it; an index finds a conversation's rows by workspace, target and status, and
the (status, not_before) index gains the id, so claims read due rows in their order and stop
at the first that may go.
`conversation_pace` keeps when each conversation may have its next post, for every sender.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mentorbot.bot.dbtypes

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbound_message") as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbound_message_status_not_before"))
        batch_op.create_index(
            batch_op.f("ix_outbound_message_status_not_before_id"),
            ["status", "not_before", "id"],
        )
    op.create_table(
        "conversation_pace",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("free_at", mentorbot.bot.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "target", name=op.f("pk_conversation_pace")),
    )
    op.create_index(
        op.f("ix_outbound_message_team_id_target_id_status"),
        "outbound_message",
        ["team_id", "target_id", "status"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_outbound_message_team_id_target_id_status"), table_name="outbound_message"
    )
    op.drop_table("conversation_pace")
    with op.batch_alter_table("outbound_message") as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbound_message_status_not_before_id"))
        batch_op.create_index(
            batch_op.f("ix_outbound_message_status_not_before"), ["status", "not_before"]
        )
