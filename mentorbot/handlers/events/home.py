"""App Home: show the person their mentoring at a glance when they open it, and again after a
button on it changed something."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.services.home import home_view
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.deferred import defer


def register(app: App) -> None:
    """Attach the App Home listener."""
    app.event("app_home_opened")(publish_home)


def publish_home(
    event: dict[str, Any], context: BoltContext, client: WebClient, session: Session, actor: Actor
) -> None:
    """Publish the Home tab when its owner opens it (the Messages tab needs nothing)."""
    user_id = event.get("user")
    if event.get("tab", "home") != "home" or not user_id or not isinstance(user_id, str):
        return  # the Messages tab needs nothing; without its owner there is no Home to show
    refresh_home(context, client, session, actor)  # (the opener is the event's user)


def refresh_home(context: BoltContext, client: WebClient, session: Session, actor: Actor) -> None:
    """Publish the actor's App Home as of the request's now: when they open it, and again
    after a button on it changed something."""
    user_id = actor.user_id
    view = home_view(
        session,
        team_id=actor.team_id,
        user_id=user_id,
        coordinator=actor.coordinates,
        now=actor.now,
    )
    defer(context, "publish App Home", lambda: client.views_publish(user_id=user_id, view=view))
