"""The mentor request modals submitted: a mentee's request, and a mentor's *Not now* or
*Suggest someone*; and an answered request shown wherever it was seen."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.rendering import render_text
from mentorbot.bot.services import mentor_requests
from mentorbot.bot.usertext import is_whole_number
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.deferred import show_everywhere
from mentorbot.handlers.forms import field
from mentorbot.handlers.modals import finish_modal


def register(app: App) -> None:
    """Attach the request form listeners."""
    app.view("mentor_request")(submit_request)
    app.view("mentor_request_decline")(submit_answer)
    app.view("mentor_request_suggest")(submit_answer)


def submit_request(
    ack: Ack, view: dict[str, Any], session: Session, actor: Actor, now: datetime
) -> None:
    """Store the request, send it to the mentor, and say so in the modal."""
    cohort_id, _, mentor_id = str(view.get("private_metadata") or "").partition(":")
    if not is_whole_number(cohort_id) or not mentor_id:
        raise BadInput("mentor_requests/stale_button")
    request = mentor_requests.ask_mentor(
        session,
        team_id=actor.team_id,
        mentee_id=actor.user_id,
        cohort_id=int(cohort_id),
        mentor_id=mentor_id,
        why=field(view, "why"),
        hope=field(view, "hope"),
        first_goal=field(view, "first_goal"),
        cadence=field(view, "cadence"),
        now=now,
    )
    text = render_text(
        "mentor_requests/sent.md.j2", request=request, days=mentor_requests.ANSWER_WITHIN.days
    )
    finish_modal(ack, "mentor_requests/done.json.j2", text=text)


def submit_answer(
    ack: Ack,
    view: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
    actor: Actor,
    now: datetime,
) -> None:
    """The mentor's *Not now* (an optional note) or suggestion: the mentee hears it, and
    the mentor's DM shows it is answered."""
    request_id = str(view.get("private_metadata") or "")
    if not is_whole_number(request_id):
        raise BadInput("mentor_requests/stale_button")
    suggesting = view.get("callback_id") == "mentor_request_suggest"
    answered = mentor_requests.decline_request(
        session,
        team_id=actor.team_id,
        request_id=int(request_id),
        by=actor.user_id,
        note=field(view, "note"),
        suggested_id=(field(view, "suggested") or "") if suggesting else None,
        now=now,
    )
    show_answered(context, client, None, answered, actor.user_id)
    text = render_text("mentor_requests/answered.md.j2", request=answered.request, now=answered.now)
    finish_modal(ack, "mentor_requests/answered_done.json.j2", text=text)


def show_answered(
    context: BoltContext,
    client: WebClient,
    respond: Respond | None,
    answered: mentor_requests.Answered,
    presser: str,
) -> None:
    """Show the request as it stands: in the message pressed (`respond`), and in every
    sent DM about it (the presser's too, when there is no message to answer)."""
    show_everywhere(context, client, respond, answered.message, answered.copies, presser)
