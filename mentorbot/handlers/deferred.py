"""Slack calls a listener wants made once the request's transaction is over.

A listener's writes are committed before it talks to Slack: a Slack hiccup then cannot undo a
check-in, and (on SQLite) the database is not locked while Slack answers. The calls are made
on the runtime's follow-up threads once Slack has its answer (`Runtime.follow_up`), so a slow
Web API never delays the acknowledgement Slack waits three seconds for.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext

from mentorbot.bot.outbox import Copy

log = logging.getLogger(__name__)
KEY = "deferred_slack_calls"


def defer(context: BoltContext, what: str, call: Callable[[], Any]) -> None:
    """Make `call` after the request's transaction has ended; `what` names it in logs."""
    context.setdefault(KEY, []).append((what, call))


def replace_message(context: BoltContext, what: str, **message: Any) -> None:
    """Show `message` in place of the one whose button was pressed (through its response_url),
    after the request's transaction; `what` names it in logs."""
    respond = context.respond
    if context.response_url and respond is not None:  # (an App Home button has no message)
        defer(context, what, lambda: respond(replace_original=True, **message))


def show_everywhere(
    context: BoltContext,
    client: Any,
    respond: Any,
    message: Any,
    copies: list[Copy],
    presser: str,
) -> None:
    """Show `message` in the message pressed (`respond`, None when there is none to answer)
    and each sent copy `(user, channel, ts, how it reads now)` as it reads now in its
    reader's language (the presser's too, without `respond`): one decision seen alike by
    everyone who was sent it."""
    if respond is not None:
        defer(context, "show a decision", lambda: respond(replace_original=True, **message))
    for user_id, channel, ts, shown in copies:
        if respond is not None and user_id == presser:
            continue
        defer(context, "update a copy of a message", _update(client, channel, ts, shown))


def _update(client: Any, channel: str, ts: str, message: Any) -> Callable[[], Any]:
    return lambda: client.chat_update(channel=channel, ts=ts, **message)


def replace_deferred(context: BoltContext) -> None:
    """Forget the calls deferred so far (their work was rolled back)."""
    context[KEY] = []


def has_deferred(context: BoltContext) -> bool:
    """Whether the request left Slack calls to make."""
    return bool(context.get(KEY))


def run_deferred(context: BoltContext) -> None:
    """Make the deferred calls in order; a failing one is logged and the rest still run."""
    for what, call in context.get(KEY, []):
        try:
            call()
        except Exception:
            log.warning("could not %s", what, exc_info=True)


def after_response(context: BoltContext, what: str, call: Callable[[], Any]) -> None:
    """Make `call` on the runtime's background threads once the request is answered.

    For slow Slack work a person asked for (uploading a file): Slack's answer does not
    wait for it. A failure is logged; `call` tells the person itself when it can.
    """
    runtime = context["runtime"]
    defer(context, what, lambda: runtime.run_in_background(what, call))
