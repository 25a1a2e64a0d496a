"""The sender: delivers due outbox rows to Slack exactly once, within working hours, in lanes.

`deliver_due` runs `SendPolicy.lanes` lanes side by side (threads). Each lane claims the next
message it is about to send, sends it with no transaction open, and records its outcome at
once; on PostgreSQL, lanes of every worker share the work through `FOR UPDATE SKIP LOCKED`.
A lane leaves alone what Slack asked to wait: a conversation posted to within the last
second or so (`pace.PostRate`), a workspace whose calls of a method are paused
(`slack_pause`), both kept in the database for every worker. When only such work is left,
it waits for it a little, else it stops.

The drain's clock runs on from the tick's `now` as real time passes, so a drain that takes
minutes sends what became due meanwhile, and never what expired meanwhile.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from slack_sdk import WebClient
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.db import unit_of_work
from mentorbot.bot.delivery.attempt import Outcome, attempt, no_workspace
from mentorbot.bot.delivery.claims import DEFAULT_LEASE, Claimed, Scan, claim_next, record_outcome
from mentorbot.bot.delivery.conversations import forget_channel, remember_channel
from mentorbot.bot.delivery.pace import PostRate, next_free_conversation, pause
from mentorbot.bot.delivery.profiles import refresh_profiles
from mentorbot.bot.models import OutboundMessage, SlackPause
from mentorbot.bot.timeutil import utcnow
from mentorbot.metrics import SEND_SECONDS, SENDS

log = logging.getLogger(__name__)

# A lane with nothing to claim but work Slack asked to wait for waits at most this long.
LONGEST_WAIT = timedelta(seconds=20)


@dataclass(frozen=True)
class SendPolicy:
    """How a worker sends: its lanes, its claims' lease, and how often it may look in a
    workspace's conversation history (none: as often as Slack answers)."""

    lanes: int = 1
    lease: timedelta = DEFAULT_LEASE
    history_every: timedelta = timedelta(0)


# An attempt's outcome as the metrics name it (a message found already sent was sent).
SEND_OUTCOME = {
    "sent": "sent",
    "found": "sent",
    "retrying": "retrying",
    "failed": "failed",
    "cancelled": "cancelled",
    "unknown": "unknown",
}


@dataclass
class DeliveryReport:
    """What one drain did."""

    sent: int = 0
    failed: int = 0
    retrying: int = 0
    held: int = 0
    found_already_sent: int = 0
    cancelled: int = 0
    # Messages whose moment came before they could be delivered (see claims.claim_next).
    expired: int = 0
    # Messages that may have arrived, which Slack's history could not confirm: not resent.
    unknown: int = 0
    profile_calls: int = 0
    errors: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count(self, outcome: Outcome) -> None:
        """Add one recorded outcome to the figures (and to the process's metrics)."""
        SENDS.labels(SEND_OUTCOME[outcome.kind]).inc()
        with self._lock:
            if outcome.kind in ("sent", "found"):
                self.sent += 1
                self.found_already_sent += outcome.kind == "found"
            elif outcome.kind == "failed":
                self.failed += 1
                self.errors.append(outcome.error or "unknown")
            elif outcome.kind == "cancelled":
                self.cancelled += 1
            elif outcome.kind == "unknown":
                self.unknown += 1
            else:
                self.retrying += 1

    def scanned(self, scan: Scan) -> None:
        if scan.expired:
            SENDS.labels("expired").inc(scan.expired)
        with self._lock:
            self.held += scan.held
            self.expired += scan.expired


class ClientsByTeam(Protocol):
    """Gives each workspace's Web API client; None when the workspace has no token."""

    def for_team(self, team_id: str) -> WebClient | None: ...


@runtime_checkable
class SendingClients(Protocol):
    """A process's clients for sending (the Runtime): they leave a 429 to the sender, which
    pauses the workspace for every lane instead of sleeping inside one call, and the
    process's posts are paced per conversation at its rate."""

    pace: PostRate

    def for_sending(self, team_id: str) -> WebClient | None: ...


# One client for every workspace (one bot token), or a client per workspace (OAuth installs).
SlackClients = WebClient | ClientsByTeam


class _ClientCache:
    """Each workspace's client, looked up once per drain, for every lane."""

    def __init__(self, clients: SlackClients) -> None:
        self._clients = clients
        self._known: dict[str, WebClient | None] = {}
        self._lock = threading.Lock()

    def __call__(self, team_id: str) -> WebClient | None:
        if isinstance(self._clients, WebClient):
            return self._clients
        with self._lock:
            if team_id not in self._known:
                if isinstance(self._clients, SendingClients):
                    self._known[team_id] = self._clients.for_sending(team_id)
                else:
                    self._known[team_id] = self._clients.for_team(team_id)
            return self._known[team_id]


def deliver_due(
    sessions: sessionmaker[Session],
    clients: SlackClients,
    now: datetime,
    policy: SendPolicy | None = None,
    *,
    lease: timedelta | None = None,
    wall_clock: Callable[[], datetime] = utcnow,
    pace: PostRate | None = None,
) -> DeliveryReport:
    """Send everything due at `now`, in the policy's lanes; return when nothing is left that
    can go now. `wall_clock` times leases and Slack's pauses."""
    policy = policy or SendPolicy(lease=lease or DEFAULT_LEASE)
    if pace is None:
        pace = clients.pace if isinstance(clients, SendingClients) else PostRate()
    report = DeliveryReport()
    client_for = _ClientCache(clients)
    report.profile_calls = refresh_profiles(sessions, client_for, now)
    started = wall_clock()
    drain = _Drain(
        sessions=sessions,
        client_for=client_for,
        policy=policy,
        report=report,
        clock=lambda: now + _whole_seconds(wall_clock() - started),
        wall_clock=wall_clock,
        pace=pace,
    )
    if policy.lanes <= 1:
        drain.lane()
        return report
    lanes = [
        threading.Thread(target=drain.guarded_lane, name=f"mentorbot-lane-{n}", daemon=True)
        for n in range(policy.lanes)
    ]
    for lane in lanes:
        lane.start()
    for lane in lanes:
        lane.join()
    if drain.stopped:  # as one lane would have: the caller logs it, the next tick goes on
        raise drain.stopped[0]
    return report


