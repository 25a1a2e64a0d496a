"""gunicorn's hooks for the Procfile's web process (`gunicorn -c python:mentorbot.gunicorn_config`):
with MENTORBOT_METRICS=on, every worker's figures make one.

gunicorn's master runs `on_starting` before it forks a worker, and it never loads the app
itself (no `--preload`), so `prometheus_client` is first imported in each worker, after
`PROMETHEUS_MULTIPROC_DIR` is set: its multiprocess mode then keeps every worker's figures
in files there, and whichever worker answers `GET /metrics` adds them all up.

The directory is the operator's `PROMETHEUS_MULTIPROC_DIR` (emptied at start, as
prometheus-client asks), else a new temporary one. It is the web process's own: a worker
process on the same machine needs another, or none.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from mentorbot.bot.settings import Settings, SettingsError

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


def on_starting(_server: Any) -> None:
    """Set up the figures' directory before any worker starts."""
    try:
        wanted = Settings.from_env(os.environ).metrics
    except SettingsError:
        return  # each worker says what is wrong with the settings, and stops the server
    if not wanted:
        return
    chosen = os.environ.get(MULTIPROCESS_DIR)
    if not chosen:
        os.environ[MULTIPROCESS_DIR] = tempfile.mkdtemp(prefix="mentorbot-metrics-")
        return
    folder = Path(chosen)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):  # a previous run's figures
        stale.unlink()


def child_exit(_server: Any, worker: Any) -> None:
    """A worker that ended leaves its counts (they stay in the sums) but no live gauges."""
    if os.environ.get(MULTIPROCESS_DIR):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
