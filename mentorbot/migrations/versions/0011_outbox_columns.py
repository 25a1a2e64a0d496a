"""outbox columns: what each message is and whom it is about, no longer read from its key

Revision ID: 0011
Revises: 0010

Rows queued before this revision get their columns from their dedupe keys, parsed here once
(the key formats `mentorbot.bot.message_kinds` makes, as they were when this was written, and
`escalate:pair…`, made before 0009). Keys in no known format keep empty columns.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# The kinds, and those whose payload may quote words people wrote, as of this revision.
KINDS = frozenset(
    [
        "agreement",
        "alumni",
        "announcement",
        "celebrate",
        "closing",
        "concern",
        "concernhandled",
        "coordinator",
        "digest",
        "escalate",
        "escalations",
        "farewell",
        "followup",
        "goaldue",
        "gratitude",
        "installed",
        "kickoff",
        "moved",
        "nudge",
        "paused",
        "phasesoon",
        "prep",
        "prompt",
        "resumed",
        "survey",
        "winshare",
    ]
)
QUOTES_WORDS = frozenset(
    [
        "agreement",
        "announcement",
        "celebrate",
        "concern",
        "concernhandled",
        "goaldue",
        "gratitude",
        "prompt",
        "winshare",
    ]
)
# Pair messages that quote the pair's mentee (their goals, shared check-in, wins).
MENTEES_WORDS = frozenset({"celebrate", "goaldue", "prompt", "winshare"})
_PAIR = re.compile(r":pair(\d+)(?::|$)")
_COHORT = re.compile(r":cohort(\d+)(?::|$)")
_ANNOUNCEMENT = re.compile(r"^announcement:(\d+)$")
_CONCERN = re.compile(r"^(?:concern:(\d+):|concernhandled:(\d+)$)")
_GRATITUDE = re.compile(r"^gratitude:pair\d+:(.+)$")
INDEXES = (
    ("ix_outbound_message_pair_id_kind", ["pair_id", "kind"]),
    ("ix_outbound_message_cohort_id_status", ["cohort_id", "status"]),
    ("ix_outbound_message_team_id_about_user_id", ["team_id", "about_user_id"]),
    ("ix_outbound_message_concern_id", ["concern_id"]),
)
CHUNK = 1000


def upgrade() -> None:
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("pair_id", _ID, nullable=True))
        batch_op.add_column(sa.Column("cohort_id", _ID, nullable=True))
        batch_op.add_column(sa.Column("concern_id", _ID, nullable=True))
        batch_op.add_column(sa.Column("about_user_id", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("quotes_words", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        for name, columns in INDEXES:
            batch_op.create_index(name, columns, unique=False)
    _fill_from_keys()


COLUMNS = ("kind", "pair_id", "cohort_id", "concern_id", "about_user_id", "quotes_words")


def _fill_from_keys() -> None:
    """Set the new columns of every row queued so far from its dedupe key."""
    connection = op.get_bind()
    outbox = sa.table(
        "outbound_message",
        *(sa.column(name) for name in ("id", "team_id", "dedupe_key", *COLUMNS)),
    )
    known = Known.read(connection)
    keys = connection.execute(sa.select(outbox.c.id, outbox.c.team_id, outbox.c.dedupe_key))
    found = (
        {"row_id": row_id, **{f"v_{name}": value for name, value in columns.items()}}
        for row_id, team_id, key in keys.all()
        if (columns := columns_from_key(team_id, key, known)) is not None
    )
    statement = (
        sa.update(outbox)
        .where(outbox.c.id == sa.bindparam("row_id"))
        .values({name: sa.bindparam(f"v_{name}") for name in COLUMNS})
    )
    for chunk in _chunks(found):
        connection.execute(statement, chunk)


@dataclass(frozen=True)
class Known:
    """What the keys point at, by (team_id, id): pairs' cohorts and mentees, concerns' authors,
    announcements' cohorts."""

    pairs: dict[tuple[str, int], tuple[int, str]]
    raised_by: dict[tuple[str, int], str]
    announced: dict[tuple[str, int], int]

    @classmethod
    def read(cls, connection: sa.Connection) -> "Known":
        def by_id(name: str, *columns: str) -> dict[tuple[str, int], Any]:
            table = sa.table(name, *(sa.column(c) for c in ("team_id", "id", *columns)))
            rows = connection.execute(sa.select(*table.c))
            return {(team_id, row_id): tuple(rest) for team_id, row_id, *rest in rows}

        return cls(
            pairs=by_id("pair", "cohort_id", "mentee_id"),
            raised_by={k: v for k, (v,) in by_id("concern", "raised_by").items()},
            announced={k: v for k, (v,) in by_id("announcement", "cohort_id").items()},
        )


def columns_from_key(team_id: str, key: str, known: Known) -> dict[str, Any] | None:
    """A row's new columns from its key, or None when its key tells nothing."""
    first = key.split(":", 1)[0]
    kind = first if first in KINDS else None
    pair_id = cohort_id = concern_id = about = None
    if m := _PAIR.search(key):
        pair_id = int(m.group(1))
        cohort_id, mentee = known.pairs.get((team_id, pair_id), (None, None))
        if kind in MENTEES_WORDS:
            about = mentee
        elif kind == "gratitude" and (sender := _GRATITUDE.match(key)):
            about = sender.group(1)
    elif m := _COHORT.search(key):
        cohort_id = int(m.group(1))
    elif m := _ANNOUNCEMENT.match(key):
        cohort_id = known.announced.get((team_id, int(m.group(1))))
    elif m := _CONCERN.match(key):
        concern_id = int(m.group(1) or m.group(2))
        about = known.raised_by.get((team_id, concern_id))
    if kind is None and pair_id is None and cohort_id is None and concern_id is None:
        return None
    return {
        "kind": kind,
        "pair_id": pair_id,
        "cohort_id": cohort_id,
        "concern_id": concern_id,
        "about_user_id": about,
        "quotes_words": kind in QUOTES_WORDS,
    }


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def downgrade() -> None:
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        for name, _ in reversed(INDEXES):
            batch_op.drop_index(name)
        for column in ("quotes_words", "about_user_id", "concern_id", "cohort_id", "pair_id"):
            batch_op.drop_column(column)
        batch_op.drop_column("kind")
