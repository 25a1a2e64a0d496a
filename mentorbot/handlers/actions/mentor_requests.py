"""Mentor request buttons: *Ask <name>* (the request modal), the mentor's *Accept*, *Not
now* and *Suggest someone*, and a coordinator's *Confirm the pair* or *Not this time*."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services import mentor_requests
from mentorbot.bot.usertext import is_whole_number
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.deferred import defer
from mentorbot.handlers.events.home import refresh_home
from mentorbot.handlers.modals import button_number, open_modal
from mentorbot.handlers.views.mentor_requests import show_answered

STALE = "mentor_requests/stale_button"


def register(app: App) -> None:
    """Attach the listeners."""
    app.action("mentor_request_open")(open_request)
    app.action("mentor_request_accept")(accept)
    app.action("mentor_request_decline")(open_answer)
    app.action("mentor_request_suggest")(open_answer)
    app.action("mentor_request_confirm")(decide)
    app.action("mentor_request_refuse")(decide)


def open_request(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
    actor: Actor,
    now: datetime,
) -> None:
    """*Ask <name>* (`<cohort id>:<mentor id>`): the request modal, over the directory's
    modal when pressed in one."""
    ack()
    cohort_id, _, mentor_id = str(action.get("value") or "").partition(":")
    if not is_whole_number(cohort_id) or not mentor_id:
        raise BadInput(STALE)
    view = mentor_requests.request_form(
        session,
        team_id=actor.team_id,
        mentee_id=actor.user_id,
        cohort_id=int(cohort_id),
        mentor_id=mentor_id,
        now=now,
    )
    trigger = str(body.get("trigger_id") or "")
    if (body.get("view") or {}).get("type") == "modal":
        defer(context, "push a modal", lambda: client.views_push(trigger_id=trigger, view=view))
    else:
        open_modal(context, client, trigger, view)


def accept(
    ack: Ack,
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
    session: Session,
    actor: Actor,
    now: datetime,
) -> None:
    """The mentor's *Accept*: the pair is made (or goes to a coordinator to confirm)."""
    ack()
    answered = mentor_requests.accept_request(
        session,
        team_id=actor.team_id,
        request_id=button_number(action, STALE),
        by=actor.user_id,
        now=now,
    )
    show_answered(context, client, respond, answered, actor.user_id)


def open_answer(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
    session: Session,
    actor: Actor,
    now: datetime,
) -> None:
    """*Not now* or *Suggest someone*: its modal, while the request still waits."""
    ack()
    request = mentor_requests.mentors_request(
        session,
        team_id=actor.team_id,
        request_id=button_number(action, STALE),
        user_id=actor.user_id,
    )
    if request.status != "waiting":
        message = mentor_requests.request_message(session, request)
        defer(context, "show a request", lambda: respond(replace_original=True, **message))
        return
    if action.get("action_id") == "mentor_request_suggest":
        mentors = mentor_requests.suggestions(session, request=request, now=now)
        if not mentors:
            raise BadInput("mentor_requests/no_one_to_suggest", mentee=request.mentee_id)
        view = render_json(
            "mentor_requests/suggest_modal.json.j2",
            request=request,
            mentors=mentors,
            max_note=mentor_requests.MAX_NOTE,
        )
    else:
        view = render_json(
            "mentor_requests/decline_modal.json.j2",
            request=request,
            max_note=mentor_requests.MAX_NOTE,
        )
    open_modal(context, client, str(body.get("trigger_id") or ""), view)


def decide(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
    session: Session,
    actor: Actor,
    now: datetime,
) -> None:
    """A coordinator's *Confirm the pair* or *Not this time*, once for all coordinators."""
    ack()
    answered = mentor_requests.decide_request(
        session,
        team_id=actor.team_id,
        request_id=button_number(action, STALE),
        by=actor.user_id,
        coordinator=actor.coordinates,
        confirm=action.get("action_id") == "mentor_request_confirm",
        now=now,
    )
    on_home = (body.get("view") or {}).get("type") == "home"
    show_answered(context, client, None if on_home else respond, answered, actor.user_id)
    if on_home:
        session.flush()
        refresh_home(context, client, session, actor)
