"""One pass of all due work: every producer enqueues, then the sender drains the outbox."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot import languages
from mentorbot.bot.db import unit_of_work
from mentorbot.bot.delivery import DeliveryReport, SendPolicy, SlackClients, deliver_due
from mentorbot.bot.services.announcements import produce_announcements
from mentorbot.bot.services.celebrations import produce_celebrations
from mentorbot.bot.services.closing import produce_alumni
from mentorbot.bot.services.digest import produce_digests
from mentorbot.bot.services.escalations import produce_escalations
from mentorbot.bot.services.events import forget_old_events
from mentorbot.bot.services.goals import produce_goal_reminders
from mentorbot.bot.services.meeting_prompts import produce_meeting_prompts
from mentorbot.bot.services.mentor_requests import produce_request_expiry
from mentorbot.bot.services.nudges import produce_nudges
from mentorbot.bot.services.pauses import produce_resumes
from mentorbot.bot.services.phases import produce_phases
from mentorbot.bot.services.retention import RetentionPass, forget_old_words
from mentorbot.logs import bind_log_context
from mentorbot.metrics import observe_tick

# A producer finds what is due at `now`, enqueues it (deduplicated) and returns how many it queued.
Producer = Callable[[Session, datetime], int]

# The PostgreSQL advisory lock that lets one tick run at a time: a fixed number, paired
# with the schema's name so that deployments sharing a database (one schema each) do not
# hold up one another.
TICK_LOCK = 0x6D656E74
TICK_LOCK_KEYS = "(:k, hashtext(current_schema()))"

# Adding a kind of due work is one line here.
# Phases come first, so pairs of a cohort that has just ended get nothing more; resumes
# next, so a pair whose pause ends gets this tick's prompts.
PRODUCERS: tuple[Producer, ...] = (
    produce_phases,
    produce_resumes,
    produce_meeting_prompts,
    produce_nudges,
    produce_escalations,
    produce_goal_reminders,
    produce_celebrations,
    produce_announcements,
    produce_alumni,
    produce_digests,
    produce_request_expiry,
)


@dataclass
class TickSummary:
    """What one tick did, for logs and for `mentorbot tick`."""

    at: datetime
    skipped: bool = False
    queued: dict[str, int] = field(default_factory=dict)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)
    forgotten: RetentionPass = field(default_factory=RetentionPass)

    def line(self) -> str:
        """A one-line human summary."""
        d = self.delivery
        produced = (
            "producing skipped, another tick is running;"
            if self.skipped
            else f"queued {sum(self.queued.values())},"
        )
        return (
            f"tick at {self.at.isoformat()}: {produced} sent {d.sent}, "
            f"failed {d.failed}, retrying {d.retrying}"
            + (f", expired {d.expired}" if d.expired else "")
            + (f", unknown {d.unknown}" if d.unknown else "")
            + (self._forgotten() if self.forgotten else "")
        )

    def _forgotten(self) -> str:
        f = self.forgotten
        return (
            f"; words deleted (retention) of {f.pairs} pair(s), {f.cohorts} cohort(s), "
            f"{f.concerns} concern(s)"
        )


def run_tick(
    sessions: sessionmaker[Session],
    clients: SlackClients,
    now: datetime,
    policy: SendPolicy | None = None,
    *,
    lease: timedelta | None = None,
    retention_days: int | None = None,
    language: str = languages.SOURCE,
) -> TickSummary:
    """Run every producer as of `now` in one transaction, then deliver what is due. With
    `retention_days`, the next batch of old words is deleted in the same transaction.
    `language` is the workspace default (`MENTORBOT_LANGUAGE`): each message is in its
    reader's own, channel posts in this one.

    On PostgreSQL the producers run one tick at a time across all processes (a tick that
    finds another producing skips producing, since that one does the same work); sending is
    not under that lock, so every worker's lanes send side by side.
    """
    started = time.perf_counter()
    with bind_log_context(tick=uuid.uuid4().hex[:12]), languages.by_default(language):
        summary = _run_tick(
            sessions, clients, now, policy, lease=lease, retention_days=retention_days
        )
    observe_tick(summary.queued, time.perf_counter() - started)
    return summary


def _run_tick(
    sessions: sessionmaker[Session],
    clients: SlackClients,
    now: datetime,
    policy: SendPolicy | None,
    *,
    lease: timedelta | None,
    retention_days: int | None,
) -> TickSummary:
    summary = TickSummary(at=now)
    with one_at_a_time(sessions.kw["bind"]) as ours:
        if ours:
            with unit_of_work(sessions) as session:
                for producer in PRODUCERS:
                    summary.queued[producer.__name__] = producer(session, now)
                forget_old_events(session, now=now)
                summary.forgotten = forget_old_words(session, now=now, days=retention_days)
        else:
            summary.skipped = True
    summary.delivery = deliver_due(sessions, clients, now, policy, lease=lease)
    return summary


@contextmanager
def one_at_a_time(engine: Engine) -> Iterator[bool]:
    """Hold PostgreSQL's tick lock while the block runs; yields False if another holds it.

    The lock is a session-level advisory lock on its own connection: it is released when
    the block ends, or by PostgreSQL when a crashed process's connection goes away.
    SQLite deployments run one worker, so there it always yields True.
    """
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        acquired = bool(
            connection.execute(
                text(f"SELECT pg_try_advisory_lock{TICK_LOCK_KEYS}"), {"k": TICK_LOCK}
            ).scalar()
        )
        try:
            yield acquired
        finally:
            if acquired:
                connection.execute(
                    text(f"SELECT pg_advisory_unlock{TICK_LOCK_KEYS}"), {"k": TICK_LOCK}
                )
