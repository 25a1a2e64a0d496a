"""The load generator (runs in a second process): an open-loop schedule of signed `/checkin`
requests, and what happened to each."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from common import TEAM
from servers import SECRET

from mentorbot.standin import SignedSlackClient

ACK_DEADLINE = 3.0  # Slack shows the person an error when the answer takes longer


@dataclass(frozen=True)
class Planned:
    """One request of the schedule: when (seconds after the start), who, what."""

    at: float
    user_id: str
    text: str
    trigger_id: str


@dataclass(frozen=True)
class Outcome:
    """What happened to one request."""

    modal: bool
    seconds: float  # from sending to the end of the answer
    lag: float  # how late it was sent after its scheduled time
    status: int  # 0: no answer (refused, reset, timed out)
    expected: bool  # the answer is the acknowledgement this request should get

    @property
    def error(self) -> bool:
        return not (200 <= self.status < 300) or self.seconds > ACK_DEADLINE or not self.expected


def plan(rate: float, seconds: float, senders: list[str], triggers: Iterator[str]) -> list[Planned]:
    """`rate` requests a second for `seconds`, alternately `/checkin` and `/checkin <text>`."""
    return [
        Planned(
            at=i / rate,
            user_id=senders[i % len(senders)],
            text="" if i % 2 == 0 else f"Good session number {i}, we planned the next steps",
            trigger_id=next(triggers),
        )
        for i in range(round(rate * seconds))
    ]


def expected_answer(bare: bool, planned: Planned, status: int, body: str) -> bool:
    """mentorbot acks `/checkin` with an empty body (the modal follows) and `/checkin <text>`
    with the check-in's confirmation and its Undo button; the bare app always with nothing."""
    if status != 200:
        return False
    if bare or not planned.text:
        return body == ""
    return '"checkin_undo"' in body and '"ephemeral"' in body


def generate(base: str, schedule: list[Planned], bare: bool, threads: int) -> list[Outcome]:
    """Send the schedule to `base` open-loop and return one outcome per request, in order."""
    client = SignedSlackClient(
        f"{base}/slack/events", SECRET, team_id=TEAM, timeout=ACK_DEADLINE * 3
    )
    outcomes: list[Outcome | None] = [None] * len(schedule)

    def send(index: int, due: float) -> None:
        planned = schedule[index]
        started = time.perf_counter()
        status, body = 0, ""
        try:
            answer = client.command(
                "/checkin", planned.text, planned.user_id, trigger_id=planned.trigger_id
            )
            status, body = answer.status, answer.body
        except OSError:  # refused, reset or timed out: no acknowledgement
            pass
        outcomes[index] = Outcome(
            modal=not planned.text,
            seconds=time.perf_counter() - started,
            lag=started - due,
            status=status,
            expected=expected_answer(bare, planned, status, body),
        )

    with ThreadPoolExecutor(max_workers=threads) as pool:
        start = time.perf_counter() + 0.2
        for index, planned in enumerate(schedule):
            due = start + planned.at
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)  # keeping to the schedule, not timing a result
            pool.submit(send, index, due)
    return [outcome for outcome in outcomes if outcome is not None]
