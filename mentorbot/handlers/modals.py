"""Opening modals and showing a finished form, shared by commands and buttons."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from mentorbot.bot.rendering import render_json
from mentorbot.handlers.deferred import defer


def open_modal(context: BoltContext, client: WebClient, trigger_id: str, view: Any) -> None:
    """Open a modal once the request's transaction is over."""
    defer(context, "open a modal", lambda: client.views_open(trigger_id=trigger_id, view=view))


def finish_modal(ack: Ack, title: str, blocks: list[Any]) -> None:
    """Answer a submission by turning the modal into a confirmation."""
    ack(
        response_action="update", view=render_json("done_modal.json.j2", title=title, blocks=blocks)
    )


def text_blocks(text: str) -> list[dict[str, Any]]:
    """One mrkdwn section holding `text`."""
    return [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
