"""Tick cost with 100,000 active pairs of which 0, 1% and 10% are due.

Prints, per database and share due: the whole tick, the time spent waiting for Slack (the
local stand-in, in a process of its own), and the tick without it. Targets: 50 ms or less
with nothing due; 2 s or less with 1,000 due, Slack round trips excluded.

    python bench/tick_cost.py [--pairs 100000]
    MENTORBOT_BENCH_DATABASE_URL=postgresql://... python bench/tick_cost.py   # adds PostgreSQL
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import StandinProcess, databases, seed_programme, timed_client

from mentorbot.bot.db import make_engine, make_sessionmaker
from mentorbot.bot.models import OutboundMessage, Pair
from mentorbot.bot.tick import run_tick
from mentorbot.bot.timeutil import utcnow


def seed(url: str, pairs: int) -> None:
    """A workspace, a cohort and `pairs` active pairs meeting in 3 to 14 days."""
    rng = random.Random(7)
    seed_programme(
        url,
        pairs,
        meeting_after=lambda _n: timedelta(days=3, seconds=rng.randint(0, 11 * 86400)),
        analyze=True,
    )


def make_due(url: str, due: int) -> None:
    """Move the first `due` pairs' meetings into the next 24 hours; clear earlier output."""
    engine = make_engine(url)
    now = utcnow()
    with engine.begin() as connection:
        connection.execute(OutboundMessage.__table__.delete())
        if due:
            connection.execute(
                update(Pair)
                .where(Pair.id <= due)
                .values(next_meeting_at=now + timedelta(hours=12), prompt_at=now)
            )
    engine.dispose()


def measure(sessions: sessionmaker[Session], api_url: str) -> tuple[float, float, int]:
    """One tick as of now: (total seconds, Slack seconds, messages sent)."""
    client = timed_client(api_url)
    started = time.perf_counter()
    summary = run_tick(sessions, client, utcnow())
    total = time.perf_counter() - started
    return total, client.slack_seconds, summary.delivery.sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=100_000)
    args = parser.parse_args()
    print(f"tick cost, {args.pairs:,} active pairs")
    print(f"{'database':<11} {'due':>7} {'tick':>9} {'Slack':>9} {'tick - Slack':>13} {'sent':>7}")
    users = [
        (f"U{role}{n}", f"{role} {n}") for n in range(int(args.pairs * 0.10)) for role in ("M", "E")
    ]
    with StandinProcess(users) as standin:
        for name, url in databases():
            seed(url, args.pairs)
            # One engine for all ticks, as in a running worker; the first tick warms it up.
            engine = make_engine(url)
            sessions = make_sessionmaker(engine)
            measure(sessions, standin.api_url)
            for share in (0.0, 0.01, 0.10):
                due = int(args.pairs * share)
                make_due(url, due)
                total, slack, sent = measure(sessions, standin.api_url)
                print(
                    f"{name:<11} {due:>7,} {total * 1000:>7.0f}ms {slack * 1000:>7.0f}ms "
                    f"{(total - slack) * 1000:>11.0f}ms {sent:>7,}"
                )
            engine.dispose()
    print("Web API contract violations:", standin.violations)


if __name__ == "__main__":
    main()
