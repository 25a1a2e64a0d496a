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
import math
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import TEAM, databases, seed_programme

from mentorbot.bot.db import make_engine
from mentorbot.bot.models import CheckIn
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.standin.transport import StandinHTTPServer

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SECRET = "bench-signing-secret"
ACK_DEADLINE = 3.0  # Slack shows the person an error when the answer takes longer
MENTORBOT_APP = "'mentorbot.web:create_wsgi_app()'"
BARE_APP = "'bare_app:create_wsgi_app()'"
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


# -- the servers ---------------------------------------------------------------------------


def procfile_web() -> str:
    """The Procfile's `web:` command line, as a platform runs it."""
    for line in (REPO / "Procfile").read_text().splitlines():
        kind, _, command = line.partition(":")
        if kind.strip() == "web":
            return command.strip()
    raise SystemExit("the Procfile has no web: line")


def web_command(bare: bool = False) -> list[str]:
    """mentorbot's web process exactly as the Procfile says; or, with `bare`, the bare app
    under the same gunicorn settings (only the application and its import path differ)."""
    line = procfile_web()
    if bare:
        if MENTORBOT_APP not in line or not line.startswith("gunicorn "):
            raise SystemExit(f"cannot derive the bare app's command from: {line}")
        line = line.replace(MENTORBOT_APP, BARE_APP).replace(
            "gunicorn ", f"gunicorn --pythonpath {BENCH} ", 1
        )
    return ["sh", "-c", f"exec {line}"]


def server_env(standin: SlackStandin, url: str, port: int | None = None) -> dict[str, str]:
    """The environment of a server talking to the stand-in: no other SLACK_/MENTORBOT_ setting."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MENTORBOT_"))}
    scripts = str(Path(sys.executable).parent)
    return {
        **clean,
        "PATH": f"{scripts}{os.pathsep}{clean.get('PATH', '')}",
        "PORT": str(port or free_port()),
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": standin.api_url,
        "MENTORBOT_DATABASE_URL": url,
        "MENTORBOT_WORKING_HOURS": "00:00-24:00",
        "MENTORBOT_WORKDAYS": "mon-sun",
    }


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def healthy(base: str) -> bool:
    """True when GET /healthz answers 200."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{base}/healthz", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:  # refused or reset while the server starts
        return False


def wait_until_healthy(
    base: str, process: subprocess.Popen[bytes], log: IO[bytes], seconds: float = 60
) -> None:
    """Poll /healthz until it answers 200; stop with the server's output if it died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise SystemExit(f"the server exited early:\n{log.read().decode(errors='replace')}")
        if healthy(base):
            return
        time.sleep(0.01)  # polling another process, not timing a result
    raise SystemExit(f"{base}/healthz did not answer 200 within {seconds:.0f} s")


@contextmanager
def serving(command: list[str], env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """Run a server until the block ends (SIGTERM); yields (base URL, pid) once healthy."""
    base = f"http://127.0.0.1:{env['PORT']}"
    with tempfile.TemporaryFile() as log:
        # Output to a file, never an unread pipe: a full pipe would stall the server.
        process = subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=log)
        try:
            wait_until_healthy(base, process, log)
            yield base, process.pid
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def listen_overflows() -> int:
    """The machine's count of connections dropped because a listen queue was full (Linux)."""
    try:
        lines = [line.split() for line in Path("/proc/net/netstat").read_text().splitlines()]
    except OSError:
        return 0
    for names, values in zip(lines[::2], lines[1::2], strict=False):
        if names[0] == "TcpExt:" and "ListenOverflows" in names:
            return int(values[names.index("ListenOverflows")])
    return 0


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants (Linux /proc)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:  # the task ended meanwhile
            continue
        for child in children:
            found.extend(process_tree(int(child)))
    return found


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its descendants (gunicorn's
    master and workers)."""
    ticks = 0
    for each in process_tree(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rpartition(")")[2].split()
        except OSError:  # ended meanwhile
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


# -- the load generator (runs in a second process) ------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One request of the schedule: when (seconds after the start), who, what."""

    at: float
    user_id: str
    text: str
    trigger_id: str


