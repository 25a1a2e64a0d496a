"""Goal buttons: open the goals form, take back a goal just added, mark one done or drop it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.rendering import render_text
from mentorbot.bot.services import goals
from mentorbot.bot.services.checkins import pair_of_member
from mentorbot.bot.usertext import is_whole_number
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.deferred import defer, replace_message
from mentorbot.handlers.events.home import refresh_home
from mentorbot.handlers.modals import button_number, pair_modal
from mentorbot.handlers.views.goals import goals_modal


def register(app: App) -> None:
    """Attach the goal buttons."""
    app.action("goal_add_open")(open_goals)
    app.action("goal_undo")(undo_goal)
    app.action("goal_change")(change_goal)
    app.action("goal_done")(change_goal)
    app.action("goal_drop")(change_goal)


open_goals = pair_modal(lambda session, pair, user_id: goals_modal(session, pair))


def undo_goal(
    ack: Ack, action: dict[str, Any], context: BoltContext, session: Session, actor: Actor
) -> None:
    """Take back a goal just added (say, a check-in that began with the word "goal")."""
    ack()
    goals.remove_goal(
        session, team_id=actor.team_id, goal_id=button_number(action), user_id=actor.user_id
    )
    text = render_text("goals/removed.md.j2")
    replace_message(context, "confirm a removed goal", text=text)


def change_goal(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
    actor: Actor,
    now: datetime,
) -> None:
    """Done or drop: from the goals list (an overflow menu) or a due-date reminder."""
    ack()
    if action.get("action_id") == "goal_change":
        how, _, number = str((action.get("selected_option") or {}).get("value") or "").partition(
            ":"
        )
    else:
        how, number = action["action_id"].removeprefix("goal_"), str(action.get("value") or "")
    if how not in goals.STATUSES or not is_whole_number(number):
        raise BadInput("goals/stale_button")
    goal = goals.finish_goal(
        session, team_id=actor.team_id, goal_id=int(number), user_id=actor.user_id, how=how, now=now
    )
    session.flush()
    view = body.get("view") or {}
    if view.get("type") == "home":
        refresh_home(context, client, session, actor)
    elif view.get("type") == "modal":
        pair = pair_of_member(
            session, team_id=actor.team_id, pair_id=goal.pair_id, user_id=actor.user_id
        )
        fresh = goals_modal(session, pair)
        view_id, digest = view.get("id"), view.get("hash")
        defer(
            context,
            "refresh the goals modal",
            lambda: client.views_update(view_id=view_id, hash=digest, view=fresh),
        )
    else:
        text = render_text("goals/finished.md.j2", goal=goal)
        replace_message(context, "confirm a goal", text=text)
