"""One attempt at one claimed message, and what became of it.

The attempt opens the DM if no channel is stored for it, looks in the conversation first
when an earlier attempt may have reached Slack, and posts with the dedupe key in the
message's metadata. Its `Outcome` holds the row's new columns and what the sender learnt
on the way (a channel opened or gone, a pause Slack asked for), all recorded together.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from mentorbot.bot.delivery.claims import Claimed
from mentorbot.bot.delivery.conversations import STALE
from mentorbot.bot.delivery.history import MAX_LOOKUPS, find_delivered, metadata_for
from mentorbot.bot.delivery.pace import retry_after, slack_time
from mentorbot.bot.outbox import UNCONFIRMED, UNINSTALLED
from mentorbot.logs import bind_log_context

log = logging.getLogger(__name__)

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


@dataclass
class Outcome:
    """What became of one attempt: the row's new columns and what to remember with them."""

    claim: Claimed
    changes: dict[str, Any]
    kind: str  # sent, found, retrying, failed, cancelled or unknown
    error: str | None = None
    opened: str | None = None  # a DM's channel Slack gave, to keep
    stale: bool = False  # the stored channel is gone
    pauses: list[tuple[str, timedelta]] = field(default_factory=list)  # (method, for how long)
    history_calls: int = 0
    posted_at: datetime | None = None  # Slack's time when chat.postMessage was called


class _Uncertain(Exception):
    """The post may or may not have reached Slack."""


class _Unsure(Exception):
    """A look in the conversation could not tell whether the message is there."""


@dataclass
class _Progress:
    """What an attempt learnt before it ended, whichever way it ended."""

    opened: str | None = None
    stale: bool = False
    history_calls: int = 0
    posted_at: datetime | None = None
    clock: Callable[[], datetime] = slack_time


def no_workspace(claim: Claimed) -> Outcome:
    """The workspace uninstalled mentorbot (or revoked its token): the message is dropped."""
    log.info("%s dropped: its workspace %s has no token", claim.dedupe_key, claim.team_id)
    changes = {"status": "cancelled", "last_error": UNINSTALLED}
    return Outcome(claim, changes, "cancelled", UNINSTALLED)


def attempt(
    client: WebClient,
    claim: Claimed,
    now: datetime,
    slack_clock: Callable[[], datetime] = slack_time,
) -> Outcome:
    """Send one claimed message (or find it sent already) and say what became of it;
    `slack_clock` tells when it was posted, for its conversation's pace. Its log lines name
    the message's workspace, kind and dedupe key."""
    kind = claim.dedupe_key.partition(":")[0]
    with bind_log_context(workspace=claim.team_id, kind=kind, dedupe_key=claim.dedupe_key):
        return _attempt(client, claim, now, slack_clock)


def _attempt(
    client: WebClient, claim: Claimed, now: datetime, slack_clock: Callable[[], datetime]
) -> Outcome:
    progress = _Progress(clock=slack_clock)
    try:
        channel, ts, found = _send(client, claim, progress)
    except SlackApiError as error:
        outcome = _error_outcome(claim, error, now, uncertain=False)
    except _Uncertain as uncertain:
        outcome = _error_outcome(claim, uncertain.__cause__, now, uncertain=True)
    except _Unsure as unsure:
        outcome = _unsure_outcome(claim, unsure.__cause__, now)
    except (SlackClientError, OSError) as error:  # before the post: nothing reached Slack
        outcome = _error_outcome(claim, error, now, uncertain=False)
    else:
        changes = {
            "status": "sent",
            "sent_at": now,
            "slack_channel": channel,
            "slack_ts": ts,
            "last_error": None,
            "outcome_unknown": False,
        }
        outcome = Outcome(claim, changes, "found" if found else "sent")
    outcome.opened, outcome.stale = progress.opened, progress.stale
    outcome.history_calls = progress.history_calls
    outcome.posted_at = progress.posted_at
    return outcome


def _send(client: WebClient, claim: Claimed, progress: _Progress) -> tuple[str, str, bool]:
    """Post the message (or find it already posted); returns channel, ts, and whether found."""
    if claim.target_kind == "channel":
        return _post(client, claim, claim.target_id, progress)
    if claim.channel is not None:
        try:
            return _post(client, claim, claim.channel, progress)
        except SlackApiError as error:
            if str(error.response.get("error")) not in STALE:
                raise
            # Slack refused the post: that conversation is gone. Open it afresh, below.
            progress.stale = True
    channel = str(client.conversations_open(users=claim.target_id)["channel"]["id"])
    progress.opened = channel
    return _post(client, claim, channel, progress)


