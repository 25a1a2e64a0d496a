"""Calendar feeds: the time to build one person's feed, among 10,000 pairs.

Seeds a weekly cohort of N pairs; gives every pair a year of meeting history (a rhythm, a
pause and three moved meetings) and its mentee two goals with due dates, and makes mentor 0
mentor five pairs. Then reads feeds by their tokens, as `GET /calendar/<token>.ics` does
(the token's lookup, the person's pairs, names, zones, goals, the iCalendar text): p50, p95
and max per feed for mentees, and for the mentor of five. Target: a few milliseconds.

    python bench/calendar_feeds.py [--pairs 10000] [--feeds 300]
    MENTORBOT_BENCH_DATABASE_URL=postgresql://... python bench/calendar_feeds.py   # adds PostgreSQL
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import TEAM, databases, seed_programme

from mentorbot.bot.db import make_engine, make_sessionmaker, reading, unit_of_work
from mentorbot.bot.models import Goal, Pair
from mentorbot.bot.services import meeting_history
from mentorbot.bot.services.calendar_feeds import feed_by_token, feed_link
from mentorbot.bot.settings import Settings
from mentorbot.bot.timeutil import utcnow


def seed(url: str, pairs: int) -> None:
    seed_programme(url, pairs, meeting_after=lambda n: timedelta(days=3, hours=n % 96))
    engine = make_engine(url)
    now = utcnow()
    with unit_of_work(make_sessionmaker(engine)) as session:
        session.execute(
            update(Pair)
            .where(Pair.mentee_id.in_(["UE1", "UE2", "UE3", "UE4"]))
            .values(mentor_id="UM0")
        )
        for pair in session.scalars(select(Pair)):
            assert pair.next_meeting_at is not None
            first = pair.next_meeting_at - timedelta(weeks=40)
            meeting_history.start_rhythm(pair, first, first - timedelta(days=1))
            meeting_history.record_pause(
                pair, first + timedelta(weeks=10), first + timedelta(weeks=8)
            )
            for week in (3, 15, 30):
                regular = first + timedelta(weeks=week)
                meeting_history.record_move(pair, regular, regular + timedelta(days=1), regular)
            session.add_all(
                Goal(
                    team_id=TEAM,
                    pair_id=pair.id,
                    title=f"Goal {k}",
                    due_on=(now + timedelta(weeks=k + 2)).date(),
                )
                for k in range(2)
            )
    engine.dispose()


def measure(url: str, users: list[str]) -> list[float]:
    settings = Settings.from_env(
        {
            "MENTORBOT_DATABASE_URL": url,
            "MENTORBOT_PUBLIC_URL": "https://bench.example.com",
            "SLACK_SIGNING_SECRET": "bench",
        }
    )
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    tokens = []
    with unit_of_work(sessions) as session:
        for user in users:
            link = feed_link(session, settings, team_id=TEAM, user_id=user, now=utcnow())
            tokens.append(link.https.rsplit("/", 1)[1].removesuffix(".ics"))
    timings = []
    for token in tokens:
        started = time.perf_counter()
        with reading(sessions) as session:
            body = feed_by_token(session, token)
        timings.append((time.perf_counter() - started) * 1000)
        assert body and b"BEGIN:VEVENT" in body
    engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--feeds", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(3)
    mentees = [f"UE{rng.randrange(5, args.pairs)}" for _ in range(args.feeds)]
    print(f"{'database':<11} {'reader':<16} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    for kind, url in databases():
        seed(url, args.pairs)
        measure(url, mentees[:20])  # warm up
        for name, users in (("a mentee", mentees), ("mentor of five", ["UM0"] * 50)):
            timings = sorted(measure(url, users))
            p95 = timings[int(len(timings) * 0.95) - 1]
            print(
                f"{kind:<11} {name:<16} {statistics.median(timings):>7.1f} {p95:>7.1f}"
                f" {timings[-1]:>7.1f}"
            )


if __name__ == "__main__":
    main()
