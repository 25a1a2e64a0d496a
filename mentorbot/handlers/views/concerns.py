"""The concern modals, built and submitted: a concern raised, and a coordinator's reply to
one; and a handled concern shown wherever coordinators saw it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.models import Concern
from mentorbot.bot.rendering import render_json, render_text
from mentorbot.bot.services import concerns
from mentorbot.bot.usertext import is_whole_number
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.deferred import show_everywhere
from mentorbot.handlers.forms import field
from mentorbot.handlers.modals import finish_modal


def register(app: App) -> None:
    """Attach the concern form listeners."""
    app.view("concern")(submit_concern)
    app.view("concern_reply")(submit_reply)


def concern_modal(
    session: Session, *, team_id: str, user_id: str, pair_id: int | None = None, text: str = ""
) -> Any:
    """The concern modal: the text (prefilled) and, for someone in a pair, which pair."""
    form = concerns.concern_form(
        session, team_id=team_id, user_id=user_id, pair_id=pair_id, text=text
    )
    return render_json(
        "concerns/modal.json.j2", **vars(form), no_pair=concerns.NO_PAIR, max_text=concerns.MAX_TEXT
    )


def reply_modal(session: Session, concern: Concern) -> Any:
    """The modal a coordinator writes their reply in."""
    return render_json(
        "concerns/reply_modal.json.j2",
        concern=concern,
        raiser_name=concerns.raiser_name(session, concern),
        max_text=concerns.MAX_TEXT,
    )


def submit_concern(
    ack: Ack, view: dict[str, Any], session: Session, actor: Actor, now: datetime
) -> None:
    """Store the concern, send it to coordinators, and acknowledge it in the modal."""
    raised = concerns.raise_concern(
        session,
        team_id=actor.team_id,
        user_id=actor.user_id,
        pair_choice=field(view, "pair"),
        pair_asked=view.get("private_metadata") == "pick",
        text=field(view, "text") or "",
        now=now,
    )
    text = render_text(
        "concerns/raised.md.j2",
        concern=raised.concern,
        pair=raised.pair,
        coordinators=raised.coordinators,
    )
    finish_modal(ack, "concerns/done.json.j2", text=text)


def submit_reply(
    ack: Ack,
    view: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
    actor: Actor,
    now: datetime,
) -> None:
    """Send the coordinator's reply to the person who raised the concern."""
    concern_id = str(view.get("private_metadata") or "")
    if not is_whole_number(concern_id):
        raise BadInput("concerns/stale_form")
    handled = concerns.handle_concern(
        session,
        team_id=actor.team_id,
        concern_id=int(concern_id),
        by=actor.user_id,
        how="replied",
        reply=field(view, "reply"),
        coordinator=actor.coordinates,
        now=now,
    )
    show_handled(context, client, None, handled, actor.user_id)
    text = render_text("concerns/replied.md.j2", concern=handled.concern, now=handled.now)
    finish_modal(ack, "concerns/reply_done.json.j2", text=text)


def show_handled(
    context: BoltContext,
    client: WebClient,
    respond: Respond | None,
    handled: concerns.Handled,
    presser: str,
) -> None:
    """Show the concern as handled: in the message pressed (`respond`), and in every
    coordinator's DM about it (the presser's too, when there is no message to answer)."""
    show_everywhere(context, client, respond, handled.message, handled.copies, presser)
