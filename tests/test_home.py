"""The App Home: what each person sees first."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from mentorbot.handlers.events.home import home_view
from mentorbot.standin.contract import check_view
from tests.factories import TEAM, seed_pair

NOW = datetime(2027, 3, 3, 10, tzinfo=UTC)
COORD = "U0COORD"


def shown(view: dict[str, Any]) -> list[str]:
    """The words of each block, in order."""
    return [json.dumps(block, ensure_ascii=False) for block in view["blocks"]]


def test_a_coordinators_home_leads_with_their_cohorts(
    sessions: sessionmaker[Session],
) -> None:
    seed_pair(sessions, now=NOW, mentor="U0MENTOR", mentee="U0MENTEE")
    with sessions() as session:
        view = home_view(session, team_id=TEAM, user_id=COORD, coordinator=True, now=NOW)
        mentee = home_view(session, team_id=TEAM, user_id="U0NEW", coordinator=False, now=NOW)
    assert check_view(view, "home") == []
    blocks = shown(view)
    assert "Cohort health" in blocks[0] and "*Spring*" in blocks[1]
    # Not in a pair themselves: nothing tells them they will be paired by "the coordinators".
    everything = "".join(blocks)
    assert "not in a mentoring pair" not in everything
    assert "coordinators will pair you" not in everything
    assert 'Your mentoring"' not in everything  # no header over an empty part
    # Someone who is not a coordinator still hears they will be paired.
    assert "You are not in a mentoring pair yet" in "".join(shown(mentee))


def test_a_coordinator_who_mentors_sees_their_cohorts_then_their_pairs(
    sessions: sessionmaker[Session],
) -> None:
    seed_pair(sessions, now=NOW, mentor=COORD, mentee="U0MENTEE")
    with sessions() as session:
        view = home_view(session, team_id=TEAM, user_id=COORD, coordinator=True, now=NOW)
    assert check_view(view, "home") == []
    blocks = shown(view)
    health = next(i for i, text in enumerate(blocks) if "Cohort health" in text)
    mine = next(i for i, text in enumerate(blocks) if 'Your mentoring"' in text)
    mentee = next(i for i, text in enumerate(blocks) if "*You mentor* <@U0MENTEE>" in text)
    assert health == 0 < mine < mentee
