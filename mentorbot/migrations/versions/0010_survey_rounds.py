"""survey rounds: a cohort's midpoint and closing surveys, whose results appear when they close

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import mentorbot.bot.dbtypes

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# The default length of a round when this migration was written (MENTORBOT_SURVEY_DAYS).
SURVEY_LENGTH = timedelta(days=7)


def _moment(name: str) -> sa.Column:
    return sa.Column(name, mentorbot.bot.dbtypes.UTCDateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "survey_round",
        sa.Column("id", _ID, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("cohort_id", _ID, nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        _moment("opens_at"),
        _moment("closes_at"),
        _moment("created_at"),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name="fk_survey_round_cohort_id_cohort",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_survey_round"),
        sa.UniqueConstraint(
            "team_id", "cohort_id", "phase", name="uq_survey_round_team_id_cohort_id_phase"
        ),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("round_id", _ID, nullable=True))
        batch_op.create_index("ix_feedback_round_id", ["round_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_feedback_round_id_survey_round",
            "survey_round",
            ["round_id"],
            ["id"],
            ondelete="CASCADE",
        )
    _rounds_for_answers_given()


def _rounds_for_answers_given() -> None:
    """Answers given before rounds existed join one round per cohort past its midpoint: the
    round of the phase it is in (closing for an ended cohort), opened when the cohort
    entered that phase. Coordinators saw those answers already; they still do once that
    round has closed. A cohort not yet at its midpoint keeps its answers for the midpoint
    round."""
    moment = mentorbot.bot.dbtypes.UTCDateTime(timezone=True)
    cohort = sa.table(
        "cohort",
        sa.column("id", _ID),
        sa.column("team_id", sa.String),
        sa.column("phase", sa.String),
        sa.column("phase_changed_at", moment),
    )
    pair = sa.table("pair", sa.column("id", _ID), sa.column("cohort_id", _ID))
    feedback = sa.table("feedback", sa.column("pair_id", _ID), sa.column("round_id", _ID))
    survey_round = sa.table(
        "survey_round",
        sa.column("id", _ID),
        sa.column("team_id", sa.String),
        sa.column("cohort_id", _ID),
        sa.column("phase", sa.String),
        sa.column("opens_at", moment),
        sa.column("closes_at", moment),
        sa.column("created_at", moment),
    )
    connection = op.get_bind()
    now = datetime.now(UTC)
    answered = (
        sa.select(cohort.c.id, cohort.c.team_id, cohort.c.phase, cohort.c.phase_changed_at)
        .where(cohort.c.phase.in_(("midpoint", "closing", "ended")))
        .where(sa.exists().where(feedback.c.pair_id == pair.c.id, pair.c.cohort_id == cohort.c.id))
    )
    for cohort_id, team_id, phase, changed_at in connection.execute(answered).all():
        opens_at = changed_at or now
        connection.execute(
            sa.insert(survey_round).values(
                team_id=team_id,
                cohort_id=cohort_id,
                phase="midpoint" if phase == "midpoint" else "closing",
                opens_at=opens_at,
                closes_at=opens_at + SURVEY_LENGTH,
                created_at=now,
            )
        )
        round_id = connection.execute(
            sa.select(survey_round.c.id).where(survey_round.c.cohort_id == cohort_id)
        ).scalar_one()
        connection.execute(
            sa.update(feedback)
            .where(
                feedback.c.pair_id.in_(sa.select(pair.c.id).where(pair.c.cohort_id == cohort_id))
            )
            .values(round_id=round_id)
        )


def downgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_constraint("fk_feedback_round_id_survey_round", type_="foreignkey")
        batch_op.drop_index("ix_feedback_round_id")
        batch_op.drop_column("round_id")
    op.drop_table("survey_round")
