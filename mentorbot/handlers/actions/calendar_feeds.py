"""The App Home's *Add to my calendar*: a modal with the person's calendar link."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.rendering import render_json, render_text
from mentorbot.bot.services.calendar_feeds import feed_link
from mentorbot.bot.settings import Settings
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.modals import open_modal


def register(app: App) -> None:
    """Attach the button's listener."""
    app.action("calendar_feed_open")(open_link)


def open_link(
    ack: Ack,
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
    settings: Settings,
    actor: Actor,
) -> None:
    """Show the presser their calendar link (made on first use)."""
    ack()
    link = feed_link(session, settings, team_id=actor.team_id, user_id=actor.user_id, now=actor.now)
    text = render_text("calendar_feeds/link.md.j2", link=link, reset=False)
    view = render_json("calendar_feeds/modal.json.j2", text=text)
    open_modal(context, client, str(body.get("trigger_id") or ""), view)
