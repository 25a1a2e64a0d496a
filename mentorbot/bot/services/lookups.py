"""Rows named by an id in a button or a form: the asking workspace's only.

An id reaches the bot from Slack in a button's value or a modal's metadata, and a click can be
replayed from another workspace that has mentorbot installed. Every such lookup goes through
`of_workspace`, so another workspace's row is answered as unknown (`errors/lookups/unknown`),
never as ended or gone, and never touched.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session

from mentorbot.bot.errors import NotFound
from mentorbot.bot.models import (
    Announcement,
    CheckIn,
    Cohort,
    Concern,
    Goal,
    MatchProposal,
    Milestone,
    Pair,
)

Row = TypeVar("Row")

# Each kind of row, as `errors/lookups/unknown.md.j2` names it.
KINDS: dict[type[Any], str] = {
    Announcement: "announcement",
    CheckIn: "checkin",
    Cohort: "cohort",
    Concern: "concern",
    Goal: "goal",
    MatchProposal: "match_proposal",
    Milestone: "win",
    Pair: "pair",
}


def of_workspace(
    session: Session,
    model: type[Row],
    row_id: int,
    *,
    team_id: str,
    gone: str | None = None,
    for_update: bool = False,
) -> Row:
    """The workspace's row of `model` with this id; NotFound otherwise.

    A row of another workspace, or an id that never was, is unknown. `gone` is the error to
    say instead when rows of this kind are deleted (an undone check-in) and no row has the id.
    `for_update` locks the row until the transaction ends.
    """
    row = session.get(
        model, row_id, with_for_update=for_update or None, populate_existing=for_update or None
    )
    if row is None and gone is not None:
        raise NotFound(gone)
    if row is None or getattr(row, "team_id", None) != team_id:
        raise NotFound("lookups/unknown", kind=KINDS[model])
    return row
