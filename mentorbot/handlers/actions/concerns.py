"""Concern buttons: raise a concern, and the three ways a coordinator handles one
(reply, propose a re-match, end the pair)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.services import concerns
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.deferred import defer
from mentorbot.handlers.modals import button_number, modal_opener, open_modal
from mentorbot.handlers.views.concerns import concern_modal, reply_modal, show_handled


def register(app: App) -> None:
    """Attach the concern buttons."""
    app.action("concern_open")(open_concern)
    app.action("concern_reply")(open_reply)
    app.action("concern_rematch")(handle)
    app.action("concern_end")(handle)


HANDLING = {"concern_rematch": "rematch", "concern_end": "ended"}

# The App Home's "Raise a concern": the concern form, about that pair.
open_concern = modal_opener(
    lambda session, actor, action: concern_modal(
        session,
        team_id=actor.team_id,
        user_id=actor.user_id,
        pair_id=button_number(action, "concerns/stale_button"),
    )
)


def open_reply(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
    session: Session,
    actor: Actor,
) -> None:
    """ "Reply to …": the reply modal, unless someone handled the concern already."""
    ack()
    concern = concerns.concern_to_handle(
        session,
        team_id=actor.team_id,
        concern_id=button_number(action, "concerns/stale_concern_button"),
        user_id=actor.user_id,
        coordinator=actor.coordinates,
    )
    if concern.status != "open":
        message = concerns.concern_message(session, concern)
        defer(
            context, "show who handled a concern", lambda: respond(replace_original=True, **message)
        )
        return
    view = reply_modal(session, concern)
    open_modal(context, client, str(body.get("trigger_id") or ""), view)


def handle(
    ack: Ack,
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
    session: Session,
    actor: Actor,
    now: datetime,
) -> None:
    """Propose a re-match or end the pair; the message then says who handled the concern."""
    ack()
    handled = concerns.handle_concern(
        session,
        team_id=actor.team_id,
        concern_id=button_number(action, "concerns/stale_concern_button"),
        by=actor.user_id,
        how=HANDLING[str(action.get("action_id"))],
        coordinator=actor.coordinates,
        now=now,
    )
    show_handled(context, client, respond, handled, actor.user_id)
