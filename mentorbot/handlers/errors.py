"""The one error handler: domain errors become polite replies; the rest is logged with context."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from sqlalchemy.exc import InterfaceError, OperationalError

from mentorbot.bot.errors import InvalidForm, MentorbotError
from mentorbot.bot.rendering import render_json, render_text
from mentorbot.handlers.deferred import defer, replace_deferred
from mentorbot.handlers.modals import open_modal

log = logging.getLogger(__name__)


def register(app: App) -> None:
    """Install the error handler on `app`."""

    @app.error
    def handle_error(error: Exception, body: dict[str, Any], context: BoltContext) -> BoltResponse:
        context["failed"] = True  # the request's unit of work rolls back
        replace_deferred(context)  # nothing the failed work meant to say is said
        if isinstance(error, InvalidForm) and body.get("type") == "view_submission":
            reply = {"response_action": "errors", "errors": {error.field: str(error)}}
            return BoltResponse(
                status=200, body=json.dumps(reply), headers={"content-type": "application/json"}
            )
        if isinstance(error, MentorbotError):
            text = error.text()
        elif isinstance(error, OperationalError | InterfaceError):
            log.warning("database unavailable while handling %s: %s", _kind(body), error)
            if body.get("type") == "event_callback":
                return BoltResponse(status=503, body="")  # Slack retries the event later
            text = render_text("errors/database_down.md.j2")
        else:
            reference = uuid.uuid4().hex[:8]
            log.error(
                "unexpected error (reference %s) team=%s user=%s kind=%s command=%s",
                reference,
                context.team_id,
                context.user_id,
                _kind(body),
                body.get("command"),
                exc_info=error,
            )
            text = render_text("errors/unexpected.md.j2", reference=reference)
        event = body.get("event") or {}
        if body.get("type") == "event_callback" and event.get("channel_type") == "im":
            # A DM has no acknowledgement to carry words: answer in its thread instead.
            say, ts = context.say, event.get("ts")
            defer(context, "answer a DM after an error", lambda: say(text=text, thread_ts=ts))
        if body.get("type") == "block_actions":
            _answer_button(context, body, text)
        return reply_for(body, text)


def _answer_button(context: BoltContext, body: dict[str, Any], text: str) -> None:
    """A button has no reply of its own: the words go to the person only, under the message
    pressed, or in a small modal for an App Home button (it has no message to answer in)."""
    respond = context.respond
    if context.response_url and respond is not None:
        defer(
            context,
            "answer a button after an error",
            lambda: respond(text=text, response_type="ephemeral", replace_original=False),
        )
    elif (body.get("view") or {}).get("type") != "modal":
        modal = render_json("errors/modal.json.j2", text=text)
        open_modal(context, context.client, str(body.get("trigger_id") or ""), modal)


def _kind(body: dict[str, Any]) -> str:
    return str(body.get("type") or ("slash_command" if "command" in body else "unknown"))


def reply_for(body: dict[str, Any], text: str) -> BoltResponse:
    """The acknowledgement that carries `text` back to the person, for each kind of request."""
    if "command" in body:
        reply = {"response_type": "ephemeral", "text": text}
        return BoltResponse(
            status=200, body=json.dumps(reply), headers={"content-type": "application/json"}
        )
    if body.get("type") == "view_submission":
        reply = {"response_action": "push", "view": render_json("errors/modal.json.j2", text=text)}
        return BoltResponse(
            status=200, body=json.dumps(reply), headers={"content-type": "application/json"}
        )
    return BoltResponse(status=200, body="")
