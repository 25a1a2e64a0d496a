"""What a person's App Home shows: their pairs, next meetings, goals and own check-ins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from mentorbot.bot.models import CheckIn, Goal, Pair
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.feedback import MIN_GROUP, mentor_feedback
from mentorbot.bot.services.goals import open_goals
from mentorbot.bot.services.health import cohort_health, cohorts_for
from mentorbot.bot.services.pairs import pairs_of_person
from mentorbot.bot.services.privacy import latest_shared_with_mentor, own_checkins
from mentorbot.bot.services.workspaces import zone_of

RECENT = 3
# Goals listed per pair (the rest are a `/checkin goals` away); Slack allows 100 blocks.
GOALS_SHOWN = 5
MAX_BLOCKS = 100
# Coordinators' cohort health: cohorts shown (the rest are a `/mentoring status` away), and
# (compact panels, pairs at risk listed per cohort) from the fullest view to the shortest.
HEALTH_COHORTS_SHOWN = 5
HOME_LEVELS = ((False, 5), (True, 5), (True, 2), (True, 0))


@dataclass(frozen=True)
class PairPanel:
    """One pair as one of its people sees it."""

    pair: Pair
    as_mentee: bool
    goals: list[Goal]
    shared: CheckIn | None  # the mentee's latest shared check-in, on the mentor's side only


def home_view(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    coordinator: bool,
    now: datetime,
) -> Any:
    """The Home tab for this person, as a Block Kit view; a coordinator's shows cohort
    health as of `now` too."""
    panels = []
    for pair in pairs_of_person(
        session, team_id=team_id, user_id=user_id, status=("active", "paused")
    ):
        as_mentee = pair.mentee_id == user_id
        panels.append(
            PairPanel(
                pair=pair,
                as_mentee=as_mentee,
                goals=open_goals(session, pair),
                shared=None if as_mentee else latest_shared_with_mentor(session, pair),
            )
        )
    panels.sort(key=lambda panel: not panel.as_mentee)
    zone: ZoneInfo = zone_of(session, team_id=team_id, user_id=user_id)
    recent = own_checkins(session, team_id=team_id, user_id=user_id, limit=RECENT)
    # A mentor sees their own mentees' feedback: a closed round's averages, if enough answered.
    mentoring = any(not panel.as_mentee for panel in panels)
    own_feedback = (
        mentor_feedback(session, team_id=team_id, mentor_id=user_id, now=now) if mentoring else None
    )
    health = []
    if coordinator:
        health = cohort_health(
            session,
            cohorts=cohorts_for(session, team_id=team_id, name=None),
            now=now,
            viewer=user_id,
        )
    view = None
    # A mentor of many gets one short panel per pair; then fewer pairs at risk are listed.
    for compact, risks_shown in HOME_LEVELS:
        view = render_json(
            "home/home.json.j2",
            user_id=user_id,
            panels=panels,
            recent=recent,
            zone=zone,
            coordinator=coordinator,
            compact=compact,
            goals_shown=GOALS_SHOWN,
            mentoring=mentoring,
            own_feedback=own_feedback,
            min_group=MIN_GROUP,
            health=health,
            cohorts_shown=HEALTH_COHORTS_SHOWN,
            risks_shown=risks_shown,
        )
        if len(view["blocks"]) <= MAX_BLOCKS:
            break
    return view
