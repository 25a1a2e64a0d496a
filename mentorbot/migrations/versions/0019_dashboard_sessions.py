"""dashboard sessions: one-time sign-in links and signed-in coordinators' sessions

Revision ID: 0019
Revises: 0018

Both keep only a token's SHA-256: the link's (sent in a DM, used once within minutes) and the
session cookie's (with the session's CSRF token).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mentorbot.bot.dbtypes

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = mentorbot.bot.dbtypes.UTCDateTime(timezone=True)

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dashboard_link",
        sa.Column("id", _ID, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column("used_at", _WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_dashboard_link_token_hash")),
    )
    op.create_index(op.f("ix_dashboard_link_expires_at"), "dashboard_link", ["expires_at"])
    op.create_table(
        "dashboard_session",
        sa.Column("id", _ID, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column("ended_at", _WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_dashboard_session_token_hash")),
    )
    op.create_index(op.f("ix_dashboard_session_expires_at"), "dashboard_session", ["expires_at"])


def downgrade() -> None:
    op.drop_table("dashboard_session")
    op.drop_table("dashboard_link")
