"""Shared set-up for the tests that follow a pair through weeks: when they start, what the
pair has stored, and the modal in front of them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.models import CheckIn, Goal
from mentorbot.standin import SlackStandin
from tests.rhythm import the_pair

START = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)  # a Monday; US clocks go forward on 14 March
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def rows(sessions: sessionmaker[Session]) -> dict[str, Any]:
    """What is stored: how many check-ins, every goal as `title:status`, and Ben's pair's status
    and next meeting."""
    pair = the_pair(sessions)
    with sessions() as session:
        return {
            "checkins": session.scalar(select(func.count()).select_from(CheckIn)),
            "goals": sorted(session.scalars(select(Goal.title + ":" + Goal.status))),
            "pair": (pair.status, pair.next_meeting_at),
        }


def view_of(standin: SlackStandin) -> dict[str, Any]:
    """The modal opened last, as Slack holds it (with its id and hash)."""
    view = standin.calls_to("views.open")[-1].args["view"]
    opened = json.loads(view) if isinstance(view, str) else dict(view)
    held = [v for v in standin.views.values() if v.get("callback_id") == opened["callback_id"]]
    return dict(held[-1])
