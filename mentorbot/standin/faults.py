"""Injected failures: calls that fail, are answered late or not at all, and rate limits."""

from __future__ import annotations

import copy
import math
import threading
import time
from collections import deque
from dataclasses import dataclass

from mentorbot.standin.contract import method_contract
from mentorbot.standin.state import StandinState

_STATUS_ERRORS = {429: "ratelimited", 500: "internal_error", 503: "service_unavailable"}


@dataclass
class _Fault:
    """One injected failure."""

    error: str
    status: int
    retry_after: int | None = None
    drop: bool = False


@dataclass
class _RateLimit:
    """A token bucket: `per_second` calls on average, bursts of up to `burst`."""

    per_second: float
    burst: int
    tokens: float
    last: float

    def take(self, now: float) -> _Fault | None:
        """Spend one token, or a 429 fault saying in whole seconds when one will be there."""
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.per_second)
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        wait = max(1, math.ceil((1 - self.tokens) / self.per_second))
        return _Fault("ratelimited", 429, wait)


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

    def rate_limit(self, method: str, *, per_second: float, burst: int = 1) -> None:
        """Allow a method `per_second` calls on average, in bursts of up to `burst`.

        A call over the limit gets HTTP 429 with a whole-second Retry-After, as Slack answers.
        """
        if method_contract(method) is None:
            raise ValueError(f"{method} is not a Slack Web API method")
        with self._lock:
            self._limits[method] = _RateLimit(per_second, burst, burst, time.monotonic())

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
