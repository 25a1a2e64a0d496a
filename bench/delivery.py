"""Delivery of 5,000 DMs while Slack (the stand-in) rate-limits chat.postMessage with 429s.

Prints the throughput as a fraction of what the limit allowed, and the messages lost and
duplicated (targets: 90% or more; 0 and 0).

    python bench/delivery.py [--messages 5000] [--rate 50] [--burst 100]
    MENTORBOT_BENCH_DATABASE_URL=postgresql://... python bench/delivery.py   # adds PostgreSQL
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ALL_HOURS, TEAM, databases, member_row, timed_client

from mentorbot.bot.db import make_engine, make_sessionmaker, unit_of_work
from mentorbot.bot.delivery import deliver_due
from mentorbot.bot.migrate import upgrade
from mentorbot.bot.models import Member, OutboundMessage
from mentorbot.bot.outbox import enqueue
from mentorbot.bot.services.workspaces import ensure_workspace
from mentorbot.bot.timeutil import utcnow
from mentorbot.standin import SlackStandin


def run(name: str, url: str, messages: int, rate: float, burst: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    now = utcnow()
    with unit_of_work(sessions) as session:
        ensure_workspace(
            session, team_id=TEAM, name="bench", bot_user_id=None, defaults=ALL_HOURS, now=now
        )
        session.connection().execute(
            insert(Member),
            [member_row(f"U{n}", f"person {n}", now) for n in range(messages)],
        )
        for n in range(messages):
            enqueue(
                session,
                team_id=TEAM,
                dedupe_key=f"bench:{n}",
                target_kind="user",
                target_id=f"U{n}",
                payload={"text": f"hello {n}"},
                not_before=now - timedelta(seconds=1),
                now=now,
            )
    with SlackStandin(team_id=TEAM) as standin:
        for n in range(messages):
            standin.add_user(f"U{n}", f"person {n}", tz="UTC")
        standin.rate_limit("chat.postMessage", per_second=rate, burst=burst)
        client = timed_client(standin.api_url)
        started = time.perf_counter()
        while _pending(sessions):
            deliver_due(sessions, client, utcnow())
        elapsed = time.perf_counter() - started
        posts = standin.calls_to("chat.postMessage")
        limited = sum(1 for call in posts if call.status == 429)
        texts = Counter(
            message["text"]
            for n in range(messages)
            for message in standin.messages_in(standin.dm_channel_for(f"U{n}"))
        )
        violations = len(standin.violations)
    delivered = len(texts)
    duplicated = sum(count - 1 for count in texts.values())
    allowed = burst + rate * elapsed
    print(
        f"{name}: {delivered:,} of {messages:,} delivered in {elapsed:.1f} s "
        f"({delivered / elapsed:.1f}/s; the limit allowed {rate:g}/s with bursts of {burst})"
    )
    print(
        f"  throughput {delivered / allowed:.1%} of allowed; 429 answers {limited:,}; "
        f"lost {messages - delivered}; duplicated {duplicated}; contract violations {violations}"
    )
    engine.dispose()


def _pending(sessions) -> int:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(OutboundMessage)
                .where(OutboundMessage.status.in_(("pending", "sending")))
            )
            or 0
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=50.0, help="allowed posts per second")
    parser.add_argument("--burst", type=int, default=100)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    for name, url in databases():
        run(name, url, args.messages, args.rate, args.burst)


if __name__ == "__main__":
    main()
