"""The coordinators' App Home *Open the dashboard*: a modal with a one-time sign-in link."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.rendering import render_json, render_text
from mentorbot.bot.services.dashboard_sessions import LINK_VALID, sign_in_link
from mentorbot.bot.settings import Settings
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.middleware import only_coordinators
from mentorbot.handlers.modals import open_modal

coordinators = only_coordinators("dashboard/coordinators_only")


def register(app: App) -> None:
    """Attach the button's listener (coordinators only, whoever holds the view)."""
    app.action("dashboard_open", middleware=[coordinators])(open_link)


def open_link(
    ack: Ack,
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
    settings: Settings,
    actor: Actor,
) -> None:
    """Show the coordinator a new sign-in link, valid 10 minutes and once."""
    ack()
    link = sign_in_link(
        session, settings, team_id=actor.team_id, user_id=actor.user_id, now=actor.now
    )
    minutes = int(LINK_VALID.total_seconds() // 60)
    text = render_text("dashboard/link.md.j2", link=link, minutes=minutes)
    view = render_json("dashboard/modal.json.j2", text=text)
    open_modal(context, client, str(body.get("trigger_id") or ""), view)
