"""Injected failures: calls that fail, are answered late or not at all, and rate limits."""

from __future__ import annotations

import copy
import math
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Literal, get_args

from mentorbot.standin.contract import method_contract
from mentorbot.standin.objects import Json
from mentorbot.standin.state import StandinState

_STATUS_ERRORS = {429: "ratelimited", 500: "internal_error", 503: "service_unavailable"}
# What a rate limit counts calls per: the whole app, each workspace, each channel of one.
RateScope = Literal["app", "workspace", "channel"]


@dataclass
class _Fault:
    """One injected failure."""

    error: str
    status: int
    retry_after: int | None = None
    drop: bool = False


@dataclass
class _Bucket:
    """The tokens one key of a rate limit has left, as of `last` (monotonic seconds)."""

    tokens: float
    last: float


@dataclass
class _RateLimit:
    """Token buckets: `per_second` calls on average, bursts of up to `burst`, one bucket for
    the app, for each workspace or for each channel of a workspace (see `rate_limit`)."""

    per: RateScope
    per_second: float
    burst: int
    buckets: dict[tuple[str, ...], _Bucket] = field(default_factory=dict)

    def bucket(self, key: tuple[str, ...], now: float) -> _Bucket:
        """The bucket of one key, refilled up to `now` (a new key starts with a full burst)."""
        found = self.buckets.setdefault(key, _Bucket(self.burst, now))
        found.tokens = min(self.burst, found.tokens + (now - found.last) * self.per_second)
        found.last = now
        return found

    def wait(self, bucket: _Bucket) -> int:
        """Whole seconds until the bucket holds a token again (Slack's Retry-After)."""
        return max(1, math.ceil((1 - bucket.tokens) / self.per_second))


class StandinFaults(StandinState):
    """Making Slack fail: errors, HTTP statuses, dropped answers, held calls, rate limits."""

    def fail_next(
        self,
        method: str,
        *,
        error: str | None = None,
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next call(s) of a method fail: ok-false with error, or an HTTP status."""
        if status == 429 and retry_after is None:
            retry_after = 1
        code = error or _STATUS_ERRORS.get(status, "fatal_error")
        self._queue(self._fail_next, method, _Fault(code, status, retry_after), times)

    def fail_after_accept(self, method: str, *, times: int = 1, status: int | None = 500) -> None:
        """Accept the next call(s) (the message is stored) but answer `status`, or drop if None."""
        error = "connection_dropped" if status is None else "internal_error"
        fault = _Fault(error, status or 0, drop=status is None)
        self._queue(self._fail_after, method, fault, times)

    def hold(self, method: str) -> threading.Event:
        """Keep calls of a method waiting, unanswered and unrecorded, until the returned event
        is set (or the stand-in stops, or a minute passes): shows what does not wait for Slack.
        """
        gate = self._holds[method] = threading.Event()
        return gate

    def rate_limit(
        self, method: str, *, per_second: float, burst: int = 1, per: RateScope = "app"
    ) -> None:
        """Allow a method `per_second` calls on average, in bursts of up to `burst`.

        `per` says whose calls share the allowance: the app's (all of them), each workspace's
        (the team of the token a call used), or each channel's of a workspace (its `channel`
        argument; a user ID counts as their DM), as Slack paces chat.postMessage at about one
        a second per conversation. Limits of different `per` all apply together: a call gets
        through only when each has a token for it, and then spends one of each. Setting a
        method's limit again for the same `per` replaces it.

        A call over a limit gets HTTP 429 with a whole-second Retry-After, as Slack answers.
        """
        contract = method_contract(method)
        if contract is None:
            raise ValueError(f"{method} is not a Slack Web API method")
        if per not in get_args(RateScope):
            raise ValueError(f"per must be one of {get_args(RateScope)}, got {per!r}")
        if per == "channel" and "channel" not in contract.get("types", {}):
            raise ValueError(f"{method} takes no channel argument")
        with self._lock:
            self._limits.setdefault(method, {})[per] = _RateLimit(per, per_second, burst)

    def slow_down(self, seconds: float, method: str | None = None) -> None:
        """Answer each call of a method (None: of every method) `seconds` late, as Slack's
        round trip takes time.

        The call takes effect and is recorded when it arrives; only its answer waits, on the
        call's own thread, so other calls are answered meanwhile (a stop answers it at once).
        A method's own delay, 0 included, overrides the one for every method.
        """
        if method is not None and method_contract(method) is None:
            raise ValueError(f"{method} is not a Slack Web API method")
        if seconds < 0:
            raise ValueError("a delay cannot be negative")
        with self._lock:
            self._delays[method] = seconds

    def _delay(self, method: str) -> float:
        """How long the answer to a call of this method waits (under the lock)."""
        return self._delays.get(method, self._delays.get(None, 0.0))

    def _over_limit(self, method: str, args: Json, now: float) -> _Fault | None:
        """A 429 fault when one of the method's limits has no token for this call; otherwise
        spend one token of each (under the lock, with `current_token` set)."""
        limits = self._limits.get(method)
        if not limits:
            return None
        team = self._workspace.identity(self._workspace.current_token).team_id
        channel = str(args.get("channel") or "")
        if channel[:1] in ("U", "W"):
            channel = self._workspace.dm_channel_for(channel)
        keys = {"app": (), "workspace": (team,), "channel": (team, channel)}
        buckets = [(limit, limit.bucket(keys[limit.per], now)) for limit in limits.values()]
        waits = [limit.wait(bucket) for limit, bucket in buckets if bucket.tokens < 1]
        if waits:
            return _Fault("ratelimited", 429, max(waits))
        for _limit, bucket in buckets:
            bucket.tokens -= 1
        return None

    def _queue(self, faults: dict[str, deque[_Fault]], method: str, fault: _Fault, n: int) -> None:
        """Queue a fault n times for a known method."""
        if method_contract(method) is None:
            raise ValueError(f"{method} is not a Slack Web API method")
        with self._lock:
            faults.setdefault(method, deque()).extend(copy.copy(fault) for _ in range(n))


def _take(faults: dict[str, deque[_Fault]], method: str) -> _Fault | None:
    """Pop the next queued fault of a method, if any."""
    queue = faults.get(method)
    return queue.popleft() if queue else None
