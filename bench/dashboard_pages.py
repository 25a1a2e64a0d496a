"""The dashboard's pages: the time to serve the cohort page of a 300-pair cohort, and the
programme and pair pages, through the Flask app as a browser asks for them.

Seeds a running cohort of N pairs (named people, a third checked in with a rating, a
tenth paused), signs a coordinator in with a one-time link, then asks for each page R
times with the session's cookie: p50, p95 and max. The cohort page is asked sorted by
rating and filtered to pairs at risk too. On PostgreSQL the tables are analysed after
seeding, as autovacuum would have done. Target: the cohort page of 300 pairs in under
100 ms.

    python bench/dashboard_pages.py [--pairs 300] [--repeat 40]
    MENTORBOT_BENCH_DATABASE_URL=postgresql://... python bench/dashboard_pages.py  # adds PostgreSQL
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import TEAM, databases

from mentorbot.app import create_app
from mentorbot.bot.db import unit_of_work
from mentorbot.bot.migrate import upgrade
from mentorbot.bot.models import CheckIn, Member, Pair
from mentorbot.bot.services.cohorts import create_cohort
from mentorbot.bot.services.dashboard_sessions import sign_in_link
from mentorbot.bot.services.nudges import restart_quiet_clock
from mentorbot.bot.services.pairs import Planned, create_pairs
from mentorbot.bot.services.workspaces import ensure_workspace
from mentorbot.bot.settings import Settings
from mentorbot.bot.timeutil import utcnow
from mentorbot.runtime import build_runtime, freeze_long_lived
from mentorbot.standin import SlackStandin
from mentorbot.web import WebApp

COORDINATOR = "UCOORD"
DEFAULTS = {"timezone": "UTC", "working_hours": "09:00-18:00", "workdays": [0, 1, 2, 3, 4]}


def seed(sessions: object, pairs: int) -> tuple[int, int]:
    """The cohort and its pairs; returns (cohort id, a pair's id)."""
    now = utcnow()
    began = now - timedelta(weeks=6)
    with unit_of_work(sessions) as session:  # type: ignore[arg-type]
        ensure_workspace(
            session, team_id=TEAM, name="bench", bot_user_id=None, defaults=DEFAULTS, now=now
        )
        session.add(
            Member(team_id=TEAM, user_id=COORDINATOR, name="Coordinator", is_coordinator=True)
        )
        cohort = create_cohort(
            session,
            team_id=TEAM,
            name="Bench",
            channel_id="C0BENCH",
            starts_on=began.date(),
            weeks=12,
            created_by=COORDINATOR,
            now=began,
        )
        for n in range(pairs):
            session.add(Member(team_id=TEAM, user_id=f"UM{n}", name=f"Mentor {n:03d}", tz="UTC"))
            session.add(Member(team_id=TEAM, user_id=f"UE{n}", name=f"Mentee {n:03d}", tz="UTC"))
        planned = [Planned(f"UM{n}", f"UE{n}") for n in range(pairs)]
        made = create_pairs(session, cohort=cohort, planned=planned, now=began, kickoff=False)
        for n, pair in enumerate(made):
            if n % 10 == 0:
                pair.status = "paused"
            for week in range(0, 6, 2 if n % 3 == 0 else 7):
                at = began + timedelta(weeks=week, days=1)
                session.add(
                    CheckIn(
                        team_id=TEAM,
                        pair_id=pair.id,
                        author_id=pair.mentee_id,
                        created_at=at,
                        rating=n % 5 + 1,
                    )
                )
                restart_quiet_clock(session, pair, at)
        session.flush()
        return cohort.id, made[1].id


def measure(url: str, pairs: int, repeat: int) -> dict[str, list[float]]:
    with SlackStandin(team_id=TEAM) as standin:  # the Bolt app introduces itself at start
        return _measure(url, pairs, repeat, standin.api_url)


def _measure(url: str, pairs: int, repeat: int, api_url: str) -> dict[str, list[float]]:
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_API_URL": api_url,
            "SLACK_SIGNING_SECRET": "bench",
            "MENTORBOT_DATABASE_URL": url,
            "MENTORBOT_PUBLIC_URL": "https://bench.example.com",
            "MENTORBOT_COORDINATORS": COORDINATOR,
        }
    )
    runtime = build_runtime(settings)
    upgrade(runtime.engine)
    cohort_id, pair_id = seed(runtime.sessions, pairs)
    if runtime.engine.dialect.name == "postgresql":
        # Fresh statistics, as autovacuum gives a live database: without them PostgreSQL
        # walks the cohort's pairs once per check-in.
        with runtime.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    with unit_of_work(runtime.sessions) as session:
        link = sign_in_link(session, settings, team_id=TEAM, user_id=COORDINATOR, now=utcnow())
        assert session.scalar(select(Pair.id).where(Pair.id == pair_id))
    web = WebApp(create_app(runtime), runtime).test_client()
    freeze_long_lived()  # as gunicorn's entry point does once the app is built
    assert web.post(link.url.removeprefix(settings.public_url or "")).status_code == 303
    pages = {
        "programme": "/dashboard",
        "cohort": f"/dashboard/cohorts/{cohort_id}",
        "cohort, sorted": f"/dashboard/cohorts/{cohort_id}?sort=rating&order=desc&risk=any",
        "pair": f"/dashboard/pairs/{pair_id}",
    }
    found: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(3):  # warm up
        for path in pages.values():
            web.get(path)
    for _ in range(repeat):
        for name, path in pages.items():
            started = time.perf_counter()
            answer = web.get(path)
            found[name].append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, (path, answer.status_code)
    runtime.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    print(f"{'database':<11} {'page':<15} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    for kind, url in databases():
        for name, timings in measure(url, args.pairs, args.repeat).items():
            timings.sort()
            p95 = timings[int(len(timings) * 0.95) - 1]
            print(
                f"{kind:<11} {name:<15} {statistics.median(timings):>7.1f} {p95:>7.1f}"
                f" {timings[-1]:>7.1f}"
            )


if __name__ == "__main__":
    main()
