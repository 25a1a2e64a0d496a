"""The sender: delivers due outbox rows to Slack exactly once, within working hours.

Each row is claimed in a short transaction, sent with no transaction open, and its outcome
recorded in another. Every message carries its dedupe key in Slack message metadata, so when
an earlier attempt may have reached Slack (a crash, a dropped connection, a 5xx after the
post) the conversation is searched for it before anything is sent again.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.db import unit_of_work
from mentorbot.bot.outbox import (
    DEFAULT_LEASE,
    UNINSTALLED,
    Claimed,
    claim_due,
    due_recipients,
    record_outcomes,
)
from mentorbot.bot.services.members import remember_profiles
from mentorbot.bot.timeutil import utcnow

log = logging.getLogger(__name__)

METADATA_EVENT_TYPE = "mentorbot_delivery"
# Slack errors no retry will fix: recorded as failed, for coordinators to see.
PERMANENT_ERRORS = frozenset(
    {
        "account_inactive",
        "cannot_dm_bot",
        "channel_not_found",
        "invalid_auth",
        "invalid_blocks",
        "is_archived",
        "msg_too_long",
        "no_text",
        "not_in_channel",
        "restricted_action",
        "user_disabled",
        "user_not_found",
        "users_not_found",
    }
)
MAX_ATTEMPTS = 8
BASE_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)
HISTORY_PAGES = 5  # how far back (x200 messages) to look for an earlier delivery


@dataclass
class DeliveryReport:
    """What one drain did."""

    sent: int = 0
    failed: int = 0
    retrying: int = 0
    held: int = 0
    released: int = 0
    found_already_sent: int = 0
    cancelled: int = 0
    # Messages whose moment came before they could be delivered (see outbox.claim_due).
    expired: int = 0
    errors: list[str] = field(default_factory=list)

    def count(self, outcome: _Outcome) -> None:
        """Add one recorded outcome to the figures."""
        if outcome.kind in ("sent", "found"):
            self.sent += 1
            self.found_already_sent += outcome.kind == "found"
        elif outcome.kind == "failed":
            self.failed += 1
            self.errors.append(outcome.error or "unknown")
        elif outcome.kind == "cancelled":
            self.cancelled += 1
        else:
            self.retrying += 1


class _Uncertain(Exception):
    """The post may or may not have reached Slack."""


class ClientsByTeam(Protocol):
    """Gives each workspace's Web API client; None when the workspace has no token."""

    def for_team(self, team_id: str) -> WebClient | None: ...


# One client for every workspace (one bot token), or a client per workspace (OAuth installs).
SlackClients = WebClient | ClientsByTeam
# Errors that say a remembered conversation is no longer one the bot can post in.
_STALE_CONVERSATION = frozenset({"channel_not_found", "is_archived", "not_in_channel"})


class Conversations:
    """Each DM's and group DM's channel, as conversations.open gave it, kept for the life of
    the process: a conversation's ID does not change, and conversations.open is rate-limited
    far more tightly (Slack's Tier 3) than posting, so each person's DM is opened once.

    A running process keeps one (`Runtime.conversations`); a sender given a bare client keeps
    one per drain.
    """

    LIMIT = 50_000  # entries; past it the memory starts again empty

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def get(self, team_id: str, users: str) -> str | None:
        """The channel of the conversation with these people (comma-separated IDs), if known."""
        with self._lock:
            return self._known.get((team_id, users))

    def remember(self, team_id: str, users: str, channel: str) -> None:
        with self._lock:
            if len(self._known) >= self.LIMIT:
                self._known.clear()
            self._known[(team_id, users)] = channel

    def forget(self, team_id: str, users: str) -> None:
        with self._lock:
            self._known.pop((team_id, users), None)


@runtime_checkable
class KeepsConversations(Protocol):
    """A long-lived holder of clients that also remembers conversations (the Runtime)."""

    conversations: Conversations


class _ClientCache:
    """Each workspace's client, looked up once per drain."""

    def __init__(self, clients: SlackClients) -> None:
        self._clients = clients
        self._known: dict[str, WebClient | None] = {}

    def __call__(self, team_id: str) -> WebClient | None:
        if isinstance(self._clients, WebClient):
            return self._clients
        if team_id not in self._known:
            self._known[team_id] = self._clients.for_team(team_id)
        return self._known[team_id]


