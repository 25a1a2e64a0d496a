"""`app_home_opened`: show the person their mentoring at a glance."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.pairs import active_pair_of
from mentorbot.handlers.deferred import defer


def register(app: App) -> None:
    """Attach the App Home listener."""
    app.event("app_home_opened")(publish_home)


def publish_home(
    event: dict[str, Any], context: BoltContext, client: WebClient, session: Session
) -> None:
    """Publish the Home tab when its owner opens it (the Messages tab needs nothing)."""
    if event.get("tab", "home") != "home":
        return
    user_id = event["user"]
    pair = active_pair_of(session, team_id=context.team_id or "", user_id=user_id)
    view = render_json("home/home.json.j2", user_id=user_id, pair=pair)
    defer(context, "publish App Home", lambda: client.views_publish(user_id=user_id, view=view))
