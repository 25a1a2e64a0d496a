"""Buttons of the mentoring rhythm: check in, undo, goals, pause and resume, move a meeting.

They sit on prompts, nudges, confirmations and the App Home. A button from the App Home
refreshes it; one in a message answers in place.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.rendering import render_json, render_text
from mentorbot.bot.services import goals, pauses
from mentorbot.bot.services.checkins import checkin_view, pair_of_member, undo_checkin
from mentorbot.bot.services.home import home_view
from mentorbot.bot.services.meetings import move_view
from mentorbot.bot.services.members import is_coordinator
from mentorbot.bot.settings import Settings
from mentorbot.bot.usertext import is_whole_number
from mentorbot.handlers.deferred import defer
from mentorbot.handlers.modals import ModalListener, button_number, modal_opener


def register(app: App) -> None:
    """Attach the rhythm's button listeners."""
    app.action("checkin_open")(open_checkin)
    app.action("checkin_undo")(undo)
    app.action("goal_add_open")(open_goals)
    app.action("goal_undo")(undo_goal)
    app.action("goal_change")(change_goal)
    app.action("goal_done")(change_goal)
    app.action("goal_drop")(change_goal)
    app.action("pause_open")(open_pause)
    app.action("pause_resume")(resume)
    app.action("meeting_move_open")(open_move)


def _pair_modal(build: Callable[..., Any]) -> ModalListener:
    """A listener that opens the modal `build(session, pair=…, user_id=…)` for the button's pair."""

    def view(session: Session, context: BoltContext, action: dict[str, Any]) -> Any:
        user_id = context.user_id or ""
        pair = pair_of_member(
            session, team_id=context.team_id or "", pair_id=button_number(action), user_id=user_id
        )
        return build(session, pair=pair, user_id=user_id)

    return modal_opener(view)


open_checkin = _pair_modal(checkin_view)
open_move = _pair_modal(move_view)
open_goals = _pair_modal(lambda session, pair, user_id: goals.goals_view(session, pair))
open_pause = _pair_modal(
    lambda session, pair, user_id: render_json(
        "rhythm/pause_modal.json.j2", pair=pair, user_id=user_id
    )
)


def undo(
    ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond, session: Session
) -> None:
    """Remove the check-in just recorded."""
    ack()
    undo_checkin(
        session,
        team_id=context.team_id or "",
        checkin_id=button_number(action),
        user_id=context.user_id or "",
    )
    text = render_text("checkin/undone.md.j2")
    defer(context, "confirm an undo", lambda: respond(text=text, replace_original=True))


def undo_goal(
    ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond, session: Session
) -> None:
    """Take back a goal just added (say, a check-in that began with the word "goal")."""
    ack()
    goals.remove_goal(
        session,
        team_id=context.team_id or "",
        goal_id=button_number(action),
        user_id=context.user_id or "",
    )
    text = render_text("goals/removed.md.j2")
    defer(context, "confirm a removed goal", lambda: respond(text=text, replace_original=True))


def change_goal(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
    session: Session,
    settings: Settings,
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
        raise BadInput("that button is out of date; type `/checkin goals` to see your goals.")
    goal = goals.finish_goal(
        session,
        team_id=context.team_id or "",
        goal_id=int(number),
        user_id=context.user_id or "",
        how=how,
        now=now,
    )
    session.flush()
    view = body.get("view") or {}
    if view.get("type") == "home":
        _refresh_home(context, client, session, settings)
    elif view.get("type") == "modal":
        pair = pair_of_member(
            session,
            team_id=context.team_id or "",
            pair_id=goal.pair_id,
            user_id=context.user_id or "",
        )
        fresh = goals.goals_view(session, pair)
        view_id, digest = view.get("id"), view.get("hash")
        defer(
            context,
            "refresh the goals modal",
            lambda: client.views_update(view_id=view_id, hash=digest, view=fresh),
        )
    else:
        text = render_text("goals/finished.md.j2", goal=goal)
        defer(context, "confirm a goal", lambda: respond(text=text, replace_original=True))


def resume(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
    session: Session,
    settings: Settings,
    now: datetime,
) -> None:
    """The App Home's Resume button."""
    ack()
    pauses.resume(
        session,
        team_id=context.team_id or "",
        user_id=context.user_id or "",
        now=now,
        pair_id=button_number(action),
    )
    _refresh_home(context, client, session, settings)


def _refresh_home(
    context: BoltContext, client: WebClient, session: Session, settings: Settings
) -> None:
    team_id, user_id = context.team_id or "", context.user_id or ""
    coordinator = is_coordinator(
        session, team_id=team_id, user_id=user_id, configured=settings.coordinators
    )
    view = home_view(session, team_id=team_id, user_id=user_id, coordinator=coordinator)
    defer(context, "refresh App Home", lambda: client.views_publish(user_id=user_id, view=view))
