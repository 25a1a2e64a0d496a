"""Request middleware: Slack retry deduplication, in the request's own session; who is asking;
and the guard of coordinator-only listeners."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from sqlalchemy.exc import SQLAlchemyError

from mentorbot.bot.errors import NotAllowed
from mentorbot.bot.services.events import claim_event
from mentorbot.bot.settings import Settings
from mentorbot.handlers.actor import Actor

log = logging.getLogger(__name__)


def register(app: App) -> None:
    """Install the retry-deduplication middleware on `app`, then the one that names the actor."""
    app.middleware(skip_handled_events)
    app.middleware(resolve_actor)


def skip_handled_events(
    context: BoltContext, body: dict[str, Any], next: Callable[[], None]
) -> BoltResponse | None:
    """Answer a retried event_id that was already handled without handling it again."""
    event_id = body.get("event_id")
    if body.get("type") != "event_callback" or not event_id:
        next()
        return None
    team_id = context.team_id or body.get("team_id") or ""
    try:
        first = claim_event(
            context["session"], team_id=team_id, event_id=str(event_id), now=context["now"]
        )
    except SQLAlchemyError:
        log.exception("database unavailable; asking Slack to retry event %s later", event_id)
        context["failed"] = True
        return BoltResponse(status=503, body="")
    if not first:
        log.info("event %s already handled; Slack's retry ignored", event_id)
        return BoltResponse(status=200, body="")
    next()
    return None


def resolve_actor(context: BoltContext, next: Callable[[], None]) -> None:
    """Put who is asking in the context as `actor`: listeners and their middleware take it by
    name. Nothing is read here; what costs a query is read when first asked for."""
    settings: Settings = context["settings"]
    context["actor"] = Actor(
        team_id=context.team_id or "",
        user_id=context.user_id or "",
        now=context["now"],
        session=context["session"],
        client=context.client,
        configured=frozenset(settings.coordinators),
    )
    next()


Guard = Callable[[Actor, Callable[[], None]], None]


def only_coordinators(refusal: str) -> Guard:
    """Listener middleware (`middleware=[...]`) that lets coordinators through and refuses
    anyone else with NotAllowed(`refusal`): the error handler answers, and nothing runs."""

    def guard(actor: Actor, next: Callable[[], None]) -> None:
        if not actor.coordinates:
            raise NotAllowed(refusal)
        next()

    return guard


# `/mentoring` and the buttons and forms of its messages.
coordinators_only = only_coordinators("coordinators/not_a_coordinator")