def deliver_due(
    sessions: sessionmaker[Session],
    clients: SlackClients,
    now: datetime,
    *,
    batch: int = 50,
    lease: timedelta = DEFAULT_LEASE,
    wall_clock: Callable[[], datetime] = utcnow,
) -> DeliveryReport:
    """Send everything due at `now`, batch by batch; `wall_clock` times the claims' leases.

    A batch's outcomes are written together after it is sent. Should the process die before
    that, the rows' claims lapse and the next sender finds the messages in Slack by their
    dedupe key instead of sending them again.
    """
    report = DeliveryReport()
    client_for = _ClientCache(clients)
    known = clients.conversations if isinstance(clients, KeepsConversations) else Conversations()
    _refresh_profiles(sessions, client_for, now)
    # Never start a send in the last part of a lease: another sender may take it over then.
    margin = min(lease / 2, timedelta(seconds=30))
    while True:
        with unit_of_work(sessions) as session:
            claims, looked_at, expired = claim_due(
                session, now=now, wall=wall_clock(), limit=batch, lease=lease
            )
        report.expired += expired
        report.held += looked_at - len(claims) - expired
        outcomes = []
        for claim in claims:
            if wall_clock() >= claim.lease_until - margin:
                report.released += 1  # left for whoever claims it after the lease
                continue
            client = client_for(claim.team_id)
            if client is None:
                outcomes.append(_no_workspace(claim))
                continue
            outcomes.append(_attempt(client, claim, now, known))
        if outcomes:
            with unit_of_work(sessions) as session:
                written = record_outcomes(session, [(o.claim, o.changes) for o in outcomes])
            for outcome, was_written in zip(outcomes, written, strict=True):
                if was_written:
                    report.count(outcome)
        if looked_at < batch or not (claims or expired):
            return report


def _refresh_profiles(
    sessions: sessionmaker[Session], client_for: _ClientCache, now: datetime
) -> None:
    """Fetch time zones (users.info) of people with DMs due whose cached profile is old."""
    with unit_of_work(sessions) as session:
        people = due_recipients(session, now=now, limit=1000)
    if not people:
        return
    profiles = []
    for team_id, user_id in people:
        client = client_for(team_id)
        if client is None:
            continue
        try:
            user = client.users_info(user=user_id)["user"]
        except SlackApiError as error:
            if error.response.get("error") != "user_not_found":
                log.warning("users.info for %s failed: %s", user_id, error.response.get("error"))
                continue
            user = {"deleted": True}
        except (SlackClientError, OSError) as error:
            log.warning("users.info for %s failed: %s", user_id, error)
            continue
        profiles.append((team_id, user_id, user))
    with unit_of_work(sessions) as session:
        for team_id, user_id, user in profiles:
            remember_profiles(session, team_id=team_id, profiles={user_id: user}, now=now)


@dataclass
class _Outcome:
    """What became of one attempt, to be recorded with the rest of its batch."""

    claim: Claimed
    changes: dict[str, Any]
    kind: str  # sent, found, retrying, failed or cancelled
    error: str | None = None


def _no_workspace(claim: Claimed) -> _Outcome:
    """The workspace uninstalled mentorbot (or revoked its token): the message is dropped."""
    log.info("%s dropped: its workspace %s has no token", claim.dedupe_key, claim.team_id)
    changes = {"status": "cancelled", "last_error": UNINSTALLED}
    return _Outcome(claim, changes, "cancelled", UNINSTALLED)


def _attempt(client: WebClient, claim: Claimed, now: datetime, known: Conversations) -> _Outcome:
    try:
        channel, ts, found = _send(client, claim, known)
    except SlackApiError as error:
        return _error_outcome(claim, error, now, uncertain=False)
    except _Uncertain as uncertain:
        return _error_outcome(claim, uncertain.__cause__, now, uncertain=True)
    except (SlackClientError, OSError) as error:  # before the post: nothing reached Slack
        return _error_outcome(claim, error, now, uncertain=False)
    changes = {
        "status": "sent",
        "sent_at": now,
        "slack_channel": channel,
        "slack_ts": ts,
        "last_error": None,
        "outcome_unknown": False,
    }
    return _Outcome(claim, changes, "found" if found else "sent")


