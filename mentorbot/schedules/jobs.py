"""Scheduled jobs. The database is the schedule: a job only asks what is due now."""

from __future__ import annotations

import logging

from mentorbot.bot.tick import TickSummary, run_tick
from mentorbot.bot.timeutil import utcnow
from mentorbot.runtime import Runtime

log = logging.getLogger(__name__)


def tick_job(runtime: Runtime) -> TickSummary | None:
    """Run one tick as of the current minute; log and survive any failure."""
    try:
        summary = run_tick(
            runtime.sessions,
            runtime,
            utcnow(),
            runtime.send_policy,
            retention_days=runtime.settings.retention_days,
            language=runtime.settings.language,
        )
    except Exception:
        log.exception("tick failed; the next one will pick up the work")
        return None
    log.info(summary.line())
    return summary
