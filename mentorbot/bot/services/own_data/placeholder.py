"""Putting a person's anonymous placeholder in place of their Slack id, in every row."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import JSON, String, Text, cast, select, update
from sqlalchemy.orm import Session

from mentorbot.bot.models import Base, Member

# Tables that hold the operator's configuration, not people's data (MENTORBOT_COORDINATORS is
# recorded with the workspace and rewritten at every start).
CONFIGURATION = ("workspace",)


def _replace_id(session: Session, *, team_id: str, user_id: str, by: str, keep: int) -> None:
    """Put `by` in place of the person's id in every text and JSON value of the workspace's
    rows, except the member row `keep` (the record of the deletion)."""
    # A mention (with the name Slack may add: `<@U123|ana>`) becomes the bare placeholder.
    escaped = re.escape(user_id)
    pattern = re.compile(rf"<@{escaped}(?:\|[^>]*)?>|(?<![A-Za-z0-9]){escaped}(?![A-Za-z0-9])")
    for table in Base.metadata.sorted_tables:
        # (A table without `id` holds no one's data: Slack's pauses of a workspace's calls.)
        if table.name in CONFIGURATION or "team_id" not in table.c or "id" not in table.c:
            continue
        for column in table.c:
            if column.name == "team_id" or not isinstance(column.type, String | JSON):
                continue
            query = select(table.c.id, column).where(
                table.c.team_id == team_id,
                cast(column, Text).contains(user_id, autoescape=True),
            )
            if table.name == Member.__tablename__:
                query = query.where(table.c.id != keep)
            for row_id, value in session.execute(query).all():
                session.execute(
                    update(table)
                    .where(table.c.id == row_id)
                    .values({column.name: _replaced(value, pattern, by)})
                )


def _replaced(value: Any, pattern: re.Pattern[str], by: str) -> Any:
    """`value` (text, or JSON data) with every match of `pattern` replaced by `by`."""
    if isinstance(value, str):
        return pattern.sub(by, value)
    if isinstance(value, list):
        return [_replaced(item, pattern, by) for item in value]
    if isinstance(value, dict):
        return {
            _replaced(key, pattern, by): _replaced(item, pattern, by) for key, item in value.items()
        }
    return value
