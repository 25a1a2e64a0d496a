"""Opening modals and showing a finished form, shared by commands and buttons; which pair a
button or a form is about."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.db import reading
from mentorbot.bot.errors import BadInput
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.checkins import pair_of_member
from mentorbot.bot.usertext import is_whole_number
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.deferred import defer
from mentorbot.handlers.forms import field

# Builds a modal from the button that was pressed: (session, actor, action) -> view.
ModalBuilder = Callable[[Session, Actor, dict[str, Any]], Any]
ModalListener = Callable[
    [Ack, dict[str, Any], dict[str, Any], BoltContext, WebClient, Session, Actor], None
]


def button_number(action: dict[str, Any], stale: str = "modals/stale_button") -> int:
    """The id a button carries in its value; BadInput `stale` (what to do instead) when the
    button is out of date (an old message)."""
    value = str(action.get("value") or "")
    if not is_whole_number(value):
        raise BadInput(stale)
    return int(value)


def modal_opener(build: ModalBuilder) -> ModalListener:
    """A button listener that acknowledges, then opens the modal `build` makes."""

    def listener(
        ack: Ack,
        action: dict[str, Any],
        body: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        session: Session,
        actor: Actor,
    ) -> None:
        ack()
        view = build(session, actor, action)
        open_modal(context, client, str(body.get("trigger_id") or ""), view)

    return listener


def pair_modal(build: Callable[..., Any]) -> ModalListener:
    """A listener that opens the modal `build(session, pair=…, user_id=…)` for the button's pair."""

    def view(session: Session, actor: Actor, action: dict[str, Any]) -> Any:
        pair = pair_of_member(
            session, team_id=actor.team_id, pair_id=button_number(action), user_id=actor.user_id
        )
        return build(session, pair=pair, user_id=actor.user_id)

    return modal_opener(view)


def pair_of_form(view: dict[str, Any], actor: Actor, session: Session) -> Any:
    """The pair the form is about: the one picked (a mentor of several), else the opener's."""
    metadata = field(view, "pair") or str(view.get("private_metadata") or "")
    if not is_whole_number(metadata):
        raise BadInput("modals/stale_form")
    return pair_of_member(
        session, team_id=actor.team_id, pair_id=int(metadata), user_id=actor.user_id
    )


def open_modal(context: BoltContext, client: WebClient, trigger_id: str, view: Any) -> None:
    """Open a modal once the request's transaction is over."""
    defer(context, "open a modal", lambda: client.views_open(trigger_id=trigger_id, view=view))


def open_modal_built(
    context: BoltContext, client: WebClient, trigger_id: str, build: Callable[[Session], Any]
) -> None:
    """Open the modal `build(session)` makes, built once Slack has its answer, in a session
    of its own that only reads: for a view whose reads the answer need not wait for.
    Whatever could refuse the request (no pair, not theirs) is checked before, in it."""
    sessions = context["runtime"].sessions

    def build_and_open() -> None:
        with reading(sessions) as session:
            view = build(session)
        client.views_open(trigger_id=trigger_id, view=view)

    defer(context, "open a modal", build_and_open)


def finish_modal(ack: Ack, template: str, **context: Any) -> None:
    """Answer a submission by turning the modal into a confirmation: the feature's
    `done.json.j2` (its title), given the `text` or the `blocks` to show."""
    ack(response_action="update", view=render_json(template, **context))