@dataclass(frozen=True)
class Outcome:
    """What happened to one request."""

    modal: bool
    seconds: float  # from sending to the end of the answer
    lag: float  # how late it was sent after its scheduled time
    status: int  # 0: no answer (refused, reset, timed out)
    expected: bool  # the answer is the acknowledgement this request should get

    @property
    def error(self) -> bool:
        return not (200 <= self.status < 300) or self.seconds > ACK_DEADLINE or not self.expected


def plan(rate: float, seconds: float, senders: list[str], triggers: Iterator[str]) -> list[Planned]:
    """`rate` requests a second for `seconds`, alternately `/checkin` and `/checkin <text>`."""
    return [
        Planned(
            at=i / rate,
            user_id=senders[i % len(senders)],
            text="" if i % 2 == 0 else f"Good session number {i}, we planned the next steps",
            trigger_id=next(triggers),
        )
        for i in range(round(rate * seconds))
    ]


def expected_answer(bare: bool, planned: Planned, status: int, body: str) -> bool:
    """mentorbot acks `/checkin` with an empty body (the modal follows) and `/checkin <text>`
    with the check-in's confirmation and its Undo button; the bare app always with nothing."""
    if status != 200:
        return False
    if bare or not planned.text:
        return body == ""
    return '"checkin_undo"' in body and '"ephemeral"' in body


def generate(base: str, schedule: list[Planned], bare: bool, threads: int) -> list[Outcome]:
    """Send the schedule to `base` open-loop and return one outcome per request, in order."""
    client = SignedSlackClient(
        f"{base}/slack/events", SECRET, team_id=TEAM, timeout=ACK_DEADLINE * 3
    )
    outcomes: list[Outcome | None] = [None] * len(schedule)

    def send(index: int, due: float) -> None:
        planned = schedule[index]
        started = time.perf_counter()
        status, body = 0, ""
        try:
            answer = client.command(
                "/checkin", planned.text, planned.user_id, trigger_id=planned.trigger_id
            )
            status, body = answer.status, answer.body
        except OSError:  # refused, reset or timed out: no acknowledgement
            pass
        outcomes[index] = Outcome(
            modal=not planned.text,
            seconds=time.perf_counter() - started,
            lag=started - due,
            status=status,
            expected=expected_answer(bare, planned, status, body),
        )

    with ThreadPoolExecutor(max_workers=threads) as pool:
        start = time.perf_counter() + 0.2
        for index, planned in enumerate(schedule):
            due = start + planned.at
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)  # keeping to the schedule, not timing a result
            pool.submit(send, index, due)
    return [outcome for outcome in outcomes if outcome is not None]


# -- figures -------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(share * len(ordered))))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Figures:
    requests: int
    p50: float
    p99: float
    max: float
    errors: int
    lag: float

    @classmethod
    def of(cls, outcomes: list[Outcome]) -> Figures:
        answered = [o.seconds for o in outcomes if o.status] or [float("nan")]
        return cls(
            requests=len(outcomes),
            p50=percentile(answered, 0.50),
            p99=percentile(answered, 0.99),
            max=max(answered),
            errors=sum(o.error for o in outcomes),
            lag=max((o.lag for o in outcomes), default=0.0),
        )


def row(database: str, target: str, rate: float, figures: Figures) -> str:
    ms = [f"{value * 1000:>7.0f}ms" for value in (figures.p50, figures.p99, figures.max)]
    return (
        f"{database:<11} {target:<28} {rate:>5.0f}/s {figures.requests:>8,} {' '.join(ms)} "
        f"{figures.errors:>6} {figures.lag * 1000:>8.0f}ms"
    )


HEADER = (
    f"{'database':<11} {'target':<28} {'rate':>7} {'requests':>8} {'p50':>9} {'p99':>9} "
    f"{'max':>9} {'errors':>6} {'send lag':>10}"
)


def error_breakdown(outcomes: list[Outcome]) -> str:
    refused = sum(o.status == 0 for o in outcomes)
    non_2xx = sum(o.status != 0 and not 200 <= o.status < 300 for o in outcomes)
    late = sum(o.status != 0 and o.seconds > ACK_DEADLINE for o in outcomes)
    wrong = sum(200 <= o.status < 300 and not o.expected for o in outcomes)
    return f"no answer {refused}, non-2xx {non_2xx}, later than 3 s {late}, wrong answer {wrong}"


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
