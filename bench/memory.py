"""Memory and start-up of `mentorbot run` (HTTP, scheduler included, gunicorn embedded).

Starts `mentorbot run` against the Slack stand-in and a SQLite file, twice: on an empty
database (migrations run at start) and, after seeding pairs, on the migrated one. Prints the
time from starting the process to the first `GET /healthz` answering 200; the resident memory
(VmRSS, summed over the process and its children: gunicorn's master and its worker) when idle
and while sending signed `/checkin <text>` requests, as fast as a few threads allow; and, as
the summed RSS counts pages the master and worker share twice, the summed PSS beside it.

    python bench/memory.py [--requests 10000] [--threads 4]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ack_load import TEAM, count_checkins, seed
from servers import SECRET, free_port, process_tree, server_env, serving

from mentorbot.standin import SignedSlackClient, SlackStandin

SCRIPT = Path(sys.executable).parent / "mentorbot"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "mentorbot.cli"]
IDLE_SECONDS = 5.0  # how long the server sits idle before its idle memory is read


# -- reading memory from /proc -------------------------------------------------------------


def _kib(path: str, field: str) -> int:
    """A `Field:   123 kB` line of a /proc file, in KiB (0 when the process has gone)."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory(pid: int) -> tuple[float, float, int]:
    """(RSS MiB, PSS MiB, processes) summed over the process tree."""
    tree = process_tree(pid)
    rss = sum(_kib(f"/proc/{p}/status", "VmRSS") for p in tree)
    pss = sum(_kib(f"/proc/{p}/smaps_rollup", "Pss") for p in tree)
    return rss / 1024, pss / 1024, len(tree)


def show(label: str, pid: int) -> None:
    rss, pss, count = memory(pid)
    print(f"  {label:<36} RSS {rss:>7.1f} MiB   PSS {pss:>7.1f} MiB   ({count} processes)")


# -- running mentorbot ---------------------------------------------------------------------


@contextmanager
def mentorbot_run(standin: SlackStandin, url: str) -> Iterator[tuple[str, int, float]]:
    """`mentorbot run --port N`; yields (base URL, pid, seconds from start to /healthz 200)."""
    env = server_env(standin, url, free_port())
    started = time.perf_counter()
    with serving([*COMMAND, "run", "--port", env["PORT"]], env) as (base, pid):
        yield base, pid, time.perf_counter() - started


def load(base: str, senders: list[str], requests: int, threads: int, pid: int) -> None:
    """Send `requests` signed `/checkin <text>` with `threads` threads; show memory on the way."""
    client = SignedSlackClient(f"{base}/slack/events", SECRET, team_id=TEAM, timeout=30)
    lock = threading.Lock()
    failed = 0
    step = max(1, requests // 5)

    def one(index: int) -> None:
        nonlocal failed
        text = f"Quick check-in {index}: a good talk about the next steps"
        answer = client.command("/checkin", text, senders[index % len(senders)])
        if answer.status != 200 or '"checkin_undo"' not in answer.body:
            with lock:
                failed += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for first in range(0, requests, step):
            list(pool.map(one, range(first, min(first + step, requests))))
            show(f"after {min(first + step, requests):,} requests", pid)
    took = time.perf_counter() - started
    print(
        f"  {requests:,} requests in {took:.1f} s ({requests / took:.0f}/s, {threads} threads); "
        f"not acknowledged as a check-in: {failed}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--pairs", type=int, default=1000, help="pairs (2 senders each)")
    args = parser.parse_args()
    print("mentorbot run (HTTP, scheduler on), SQLite, Slack stand-in")
    with SlackStandin(team_id=TEAM) as standin, tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        with mentorbot_run(standin, url) as (_, pid, seconds):
            print(f"  start to /healthz 200, empty database:  {seconds:.2f} s (migrations run)")
            show("just started", pid)
        senders = seed(url, args.pairs)
        for n in range(args.pairs):
            standin.add_user(f"UM{n}", f"mentor {n}", tz="UTC")
            standin.add_user(f"UE{n}", f"mentee {n}", tz="UTC")
        with mentorbot_run(standin, url) as (base, pid, seconds):
            print(f"  start to /healthz 200, migrated database: {seconds:.2f} s")
            show("just started", pid)
            time.sleep(IDLE_SECONDS)  # letting it sit idle, not timing anything
            show(f"idle ({IDLE_SECONDS:.0f} s after start)", pid)
            load(base, senders, args.requests, args.threads, pid)
        print(f"  check-ins stored: {count_checkins(url):,}")
        print("  Web API contract violations:", len(standin.violations))


if __name__ == "__main__":
    main()
