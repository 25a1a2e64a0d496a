"""Catch-alls, registered last: every request Slack sends gets a 2xx, even with no listener.

Bolt answers 404 when no listener matches; Slack then shows the person an error, and for
events it retries and may switch the subscription off. Here an unknown interaction is
acknowledged and logged, so an old button or a new event type never looks like an outage.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App

from mentorbot.bot.rendering import render_text

log = logging.getLogger(__name__)
ANYTHING = re.compile(".*")


def register(app: App) -> None:
    """Attach the catch-all listeners; call after every other listener is registered."""
    app.event(ANYTHING)(ignore_event)
    app.command(ANYTHING)(unknown_command)
    app.action(ANYTHING)(acknowledge)
    app.view(ANYTHING)(acknowledge)
    app.view_closed(ANYTHING)(acknowledge)
    app.shortcut(ANYTHING)(acknowledge)
    app.options(ANYTHING)(no_options)


def ignore_event(event: dict[str, Any]) -> None:
    """An event nobody listens for: acknowledged (automatically) and otherwise ignored."""
    log.debug("ignored event of type %s", event.get("type"))


def unknown_command(ack: Ack, command: dict[str, Any]) -> None:
    """A slash command this version does not know (e.g. left in an old app manifest)."""
    log.warning("unknown slash command %s", command.get("command"))
    ack(
        response_type="ephemeral",
        text=render_text("errors/unknown_command.md.j2", command=command.get("command", "")),
    )


def acknowledge(ack: Ack, body: dict[str, Any]) -> None:
    """An interaction with no listener, e.g. a button on an old message: acknowledged, logged."""
    log.warning("no listener for %s %s", body.get("type"), _identifier(body))
    ack()


def no_options(ack: Ack) -> None:
    """An options request with no listener: an empty list rather than an error."""
    ack(options=[])


def _identifier(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    return str(
        actions[0].get("action_id")
        or (body.get("view") or {}).get("callback_id")
        or body.get("callback_id")
        or ""
    )