def _send(client: WebClient, claim: Claimed, known: Conversations) -> tuple[str, str, bool]:
    """Post the message (or find it already posted); returns channel, ts, and whether found."""
    if claim.target_kind == "channel":
        return _post(client, claim, claim.target_id)
    remembered = known.get(claim.team_id, claim.target_id)
    if remembered is not None:
        try:
            return _post(client, claim, remembered)
        except SlackApiError as error:
            if str(error.response.get("error")) not in _STALE_CONVERSATION:
                raise
            # Slack refused the post: that conversation is gone. Open it afresh, below.
            known.forget(claim.team_id, claim.target_id)
    channel = str(client.conversations_open(users=claim.target_id)["channel"]["id"])
    known.remember(claim.team_id, claim.target_id, channel)
    return _post(client, claim, channel)


def _post(client: WebClient, claim: Claimed, channel: str) -> tuple[str, str, bool]:
    """Post in `channel` unless an earlier attempt may have; returns channel, ts, found."""
    if claim.outcome_unknown:
        ts = _find_delivered(client, channel, claim.dedupe_key)
        if ts:
            log.info(
                "%s had reached Slack already (ts %s); not sending again", claim.dedupe_key, ts
            )
            return channel, ts, True
    metadata = {
        "event_type": METADATA_EVENT_TYPE,
        "event_payload": {"dedupe_key": claim.dedupe_key},
    }
    try:
        response = client.chat_postMessage(channel=channel, metadata=metadata, **claim.payload)
    except SlackApiError as error:
        if _status(error) >= 500:
            raise _Uncertain from error  # Slack may have accepted it before failing
        raise
    except (SlackClientError, OSError) as error:
        raise _Uncertain from error
    return str(response.get("channel") or channel), str(response["ts"]), False


def _find_delivered(client: WebClient, channel: str, dedupe_key: str) -> str | None:
    """The ts of the message in `channel` that carries `dedupe_key` in its metadata, if any."""
    cursor = None
    for _ in range(HISTORY_PAGES):
        page = client.conversations_history(
            channel=channel, limit=200, include_all_metadata=True, cursor=cursor
        )
        messages: list[dict[str, Any]] = page.get("messages") or []
        for message in messages:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if (
                metadata.get("event_type") == METADATA_EVENT_TYPE
                and payload.get("dedupe_key") == dedupe_key
            ):
                return str(message["ts"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not page.get("has_more") or not cursor:
            return None
    return None


def _status(error: SlackApiError) -> int:
    return int(getattr(error.response, "status_code", 200) or 200)


def _error_outcome(
    claim: Claimed, error: BaseException | None, now: datetime, *, uncertain: bool
) -> _Outcome:
    changes: dict[str, Any] = {"status": "pending"}
    if uncertain:
        changes["outcome_unknown"] = True
    if isinstance(error, SlackApiError) and _status(error) == 429:
        # Rate limited: not accepted, not a failure. Wait as long as Slack asks.
        retry_after = int(error.response.headers.get("Retry-After", 1) or 1)
        changes.update(not_before=now + timedelta(seconds=retry_after), last_error="ratelimited")
        return _Outcome(claim, changes, "retrying")
    if isinstance(error, SlackApiError) and str(error.response.get("error")) in PERMANENT_ERRORS:
        code = str(error.response.get("error"))
        changes.update(status="failed", last_error=code)
        log.warning(
            "delivery %s to %s failed for good: %s", claim.dedupe_key, claim.target_id, code
        )
        return _Outcome(claim, changes, "failed", code)
    code = _describe(error)
    attempts = claim.attempts + 1
    changes.update(attempts=attempts, last_error=code)
    if attempts >= MAX_ATTEMPTS:
        changes.update(status="failed", last_error=f"gave up after {attempts} attempts: {code}")
        return _Outcome(claim, changes, "failed", code)
    changes["not_before"] = now + _backoff(attempts)
    log.info("delivery %s will be retried: %s", claim.dedupe_key, code)
    return _Outcome(claim, changes, "retrying")


def _backoff(attempts: int) -> timedelta:
    """Exponential backoff with full jitter, capped."""
    ceiling = min(BASE_BACKOFF * (2 ** (attempts - 1)), MAX_BACKOFF)
    return ceiling * random.uniform(0.5, 1.0)


def _describe(error: BaseException | None) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or f"http_{_status(error)}")
    return f"network: {error.__class__.__name__}" if error else "unknown"
