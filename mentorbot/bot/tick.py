"""One pass of all due work: every producer enqueues, then the sender drains the outbox."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.db import unit_of_work
from mentorbot.bot.delivery import DeliveryReport, deliver_due
from mentorbot.bot.services.events import forget_old_events
from mentorbot.bot.services.meeting_prompts import produce_meeting_prompts

# A producer finds what is due at `now`, enqueues it (deduplicated) and returns how many it queued.
Producer = Callable[[Session, datetime], int]

# Adding a kind of due work is one line here.
PRODUCERS: tuple[Producer, ...] = (produce_meeting_prompts,)


@dataclass
class TickSummary:
    """What one tick did, for logs and for `mentorbot tick`."""

    at: datetime
    queued: dict[str, int] = field(default_factory=dict)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)

    def line(self) -> str:
        """A one-line human summary."""
        queued = sum(self.queued.values())
        d = self.delivery
        return (
            f"tick at {self.at.isoformat()}: queued {queued}, sent {d.sent}, "
            f"failed {d.failed}, retrying {d.retrying}"
        )


def run_tick(sessions: sessionmaker[Session], client: WebClient, now: datetime) -> TickSummary:
    """Run every producer as of `now` in one transaction, then deliver what is due."""
    summary = TickSummary(at=now)
    with unit_of_work(sessions) as session:
        for producer in PRODUCERS:
            summary.queued[producer.__name__] = producer(session, now)
        forget_old_events(session, now=now)
    summary.delivery = deliver_due(sessions, client, now)
    return summary
