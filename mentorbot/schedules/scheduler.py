"""The scheduler: one interval job runs the tick every minute, never overlapping itself."""

from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from mentorbot.runtime import Runtime
from mentorbot.schedules.jobs import tick_job

TICK_JOB_ID = "mentorbot-tick"
TICK_SECONDS = 60
# After downtime the missed minutes collapse into one run (coalesce) if within an hour.
MISFIRE_GRACE_SECONDS = 3600


def add_tick_job(scheduler: BaseScheduler, runtime: Runtime) -> None:
    """Add the single tick job (explicit id, coalesced, one instance at a time)."""
    scheduler.add_job(
        tick_job,
        "interval",
        seconds=TICK_SECONDS,
        args=[runtime],
        id=TICK_JOB_ID,
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
        next_run_time=datetime.now(UTC),  # catch up at once after a restart
    )


def background_scheduler(runtime: Runtime) -> BackgroundScheduler:
    """A scheduler in a thread beside the web server (`mentorbot run`)."""
    scheduler = BackgroundScheduler(timezone="UTC")
    add_tick_job(scheduler, runtime)
    return scheduler


def blocking_scheduler(runtime: Runtime) -> BlockingScheduler:
    """A scheduler that owns the process (`mentorbot worker`)."""
    scheduler = BlockingScheduler(timezone="UTC")
    add_tick_job(scheduler, runtime)
    return scheduler