def _post(
    client: WebClient, claim: Claimed, channel: str, progress: _Progress
) -> tuple[str, str, bool]:
    """Post in `channel` unless an earlier attempt may have; returns channel, ts, found."""
    if claim.outcome_unknown:
        try:
            look = find_delivered(client, channel, claim.dedupe_key, since=claim.first_attempt_at)
        except (SlackApiError, SlackClientError, OSError) as error:
            progress.history_calls += 1
            raise _Unsure from error
        progress.history_calls += look.calls
        if look.ts:
            log.info(
                "%s had reached Slack already (ts %s); not sending again", claim.dedupe_key, look.ts
            )
            return channel, look.ts, True
        if not look.sure:
            raise _Unsure
    progress.posted_at = progress.clock()
    try:
        response = client.chat_postMessage(
            channel=channel, metadata=metadata_for(claim.dedupe_key), **claim.payload
        )
    except SlackApiError as error:
        if _status(error) >= 500:
            raise _Uncertain from error  # Slack may have accepted it before failing
        raise
    except (SlackClientError, OSError) as error:
        raise _Uncertain from error
    return str(response.get("channel") or channel), str(response["ts"]), False


def _status(error: SlackApiError) -> int:
    return int(getattr(error.response, "status_code", 200) or 200)


def _method(error: SlackApiError) -> str:
    """The Web API method a failed call was to (`…/api/chat.postMessage`)."""
    return str(getattr(error.response, "api_url", "") or "").rstrip("/").rsplit("/", 1)[-1]


def _unsure_outcome(claim: Claimed, error: BaseException | None, now: datetime) -> Outcome:
    """A look could not tell: look again later, and after a few such looks, stop."""
    lookups = claim.lookups + 1
    changes: dict[str, Any] = {"status": "pending", "lookups": lookups}
    outcome = Outcome(claim, changes, "retrying", "history_unclear")
    if isinstance(error, SlackApiError) and _status(error) == 429:
        wait = retry_after(error.response.headers.get("Retry-After"))
        outcome.pauses.append((_method(error), wait))
    if lookups >= MAX_LOOKUPS:
        changes.update(status="unknown", last_error=UNCONFIRMED)
        log.warning(
            "%s may have reached %s: Slack's history could not tell after %d looks; "
            "not sending it again",
            claim.dedupe_key,
            claim.target_id,
            lookups,
        )
        outcome.kind, outcome.error = "unknown", UNCONFIRMED
        return outcome
    changes["not_before"] = now + _backoff(lookups)
    return outcome


def _error_outcome(
    claim: Claimed, error: BaseException | None, now: datetime, *, uncertain: bool
) -> Outcome:
    changes: dict[str, Any] = {"status": "pending"}
    if uncertain:
        changes["outcome_unknown"] = True
    if isinstance(error, SlackApiError) and _status(error) == 429:
        # Rate limited: not accepted, not a failure. This workspace's calls of the method
        # wait as long as Slack asks, in every lane and every worker.
        wait = retry_after(error.response.headers.get("Retry-After"))
        changes.update(not_before=now + wait, last_error="ratelimited")
        outcome = Outcome(claim, changes, "retrying")
        outcome.pauses.append((_method(error), wait))
        return outcome
    if isinstance(error, SlackApiError) and str(error.response.get("error")) in PERMANENT_ERRORS:
        code = str(error.response.get("error"))
        changes.update(status="failed", last_error=code)
        log.warning(
            "delivery %s to %s failed for good: %s", claim.dedupe_key, claim.target_id, code
        )
        return Outcome(claim, changes, "failed", code)
    code = _describe(error)
    attempts = claim.attempts + 1
    changes.update(attempts=attempts, last_error=code)
    if attempts >= MAX_ATTEMPTS:
        changes.update(status="failed", last_error=f"gave up after {attempts} attempts: {code}")
        return Outcome(claim, changes, "failed", code)
    changes["not_before"] = now + _backoff(attempts)
    log.info("delivery %s will be retried: %s", claim.dedupe_key, code)
    return Outcome(claim, changes, "retrying")


def _backoff(attempts: int) -> timedelta:
    """Exponential backoff with full jitter, capped."""
    ceiling = min(BASE_BACKOFF * (2 ** (attempts - 1)), MAX_BACKOFF)
    return ceiling * random.uniform(0.5, 1.0)


def _describe(error: BaseException | None) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or f"http_{_status(error)}")
    return f"network: {error.__class__.__name__}" if error else "unknown"
