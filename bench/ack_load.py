"""Acknowledgement under load: `/checkin` against the Procfile's web process, and a bare app.

Starts the Slack stand-in, seeds a database with a cohort of active pairs, and starts two
servers with the Procfile's `web:` gunicorn settings: mentorbot (`mentorbot.web:
create_wsgi_app()`) and a bare Bolt app whose `/checkin` only acknowledges (`bare_app.py`).
A second process then sends signed requests on a fixed, open-loop schedule (send times set in
advance, one thread per request in flight, so slow answers do not lower the rate), half
`/checkin` (opens the check-in modal through the stand-in's `views.open`) and half
`/checkin <text>` (a quick check-in), each from a member of a pair. Prints p50, p99 and max
time to the HTTP response (Slack's acknowledgement) and errors: a non-2xx answer, no answer,
an answer after 3 s, or a 2xx that is not the expected acknowledgement. Targets: p99 at most
300 ms at 50 requests/s on 2 cores, zero errors, at most 2x the bare app's p99.

    python bench/ack_load.py [--rates 50 200] [--seconds 30]
    MENTORBOT_BENCH_DATABASE_URL=postgresql://... python bench/ack_load.py   # adds PostgreSQL
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import TEAM, databases, seed_programme
from figures import HEADER, Figures, error_breakdown, row
from load_generator import ACK_DEADLINE, Outcome, generate, plan
from servers import cpu_seconds, listen_overflows, procfile_web, server_env, serving, web_command

from mentorbot.bot.db import make_engine
from mentorbot.bot.models import CheckIn
from mentorbot.standin import SlackStandin
from mentorbot.standin.transport import StandinHTTPServer

WARM_UP = 40  # requests (at 20/s) sent to each server before it is measured, not counted


# -- the programme on the database ---------------------------------------------------------


def seed(url: str, pairs: int) -> list[str]:
    """Migrate; a workspace, a running cohort and `pairs` active pairs. Returns the senders."""
    seed_programme(url, pairs, meeting_after=lambda _n: timedelta(days=3))
    return [f"U{role}{n}" for n in range(pairs) for role in ("E", "M")]


def modals_opened(standin: SlackStandin) -> int:
    """views.open calls the stand-in accepted."""
    return sum(call.ok for call in standin.calls_to("views.open"))


def settled_modals_opened(standin: SlackStandin, deadline: float = 5.0) -> int:
    """views.open calls accepted once those following the last answers have arrived: the bot
    opens a modal just after it acknowledges, and a trigger lasts 3 s."""
    seen, quiet_since, started = modals_opened(standin), time.monotonic(), time.monotonic()
    while time.monotonic() - quiet_since < 0.5 and time.monotonic() - started < deadline:
        time.sleep(0.05)
        now = modals_opened(standin)
        if now != seen:
            seen, quiet_since = now, time.monotonic()
    return seen


def count_checkins(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(CheckIn)) or 0)
    finally:
        engine.dispose()


# -- measuring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """One measured run against one server."""

    outcomes: list[Outcome]
    overflows: int  # connections (to any server on the machine) dropped by a full listen queue
    stored: int  # check-ins stored meanwhile
    opened: int  # modals the stand-in opened meanwhile
    server_cpu: float  # the server's CPU seconds per request
    standin_cpu: float  # this process's (the stand-in's) CPU seconds per request


@dataclass
class Bench:
    """What one database's measurements share: the stand-in, the servers, the senders."""

    database: str
    url: str
    standin: SlackStandin
    servers: dict[str, tuple[str, int]]  # "mentorbot" and "bare": (base URL, pid)
    senders: list[str]
    triggers: Iterator[str]
    workers: ProcessPoolExecutor

    def send(self, target: str, rate: float, seconds: float) -> Sent:
        """Warm the server up, then send `rate` requests a second for `seconds` from the
        second process."""
        bare = target == "bare"
        base, pid = self.servers[target]
        warm = plan(20, WARM_UP / 20, self.senders, self.triggers)
        self.workers.submit(generate, base, warm, bare, 8).result()
        checkins, modals = count_checkins(self.url), modals_opened(self.standin)
        schedule = plan(rate, seconds, self.senders, self.triggers)
        threads = min(1000, max(32, round(rate * ACK_DEADLINE * 2)))
        server_cpu, own_cpu = cpu_seconds(pid), time.process_time()
        overflows = listen_overflows()
        outcomes = self.workers.submit(generate, base, schedule, bare, threads).result()
        opened = settled_modals_opened(self.standin) - modals
        return Sent(
            outcomes,
            overflows=listen_overflows() - overflows,
            stored=count_checkins(self.url) - checkins,
            opened=opened,
            server_cpu=(cpu_seconds(pid) - server_cpu) / len(schedule),
            standin_cpu=(time.process_time() - own_cpu) / len(schedule),
        )

    def measure(self, rate: float, seconds: float) -> float:
        """Both servers at one rate, one after the other; prints the rows, returns the ratio
        of p99s (mentorbot / bare)."""
        sent = self.send("mentorbot", rate, seconds)
        mentorbot = sent.outcomes
        idle = self.send("bare", rate, seconds)
        bare = idle.outcomes
        modal = [o for o in mentorbot if o.modal]
        text = [o for o in mentorbot if not o.modal]
        print(row(self.database, "mentorbot /checkin", rate, Figures.of(modal)))
        print(row(self.database, "mentorbot /checkin <text>", rate, Figures.of(text)))
        print(row(self.database, "mentorbot (both)", rate, Figures.of(mentorbot)))
        print(row(self.database, "bare Bolt app (no-op)", rate, Figures.of(bare)))
        for name, outcomes in (("mentorbot", mentorbot), ("bare app", bare)):
            if any(o.error for o in outcomes):
                print(f"    {name} errors: {error_breakdown(outcomes)}")
        texts = sum(o.status == 200 and not o.modal for o in mentorbot)
        modals = sum(o.status == 200 and o.modal for o in mentorbot)
        print(
            f"    mentorbot stored {sent.stored:,} check-ins for {texts:,} acknowledged "
            f"/checkin <text>; the stand-in opened {sent.opened:,} modals for {modals:,} "
            "acknowledged /checkin"
        )
        print(
            f"    CPU per request: mentorbot's web process {sent.server_cpu * 1000:.1f} ms "
            f"(the stand-in, meanwhile, {sent.standin_cpu * 1000:.1f} ms); "
            f"the bare app {idle.server_cpu * 1000:.1f} ms"
        )
        if sent.overflows or idle.overflows:
            print(
                f"    connections dropped by a full listen queue (retried by TCP after 1 s): "
                f"{sent.overflows} while measuring mentorbot, {idle.overflows} the bare app"
            )
        return Figures.of(mentorbot).p99 / Figures.of(bare).p99


