"""Operations' costs: a metrics scrape with a big outbox, and a retention pass.

A scrape reads the database's figures (the outbox's queue by status and kind, the oldest
due row, workspaces): measured with O delivered rows (history the scrape must not read) and
1,000 waiting, R scrapes, p50, p95 and max. A retention pass deletes the words of 50 ended
pairs (each with 12 check-ins, 3 goals and a win) in one transaction, as one tick's batch:
the time of each of P/50 passes. Targets: a scrape under 50 ms whatever the history; a
batch under 1 s, so a tick stays short.

    python bench/operations.py [--outbox 100000] [--pairs 500] [--repeat 40]
    MENTORBOT_BENCH_DATABASE_URL=postgresql://... python bench/operations.py  # adds PostgreSQL
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import TEAM, databases

from mentorbot.bot.db import make_engine, make_sessionmaker, unit_of_work
from mentorbot.bot.migrate import upgrade
from mentorbot.bot.models import CheckIn, Goal, Member, Milestone, OutboundMessage
from mentorbot.bot.services.cohorts import create_cohort
from mentorbot.bot.services.pairs import Planned, create_pairs
from mentorbot.bot.services.retention import BATCH, forget_old_words
from mentorbot.bot.services.workspaces import ensure_workspace
from mentorbot.bot.timeutil import utcnow
from mentorbot.metrics import exposition

DEFAULTS = {"timezone": "UTC", "working_hours": "09:00-18:00", "workdays": [0, 1, 2, 3, 4]}
KINDS = ("prompt", "prep", "nudge", "kickoff", "digest", "celebrate")


def seed_outbox(sessions: object, delivered: int, waiting: int) -> None:
    now = utcnow()
    rows = [
        {
            "team_id": TEAM,
            "dedupe_key": f"{KINDS[n % len(KINDS)]}:bench{n}",
            "kind": KINDS[n % len(KINDS)],
            "target_kind": "user",
            "target_id": f"U{n % 3000:05d}",
            "payload": {"text": "hello"},
            "status": "sent" if n < delivered else "pending",
            "not_before": now - timedelta(minutes=n % 90),
            "created_at": now,
        }
        for n in range(delivered + waiting)
    ]
    with unit_of_work(sessions) as session:  # type: ignore[arg-type]
        ensure_workspace(
            session, team_id=TEAM, name="bench", bot_user_id=None, defaults=DEFAULTS, now=now
        )
        for first in range(0, len(rows), 5000):
            session.execute(insert(OutboundMessage), rows[first : first + 5000])


def seed_ended_pairs(sessions: object, pairs: int) -> None:
    now = utcnow()
    began = now - timedelta(weeks=30)
    with unit_of_work(sessions) as session:  # type: ignore[arg-type]
        cohort = create_cohort(
            session,
            team_id=TEAM,
            name="Ended",
            channel_id="C0BENCH",
            starts_on=began.date(),
            weeks=12,
            cadence="weekly",
            created_by="UCOORD",
            now=began,
        )
        people = [(f"UM{n:04d}", f"UE{n:04d}") for n in range(pairs)]
        session.add_all(
            Member(team_id=TEAM, user_id=user, name=user) for pair in people for user in pair
        )
        made = create_pairs(
            session,
            cohort=cohort,
            planned=[Planned(*pair) for pair in people],
            now=began,
            kickoff=False,
        )
        session.flush()
        checkins, goals, wins = [], [], []
        for pair in made:
            pair.status, pair.ended_at = "ended", now - timedelta(days=120)
            checkins += [
                {
                    "team_id": TEAM,
                    "pair_id": pair.id,
                    "author_id": pair.mentee_id,
                    "rating": 4,
                    "went_well": "words " * 40,
                    "blockers": "words " * 20,
                    "created_at": began,
                }
                for _ in range(12)
            ]
            goals += [
                {"team_id": TEAM, "pair_id": pair.id, "title": "a goal of theirs"} for _ in range(3)
            ]
            wins.append(
                {
                    "team_id": TEAM,
                    "pair_id": pair.id,
                    "kind": "win",
                    "key": f"w{pair.id}",
                    "detail": "a win",
                }
            )
        session.execute(insert(CheckIn), checkins)
        session.execute(insert(Goal), goals)
        session.execute(insert(Milestone), wins)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outbox", type=int, default=100_000)
    parser.add_argument("--pairs", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    print(f"{'database':<11} {'what':<28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, url in databases():
        engine = make_engine(url)
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        seed_outbox(sessions, args.outbox, 1000)
        seed_ended_pairs(sessions, args.pairs)
        if kind == "PostgreSQL":
            with engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        scrapes = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            body = exposition(sessions, utcnow)
            scrapes.append((time.perf_counter() - started) * 1000)
        assert b"mentorbot_outbox_messages" in body
        passes = []
        for _ in range(-(-args.pairs // BATCH)):
            started = time.perf_counter()
            with unit_of_work(sessions) as session:
                done = forget_old_words(session, now=utcnow(), days=30)
            passes.append((time.perf_counter() - started) * 1000)
            assert done.pairs > 0
        for what, timings in (
            (f"scrape, {args.outbox:,} sent rows", scrapes),
            (f"retention, {BATCH} pairs a pass", passes),
        ):
            timings.sort()
            p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
            p50, most = statistics.median(timings), timings[-1]
            print(f"{kind:<11} {what:<28} {p50:>8.1f} {p95:>8.1f} {most:>8.1f}")
        engine.dispose()


if __name__ == "__main__":
    main()
