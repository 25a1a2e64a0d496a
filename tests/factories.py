"""Test data built through the real services."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.db import unit_of_work
from mentorbot.bot.models import Member, Pair
from mentorbot.bot.services.cohorts import create_cohort
from mentorbot.bot.services.meetings import set_next_meeting
from mentorbot.bot.services.pairs import Planned, create_pairs

TEAM = "T0MENTOR"


def seed_pair(
    sessions: sessionmaker[Session],
    *,
    now: datetime,
    mentor: str = "U0MENTOR",
    mentee: str = "U0MENTEE",
    meeting_at: datetime | None = None,
    mentor_tz: str | None = None,
) -> Pair:
    """A cohort with one active pair, committed."""
    with unit_of_work(sessions) as session:
        cohort = create_cohort(
            session,
            team_id=TEAM,
            name="Spring",
            channel_id="C0COHORT",
            starts_on=date(now.year, now.month, now.day),
            weeks=12,
            cadence="biweekly",
            created_by="U0COORD",
            now=now,
        )
        for user_id, tz in ((mentor, mentor_tz), (mentee, None)):
            session.add(Member(team_id=TEAM, user_id=user_id, name=user_id.lower(), tz=tz))
        [pair] = create_pairs(
            session, cohort=cohort, planned=[Planned(mentor, mentee)], now=now, kickoff=False
        )
        if meeting_at is not None:
            set_next_meeting(session, pair, meeting_at, now=now)
        return pair
