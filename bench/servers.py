"""The web server processes the benchmarks measure: their command line (the Procfile's), their
environment, their health, and what /proc says about them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from mentorbot.standin import SlackStandin

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SECRET = "bench-signing-secret"


MENTORBOT_APP = "'mentorbot.web:create_wsgi_app()'"
BARE_APP = "'bare_app:create_wsgi_app()'"


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
