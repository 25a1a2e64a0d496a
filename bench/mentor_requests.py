"""Finding a mentor: the directory's first page, a request, and its acceptance, in a cohort
of 300 mentees and 100 mentors.

Seeds a self-serve cohort: 100 mentors open to requests (capacity 3, areas from a list of
ten, six time zones), 300 mentees with profiles, 100 of them paired already. Then, for 100
unpaired mentees: the directory's first page (as `/checkin find-mentor` builds it, before
its answer), a request to its first mentor (the modal's submission), and that mentor's
*Accept* (the pair, its kickoff and first goal). p50, p95 and max of each. Target: well
inside Slack's 3 seconds, a few tens of milliseconds.

    python bench/mentor_requests.py
    MENTORBOT_BENCH_DATABASE_URL=postgresql://... python bench/mentor_requests.py  # adds PostgreSQL
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import TEAM, databases, member_row

from mentorbot.bot.db import make_engine, make_sessionmaker, reading, unit_of_work
from mentorbot.bot.migrate import upgrade
from mentorbot.bot.models import Cohort, Member, Pair, Profile
from mentorbot.bot.services.mentor_directory import mentor_directory
from mentorbot.bot.services.mentor_requests import accept_request, ask_mentor
from mentorbot.bot.services.workspaces import ensure_workspace
from mentorbot.bot.timeutil import utcnow

HELP = "Happy to help with the craft and the career."
MENTORS, MENTEES, PAIRED, ASKING = 100, 300, 100, 100
AREAS = ("design", "search", "leadership", "data", "sales", "go", "ml", "infra", "ux", "writing")
DEFAULTS = {"timezone": "UTC", "working_hours": "09:00-18:00", "workdays": [0, 1, 2, 3, 4]}
ZONES = ("UTC", "Europe/London", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Asia/Kolkata")


def seed(url: str) -> int:
    """The cohort, its people and pairs; returns the cohort's id."""
    engine = make_engine(url)
    upgrade(engine)
    now = utcnow()
    sessions = make_sessionmaker(engine)
    with unit_of_work(sessions) as session:
        ensure_workspace(
            session, team_id=TEAM, name="bench", bot_user_id=None, defaults=DEFAULTS, now=now
        )
        cohort = Cohort(
            team_id=TEAM,
            name="Bench",
            starts_on=now.date(),
            ends_on=now.date() + timedelta(weeks=12),
            cadence="biweekly",
            phase="active",
            self_serve="open",
        )
        session.add(cohort)
        session.flush()
        cohort_id = cohort.id
    people = [(f"UM{n}", "mentor", n) for n in range(MENTORS)]
    people += [(f"UE{n}", "mentee", n) for n in range(MENTEES)]
    with engine.begin() as connection:
        connection.execute(
            insert(Member),
            [{**member_row(user, user, now), "tz": ZONES[n % len(ZONES)]} for user, _, n in people],
        )
        connection.execute(
            insert(Profile),
            [
                {
                    "team_id": TEAM,
                    "user_id": user,
                    "role": role,
                    "cohort_id": cohort_id,
                    "areas": [AREAS[n % 10], AREAS[(n * 3 + 1) % 10]],
                    "open_to_requests": role == "mentor",
                    "how_i_help": HELP if role == "mentor" else None,
                    "created_at": now,
                    "updated_at": now,
                }
                for user, role, n in people
            ],
        )
        connection.execute(
            insert(Pair),
            [
                {
                    "team_id": TEAM,
                    "cohort_id": cohort_id,
                    "mentor_id": f"UM{n % MENTORS}",
                    "mentee_id": f"UE{MENTEES - 1 - n}",
                    "cadence": "biweekly",
                    "status": "active",
                    "created_at": now,
                }
                for n in range(PAIRED)
            ],
        )
    engine.dispose()
    return cohort_id


def measure(url: str, cohort_id: int) -> dict[str, list[float]]:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    found: dict[str, list[float]] = {"directory": [], "request": [], "accept": []}
    for n in range(ASKING):
        mentee, now = f"UE{n}", utcnow()
        started = time.perf_counter()
        with reading(sessions) as session:
            page = mentor_directory(session, team_id=TEAM, mentee_id=mentee, now=now)
            mentor = page.mentors[0].user_id
        asked = time.perf_counter()
        with unit_of_work(sessions) as session:
            request_id = ask_mentor(
                session,
                team_id=TEAM,
                mentee_id=mentee,
                cohort_id=cohort_id,
                mentor_id=mentor,
                why="Your work on search",
                hope="Confidence",
                first_goal="Ship a ranking change",
                cadence="biweekly",
                now=now,
            ).id
        answered = time.perf_counter()
        with unit_of_work(sessions) as session:
            accept_request(session, team_id=TEAM, request_id=request_id, by=mentor, now=now)
        done = time.perf_counter()
        found["directory"].append((asked - started) * 1000)
        found["request"].append((answered - asked) * 1000)
        found["accept"].append((done - answered) * 1000)
    engine.dispose()
    return found


def main() -> None:
    print(f"{'database':<11} {'step':<10} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    for kind, url in databases():
        cohort_id = seed(url)
        for step, timings in measure(url, cohort_id).items():
            timings.sort()
            p95 = timings[int(len(timings) * 0.95) - 1]
            print(
                f"{kind:<11} {step:<10} {statistics.median(timings):>7.1f} {p95:>7.1f}"
                f" {timings[-1]:>7.1f}"
            )


if __name__ == "__main__":
    main()
