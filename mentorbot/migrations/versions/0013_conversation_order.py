"""conversation order: outbox rows found by their conversation

Revision ID: 0013
Revises: 0012

A lane sends only the first due message of a conversation, and none while another lane is
sending to it; this index finds a conversation's rows by workspace, target and status.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_outbound_message_team_id_target_id_status"),
        "outbound_message",
        ["team_id", "target_id", "status"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_outbound_message_team_id_target_id_status"), table_name="outbound_message"
    )
