"""The acknowledgement path, profiled in process: `/checkin <text>` and `/checkin`.

Builds the bot's Bolt app as the tests do (runtime, `create_app`, the Slack stand-in in this
process) on a seeded programme, then hands signed requests straight to `dispatch()`, as the
web layer does once it has read a request (no HTTP server, no Flask). For each command it
prints the statements a request sends before its answer, the Python function calls it makes
(the same on a busy machine as on an idle one, unlike times), the CPU time on the request's
thread and the wall time per request (the Slack calls that follow the answer run on other
threads and are not counted), then the top of a cProfile of the same requests by cumulative
and by own time. The profiled pass is apart from the timed one: profiling slows every call.
Last, the same figures for the bare Bolt app of `ack_load.py` (`bare_app.py`), which only
acknowledges.

    python bench/ack_profile.py [--requests 2000] [--top 25]
    python bench/ack_profile.py --sql          # and the statements one request sends
    MENTORBOT_BENCH_DATABASE_URL=postgresql://... python bench/ack_profile.py  # adds PostgreSQL
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import statistics
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from slack_bolt import App
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bare_app import create_bolt_app
from common import TEAM, databases, seed_programme

from mentorbot.app import create_app
from mentorbot.bot.settings import Settings
from mentorbot.runtime import build_runtime
from mentorbot.standin import InProcess, SignedSlackClient, SlackStandin
from mentorbot.standin.signed_client import BotResponse

SECRET = "bench-signing-secret"
PAIRS = 200
SENDERS = [f"U{role}{n}" for n in range(PAIRS) for role in ("E", "M")]
COMMANDS = {"/checkin <text>": "good talk about the roadmap", "/checkin": ""}


class Measured(InProcess):
    """`InProcess`, timing each `dispatch()` (wall, and CPU on this thread), profiling it while
    `profile` is set, and keeping the SQL sent meanwhile."""

    def __init__(self, app: App) -> None:
        super().__init__(app)
        self.profile: cProfile.Profile | None = None
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.statements: list[str] = []  # sent on the request's thread, before the answer
        self.thread = threading.get_ident()

    def __call__(self, body: bytes, headers: dict[str, str]) -> BotResponse:
        profile = self.profile
        wall, cpu = time.perf_counter(), time.thread_time()
        if profile is not None:
            profile.enable()
        try:
            return super().__call__(body, headers)
        finally:
            if profile is not None:
                profile.disable()
            self.cpu.append(time.thread_time() - cpu)
            self.wall.append(time.perf_counter() - wall)

    def note(self, sql: str) -> None:
        if threading.get_ident() == self.thread:
            self.statements.append(sql)

    def clear(self) -> None:
        self.wall.clear()
        self.cpu.clear()
        self.statements.clear()


def measure(
    name: str,
    slack: SignedSlackClient,
    transport: Measured,
    settle: Callable[[], None],
    args: argparse.Namespace,
) -> None:
    """Each command: once from every sender (warm-up: caches, each pair's first check-in),
    one request's statements, `--requests` timed, the same again profiled."""
    for label, text in COMMANDS.items():
        position = 0

        def run(count: int, text: str = text) -> None:
            nonlocal position
            for _ in range(count):
                user = SENDERS[position % len(SENDERS)]
                position += 1
                answer = slack.command("/checkin", text, user)
                if answer.status != 200:
                    raise SystemExit(f"{user}: HTTP {answer.status}: {answer.body}")
                settle()  # the Slack calls after the answer are made before the next request

        run(len(SENDERS))
        transport.clear()
        run(1)
        statements = list(transport.statements)
        if args.sql:
            print(f"{name} {label}: the statements of one request")
            print("\n".join(f"    {' '.join(sql.split())}" for sql in statements))
        transport.clear()
        run(args.requests)
        wall, cpu = sorted(transport.wall), list(transport.cpu)
        transport.profile = cProfile.Profile()
        run(args.requests)
        out = io.StringIO()
        stats = pstats.Stats(transport.profile, stream=out).strip_dirs()
        transport.profile = None
        # Python function calls: unlike times, the same on a busy machine as on an idle one.
        calls = stats.total_calls / args.requests  # type: ignore[attr-defined]
        print(
            f"{name} {label}: {len(statements)} statements, {calls:,.0f} function calls; on "
            f"the request's thread: CPU {statistics.median(cpu) * 1000:.2f} ms a request "
            f"(mean {statistics.fmean(cpu) * 1000:.2f}); wall p50 {_ms(wall, 0.50)} / p99 "
            f"{_ms(wall, 0.99)} ms ({len(cpu)} requests)"
        )
        if args.top:
            for order in ("cumulative", "tottime"):
                out.write(f"--- {name} {label}, {args.requests} requests profiled, by {order}\n")
                stats.sort_stats(order).print_stats(args.top)
            print(_compact(out.getvalue()))


def mentorbot(name: str, url: str, standin: SlackStandin, args: argparse.Namespace) -> None:
    seed_programme(url, PAIRS, meeting_after=lambda _n: timedelta(days=3))
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": standin.api_url,
            "MENTORBOT_DATABASE_URL": url,
        }
    )
    runtime = build_runtime(settings)
    try:
        transport = Measured(create_app(runtime))
        event.listen(
            runtime.engine,
            "before_cursor_execute",
            lambda _conn, _cursor, sql, *_rest: transport.note(sql),
        )
        slack = SignedSlackClient(transport, SECRET, standin=standin, team_id=TEAM)
        gc.collect()
        gc.freeze()  # as a serving process does once it is ready (`freeze_long_lived`)
        measure(name, slack, transport, runtime.settle, args)
    finally:
        runtime.close()


def bare(standin: SlackStandin, args: argparse.Namespace) -> None:
    transport = Measured(create_bolt_app("xoxb-bench", SECRET, standin.api_url))
    slack = SignedSlackClient(transport, SECRET, standin=standin, team_id=TEAM)
    measure("bare Bolt app", slack, transport, lambda: None, args)


def _ms(ordered: list[float], share: float) -> str:
    return f"{ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000:.2f}"


def _compact(report: str) -> str:
    """pstats' report without its blank lines and preamble."""
    return "\n".join(
        line
        for line in report.splitlines()
        if line.strip() and not line.lstrip().startswith(("Ordered by", "List reduced"))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="of each command")
    parser.add_argument("--top", type=int, default=25, help="lines of each profile (0: none)")
    parser.add_argument("--sql", action="store_true", help="print one request's statements")
    args = parser.parse_args()
    with SlackStandin(team_id=TEAM) as standin:
        for n in range(PAIRS):
            standin.add_user(f"UM{n}", f"mentor {n}", tz="UTC")
            standin.add_user(f"UE{n}", f"mentee {n}", tz="UTC")
        for name, url in databases():
            mentorbot(name, url, standin, args)
        bare(standin, args)


if __name__ == "__main__":
    main()
