"""What a person's App Home shows: their pairs, next meetings, goals and own check-ins."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot.models import CheckIn, Goal, Member, MentorRequest, Pair
from mentorbot.bot.services.away_status import Waiting, waiting_for
from mentorbot.bot.services.feedback import RoundResults, mentor_feedback
from mentorbot.bot.services.goals import open_goals
from mentorbot.bot.services.health import CohortHealth, cohort_health, cohorts_for
from mentorbot.bot.services.mentor_directory import can_find_mentor
from mentorbot.bot.services.mentor_requests import requests_to_confirm
from mentorbot.bot.services.pairs import pairs_of_person
from mentorbot.bot.services.privacy import latest_shared_with_mentor, own_checkins
from mentorbot.bot.services.workspaces import zone_of

RECENT = 3
# Requests to confirm a coordinator's App Home lists (two blocks each; the rest in DMs).
CONFIRMS_SHOWN = 3


@dataclass(frozen=True)
class PairPanel:
    """One pair as one of its people sees it."""

    pair: Pair
    as_mentee: bool
    goals: list[Goal]
    shared: CheckIn | None  # the mentee's latest shared check-in, on the mentor's side only


@dataclass(frozen=True)
class Home:
    """What a person's App Home shows: their pairs (as mentee first), their own latest
    check-ins, a mentor's feedback from their mentees, and a coordinator's cohort health."""

    user_id: str
    coordinator: bool
    panels: list[PairPanel]
    recent: list[CheckIn]
    zone: ZoneInfo
    mentoring: bool
    own_feedback: RoundResults | None
    health: list[CohortHealth]
    waiting: Waiting | None  # their status says away: DMs wait (with *Send them now*)
    finds_mentor: bool  # a mentee of a self-serve cohort, without a mentor there yet
    # A coordinator's: requests mentors accepted in approval cohorts, to confirm (a few),
    # and how many there are in all.
    to_confirm: list[MentorRequest] = field(default_factory=list)
    to_confirm_total: int = 0


def home_of(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    coordinator: bool,
    now: datetime,
) -> Home:
    """The person's App Home; a coordinator's has cohort health as of `now` too."""
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
    health: list[CohortHealth] = []
    to_confirm: list[MentorRequest] = []
    to_confirm_total = 0
    if coordinator:
        to_confirm, to_confirm_total = requests_to_confirm(
            session, team_id=team_id, viewer=user_id, limit=CONFIRMS_SHOWN
        )
        health = cohort_health(
            session,
            cohorts=cohorts_for(session, team_id=team_id, name=None),
            now=now,
            viewer=user_id,
        )
    return Home(
        user_id=user_id,
        coordinator=coordinator,
        panels=panels,
        recent=recent,
        zone=zone,
        mentoring=mentoring,
        own_feedback=own_feedback,
        health=health,
        to_confirm=to_confirm,
        to_confirm_total=to_confirm_total,
        finds_mentor=can_find_mentor(session, team_id=team_id, user_id=user_id),
        waiting=waiting_for(
            session,
            member=session.scalar(
                select(Member).where(Member.team_id == team_id, Member.user_id == user_id)
            ),
            now=now,
        ),
    )
