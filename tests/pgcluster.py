"""A PostgreSQL server of a test's own, which the test may stop and start again.

The shared test database serves every test process at once, so it is never stopped; a test
that needs the server itself gone (not just its connections cut, as tests/dbproxy.py does)
runs one of these: `initdb` into a temporary folder, `pg_ctl start` on a free port. It needs
the PostgreSQL server binaries (Debian's `postgresql` package); without them the test skips.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.processes import free_port


def _server_binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder (with initdb and pg_ctl), if any."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1].parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


class PrivateCluster:
    """One PostgreSQL server in a temporary folder, on loopback, trusting local connections."""

    def __init__(self, binaries: Path, folder: Path) -> None:
        self._binaries = binaries
        self._folder = folder
        self._data = folder / "data"
        self.port = free_port()
        # PostgreSQL refuses to run as root: as root, the server runs as the postgres user.
        self._as = "postgres" if os.geteuid() == 0 else None
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.running = False

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self._binaries / tool), *args]
        if self._as:
            command = ["runuser", "-u", self._as, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed: {result.stdout}{result.stderr}")

    def create(self) -> None:
        if self._as:
            user = pwd.getpwnam(self._as)
            os.chown(self._folder, user.pw_uid, user.pw_gid)
        self._run("initdb", "-D", str(self._data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -k {self._folder} -c listen_addresses=127.0.0.1"
        log = str(self._folder / "server.log")
        self._run("pg_ctl", "-D", str(self._data), "-o", options, "-l", log, "-w", "start")
        self.running = True

    def stop(self) -> None:
        """Stop the server as an operator would (`pg_ctl stop -m fast`): connections end."""
        self._run("pg_ctl", "-D", str(self._data), "-m", "fast", "-w", "stop")
        self.running = False


@contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    """A running server of the test's own, removed afterwards; skips without the binaries."""
    binaries = _server_binaries()
    if binaries is None or not (binaries / "initdb").exists():
        pytest.skip("the PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    with tempfile.TemporaryDirectory(prefix="mentorbot-pg-") as folder:
        os.chmod(folder, 0o755)
        cluster = PrivateCluster(binaries, Path(folder))
        cluster.create()
        cluster.start()
        try:
            yield cluster
        finally:
            if cluster.running:
                cluster.stop()