@dataclass
class _Drain:
    """One drain's shared parts; each lane runs `lane()`."""

    sessions: sessionmaker[Session]
    client_for: _ClientCache
    policy: SendPolicy
    report: DeliveryReport
    clock: Callable[[], datetime]
    wall_clock: Callable[[], datetime]
    pace: PostRate
    stopped: list[Exception] = field(default_factory=list)
    sending: int = 0  # this drain's messages in flight, in all its lanes
    finished: threading.Condition = field(default_factory=threading.Condition)

    def guarded_lane(self) -> None:
        """A lane on a thread of its own: what stops it is kept for `deliver_due` to raise."""
        try:
            self.lane()
        except Exception as error:  # the database went away, say; claims lapse with leases
            log.warning("a sending lane stopped: %s", error)
            self.stopped.append(error)

    def lane(self) -> None:
        """Claim, send and record one message after another until none can go now."""
        while True:
            with unit_of_work(self.sessions) as session:
                scan = claim_next(
                    session,
                    now=self.clock(),
                    wall=self.wall_clock(),
                    lease=self.policy.lease,
                    pace=self.pace,
                )
            self.report.scanned(scan)
            if scan.claims:
                for claim in scan.claims:
                    self._send(claim)
            elif scan.looked_at == 0 and not self._behind_a_lane() and not self._waited():
                return

    def _behind_a_lane(self) -> bool:
        """While another lane sends, what is left may be behind its message in the same
        conversation: wait for one send to end, then look again."""
        with self.finished:
            if not self.sending:
                return False
            self.finished.wait(timeout=LONGEST_WAIT.total_seconds())
            return True

    def _send(self, claim: Claimed) -> None:
        with self.finished:
            self.sending += 1
        try:
            self._attempt(claim)
        finally:
            with self.finished:
                self.sending -= 1
                self.finished.notify_all()

    def _attempt(self, claim: Claimed) -> None:
        client = self.client_for(claim.team_id)
        if client is None:
            outcome = no_workspace(claim)
        else:
            with SEND_SECONDS.time():
                outcome = attempt(client, claim, self.clock(), self.pace.clock)
        with unit_of_work(self.sessions) as session:
            if record_outcome(session, claim, outcome.changes):
                self._learnt(session, outcome)
                written = True
            else:
                written = False
        if written:
            self.report.count(outcome)

    def _learnt(self, session: Session, outcome: Outcome) -> None:
        """Keep what the attempt learnt about Slack, for every sender."""
        claim, wall = outcome.claim, self.wall_clock()
        if outcome.opened:
            remember_channel(
                session,
                team_id=claim.team_id,
                users=claim.target_id,
                channel_id=outcome.opened,
                now=wall,
            )
        elif outcome.stale:
            forget_channel(session, team_id=claim.team_id, users=claim.target_id)
        for method, wait in outcome.pauses:
            log.info("Slack asked %s's %s calls to wait %s", claim.team_id, method, wait)
            pause(session, team_id=claim.team_id, method=method, until=wall + wait)
        if outcome.posted_at is not None:
            self.pace.took(
                session,
                team_id=claim.team_id,
                target=claim.target_id,
                free_at=claim.free_at,
                at=outcome.posted_at,
            )
        if outcome.history_calls and self.policy.history_every > timedelta(0):
            until = wall + self.policy.history_every
            pause(session, team_id=claim.team_id, method="conversations.history", until=until)

    def _waited(self) -> bool:
        """Wait for work Slack asked to wait (a busy conversation, a paused workspace) when it
        is soon; False when there is none, or it is not soon, or time does not pass."""
        now, wall, slack_now = self.clock(), self.wall_clock(), self.pace.clock()
        with unit_of_work(self.sessions) as session:
            resumes = _next_resume(session, now=now, wall=wall)
            free = next_free_conversation(session, now=now, at=slack_now, rate=self.pace)
        waits = [] if free is None else [(free - slack_now).total_seconds()]
        if resumes is not None and self._time_passes(wall):
            waits.append((resumes - wall).total_seconds())
        if not waits or min(waits) > LONGEST_WAIT.total_seconds():
            return False
        time.sleep(max(min(waits), 0.01))
        return True

    def _time_passes(self, since: datetime) -> bool:
        """False for a clock that stands still (a test's frozen time): it never reaches the
        end of a pause, so waiting for one would be in vain."""
        time.sleep(0.001)
        return self.wall_clock() > since


def _whole_seconds(elapsed: timedelta) -> timedelta:
    """How far a drain's clock has run on: whole seconds of real time (a short drain keeps
    the tick's own moment)."""
    return timedelta(seconds=max(0, int(elapsed.total_seconds())))


def _next_resume(session: Session, *, now: datetime, wall: datetime) -> datetime | None:
    """When the first paused workspace with messages due may call Slack again, if any."""
    due = exists().where(
        OutboundMessage.team_id == SlackPause.team_id,
        OutboundMessage.status == "pending",
        OutboundMessage.not_before <= now,
    )
    return session.scalar(select(func.min(SlackPause.until)).where(SlackPause.until > wall, due))
