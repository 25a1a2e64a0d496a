"""A large cohort for the dashboard's tests, built through the real services: named people,
pairs of every status and rhythm, check-ins with ratings for some, quiet pairs for others."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.db import unit_of_work
from mentorbot.bot.models import CheckIn, Member
from mentorbot.bot.services.cohorts import create_cohort
from mentorbot.bot.services.nudges import restart_quiet_clock
from mentorbot.bot.services.pairs import Planned, create_pairs
from mentorbot.standin import SlackStandin
from tests.factories import TEAM

# Every third pair checked in a week ago (rated 1 to 5 in turn); the rest went quiet. Every
# tenth is paused, every seventh meets weekly.
SECRET_WORDS = "DASHBOARD-SECRET-CHECKIN"


def mentor_name(n: int) -> str:
    return f"Mentor {n:03d}"


def mentee_name(n: int) -> str:
    return f"Mentee {n:03d}"


def seed_large_cohort(sessions: sessionmaker[Session], *, pairs: int, now: datetime) -> int:
    """The cohort "Large", begun five weeks before `now`, with `pairs` pairs; its id."""
    began = now - timedelta(weeks=5)
    with unit_of_work(sessions) as session:
        cohort = create_cohort(
            session,
            team_id=TEAM,
            name="Large",
            channel_id="C0LARGE",
            starts_on=began.date(),
            weeks=12,
            cadence="biweekly",
            created_by="U0COORD",
            now=began,
        )
        for n in range(pairs):
            session.add(Member(team_id=TEAM, user_id=f"UM{n:03d}", name=mentor_name(n), tz="UTC"))
            session.add(Member(team_id=TEAM, user_id=f"UE{n:03d}", name=mentee_name(n), tz="UTC"))
        planned = [Planned(f"UM{n:03d}", f"UE{n:03d}") for n in range(pairs)]
        made = create_pairs(session, cohort=cohort, planned=planned, now=began, kickoff=False)
        for n, pair in enumerate(made):
            if n % 7 == 0:
                pair.cadence = "weekly"
            if n % 10 == 0:
                pair.status, pair.paused_until = "paused", now + timedelta(weeks=2)
            if n % 3 == 0:
                at = now - timedelta(weeks=1)
                session.add(
                    CheckIn(
                        team_id=TEAM,
                        pair_id=pair.id,
                        author_id=pair.mentee_id,
                        created_at=at,
                        rating=n % 5 + 1,
                        went_well=SECRET_WORDS,
                    )
                )
                restart_quiet_clock(session, pair, at)
        return cohort.id


def add_to_standin(standin: SlackStandin, *, pairs: int) -> None:
    """The large cohort's people, in Slack's stand-in (so DMs to them can be delivered)."""
    for n in range(pairs):
        standin.add_user(f"UM{n:03d}", f"mentor{n:03d}", tz="UTC", real_name=mentor_name(n))
        standin.add_user(f"UE{n:03d}", f"mentee{n:03d}", tz="UTC", real_name=mentee_name(n))
