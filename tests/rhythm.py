"""Shared set-up for the mentoring-rhythm tests: a pair with an agreement, forms, a clock."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory, StepTickTimeFactory, TickingDateTimeFactory
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.models import OutboundMessage, Pair
from mentorbot.bot.tick import run_tick
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.programme import ANA, BEN, create_spring, mention, mentoring

Clock = FrozenDateTimeFactory | StepTickTimeFactory | TickingDateTimeFactory


def opened(standin: SlackStandin) -> dict[str, Any]:
    """The modal opened last."""
    view = standin.calls_to("views.open")[-1].args["view"]
    return dict(json.loads(view) if isinstance(view, str) else view)


def form(**fields: Any) -> dict[str, Any]:
    """Slack's `view.state.values` for a modal: plain strings are text inputs; a dict is used
    as the element state as it is."""
    values: dict[str, Any] = {}
    for block, value in fields.items():
        if isinstance(value, dict):
            values[block] = {"value": value}
        else:
            values[block] = {"value": {"type": "plain_text_input", "value": value}}
    return values


def chosen(value: str) -> dict[str, Any]:
    """A static select's state."""
    return {"type": "static_select", "selected_option": {"value": value}}


def ticked(*values: str) -> dict[str, Any]:
    """A checkboxes element's state."""
    return {"type": "checkboxes", "selected_options": [{"value": v} for v in values]}


def picked_date(day: str) -> dict[str, Any]:
    return {"type": "datepicker", "selected_date": day}


def picked_time(at: str) -> dict[str, Any]:
    return {"type": "timepicker", "selected_time": at}


def pair_ana_and_ben(slack: SignedSlackClient, starts: str) -> None:
    """Spring starts on `starts`; Ana (Tokyo) mentors Ben (New York)."""
    create_spring(slack, f"starts {starts} cadence weekly")
    reply = mentoring(slack, f"pair {mention(ANA)} {mention(BEN)}")
    assert "paired" in reply.lower() or "mentors" in reply, reply


def agree(slack: SignedSlackClient, pair_id: int, *, weekday: str, at: str, cadence: str) -> None:
    """Ben submits the agreement modal, ticking “That time is fine for both of us”: Tokyo and
    New York share no working hours, and these tests are about the rhythm that follows."""
    agree_as(slack, BEN, pair_id, weekday=weekday, at=at, cadence=cadence)


def agree_as(
    slack: SignedSlackClient, user_id: str, pair_id: int, *, weekday: str, at: str, cadence: str
) -> None:
    """`user_id` submits the agreement modal (its time ticked as fine for both)."""
    values = form(
        cadence=chosen(cadence),
        weekday=chosen(weekday),
        time=picked_time(at),
        place=chosen("video"),
        goal="Ship the search feature",
        outside_hours_ok=ticked("ok"),
    )
    answer = slack.view_submission(user_id, "agreement", values, str(pair_id)).json()
    assert answer["response_action"] == "update", answer


def the_pair(sessions: sessionmaker[Session]) -> Pair:
    with sessions() as session:
        return session.scalars(select(Pair).where(Pair.mentee_id == BEN)).one()


def run_until(
    runtime: Runtime, clock: Clock, start: datetime, end: datetime, step: timedelta
) -> datetime:
    """Tick every `step` from after `start` to `end`, with the wall clock following along."""
    moment = start
    while moment < end:
        moment = min(moment + step, end)
        clock.move_to(moment)
        run_tick(
            runtime.sessions,
            runtime.client,
            moment,
            retention_days=runtime.settings.retention_days,
            language=runtime.settings.language,
        )
    return moment


@dataclass(frozen=True)
class Sent:
    """A message the bot delivered: its kind (the dedupe key's first part), reader, moment."""

    kind: str
    to: str
    at: datetime
    text: str


def sent(sessions: sessionmaker[Session], kind: str | None = None) -> list[Sent]:
    """Delivered messages, oldest first (optionally one kind: prompt, prep, nudge, …)."""
    with sessions() as session:
        rows = session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.status == "sent")
            .order_by(OutboundMessage.sent_at, OutboundMessage.id)
        ).all()
    found = [
        Sent(row.dedupe_key.split(":")[0], row.target_id, row.sent_at, json.dumps(row.payload))
        for row in rows
        if row.sent_at is not None
    ]
    return [s for s in found if kind is None or s.kind == kind]