def run(
    rates: list[float], seconds: float, pairs: int, workers: ProcessPoolExecutor
) -> list[tuple[str, float, float]]:
    """Measure every rate on every database; returns (database, rate, p99 ratio)."""
    ratios: list[tuple[str, float, float]] = []
    with SlackStandin(team_id=TEAM) as standin:
        for n in range(pairs):
            standin.add_user(f"UM{n}", f"mentor {n}", tz="UTC")
            standin.add_user(f"UE{n}", f"mentee {n}", tz="UTC")
        triggers = iter(standin.new_trigger_id, None)
        for database, url in databases():
            senders = seed(url, pairs)
            with ExitStack() as stack:
                servers = {
                    name: stack.enter_context(
                        serving(web_command(bare=name == "bare"), server_env(standin, url))
                    )
                    for name in ("mentorbot", "bare")
                }
                bench = Bench(database, url, standin, servers, senders, triggers, workers)
                for rate in rates:
                    ratios.append((database, rate, bench.measure(rate, seconds)))
        print("Web API contract violations:", len(standin.violations))
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", type=float, nargs="+", default=[50.0, 200.0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--pairs", type=int, default=1000, help="pairs (2 senders each)")
    parser.add_argument(
        "--standin-backlog",
        type=int,
        help="the stand-in's listen queue (Python's default: 5; Slack's API has no such limit)",
    )
    args = parser.parse_args()
    if args.standin_backlog:
        StandinHTTPServer.request_queue_size = args.standin_backlog
    print(
        f"acknowledgement under load: {args.seconds:g} s per rate, {os.cpu_count()} cores, "
        f"web process: {procfile_web()}"
    )
    print(HEADER)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as workers:
        ratios = run(args.rates, args.seconds, args.pairs, workers)
    print("p99 ratio, mentorbot / bare app (target: 2x or less):")
    for database, rate, ratio in ratios:
        print(f"    {database:<11} {rate:>5.0f}/s  {ratio:.1f}x")


if __name__ == "__main__":
    main()
