"""App Home: show the person their mentoring at a glance when they open it, and again after a
button on it changed something."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.feedback import MIN_GROUP
from mentorbot.bot.services.home import home_of
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.deferred import defer

# Goals listed per pair (the rest are a `/checkin goals` away); Slack allows 100 blocks.
GOALS_SHOWN = 5
MAX_BLOCKS = 100
# Coordinators' cohort health: cohorts shown (the rest are a `/mentoring status` away), and
# (compact panels, pairs at risk listed per cohort) from the fullest view to the shortest.
HEALTH_COHORTS_SHOWN = 5
HOME_LEVELS = ((False, 5), (True, 5), (True, 2), (True, 0))


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
        calendars=bool(context["runtime"].settings.public_url),
    )
    defer(context, "publish App Home", lambda: client.views_publish(user_id=user_id, view=view))


def home_view(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    coordinator: bool,
    now: datetime,
    calendars: bool = False,
) -> Any:
    """The Home tab for this person, as a Block Kit view; a coordinator's shows cohort
    health as of `now` too. `calendars`: calendar links are on (a public URL is set)."""
    home = home_of(session, team_id=team_id, user_id=user_id, coordinator=coordinator, now=now)
    view = None
    # A mentor of many gets one short panel per pair; then fewer pairs at risk are listed.
    for compact, risks_shown in HOME_LEVELS:
        view = render_json(
            "home/home.json.j2",
            **vars(home),
            compact=compact,
            goals_shown=GOALS_SHOWN,
            min_group=MIN_GROUP,
            cohorts_shown=HEALTH_COHORTS_SHOWN,
            risks_shown=risks_shown,
            calendars=calendars,
        )
        if len(view["blocks"]) <= MAX_BLOCKS:
            break
    return view
