"""The App Home's cohort health buttons: "Nudge" a quiet pair, "Open" a pair's figures.

Only coordinators see them; the listeners check again, since a button press can be forged
or its presser may have stopped being a coordinator. App Home buttons have no message to
answer in, so refusals and problems are shown in a small modal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.errors import MentorbotError, NotAllowed
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.health import nudge_pair, pair_engagement
from mentorbot.bot.services.members import is_coordinator
from mentorbot.bot.services.workspaces import availability_for
from mentorbot.bot.settings import Settings
from mentorbot.handlers.deferred import defer
from mentorbot.handlers.events.home import home_view
from mentorbot.handlers.modals import button_number, open_modal


@dataclass(frozen=True)
class Pressed:
    """A coordinator's press of a cohort health button, about one pair."""

    session: Session
    context: BoltContext
    client: WebClient
    team_id: str
    user_id: str
    pair_id: int
    trigger_id: str
    now: datetime


def register(app: App) -> None:
    """Attach the cohort health buttons."""
    app.action("health_nudge")(coordinators_only(nudge))
    app.action("health_open")(coordinators_only(open_pair))


def coordinators_only(press: Callable[[Pressed], None]) -> Callable[..., None]:
    """A listener that acknowledges, lets only coordinators through, and shows problems."""

    def listener(
        ack: Ack,
        action: dict[str, Any],
        body: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        session: Session,
        settings: Settings,
        now: datetime,
    ) -> None:
        ack()
        team_id, user_id = context.team_id or "", context.user_id or ""
        trigger_id = str(body.get("trigger_id") or "")
        try:
            if not is_coordinator(
                session, team_id=team_id, user_id=user_id, configured=settings.coordinators
            ):
                raise NotAllowed("health/not_a_coordinator")
            pair_id = button_number(action, "health/stale_button")
            press(Pressed(session, context, client, team_id, user_id, pair_id, trigger_id, now))
        except MentorbotError as problem:  # nothing was changed
            text = problem.text()
            open_modal(context, client, trigger_id, render_json("errors/modal.json.j2", text=text))

    return listener


def nudge(pressed: Pressed) -> None:
    """Queue the friendly nudge (once a day per pair), then show the Home with it noted."""
    session, client, user_id = pressed.session, pressed.client, pressed.user_id
    nudge_pair(session, team_id=pressed.team_id, pair_id=pressed.pair_id, now=pressed.now)
    session.flush()
    view = home_view(
        session, team_id=pressed.team_id, user_id=user_id, coordinator=True, now=pressed.now
    )
    defer(
        pressed.context,
        "refresh App Home",
        lambda: client.views_publish(user_id=user_id, view=view),
    )


def open_pair(pressed: Pressed) -> None:
    """A modal with the pair's engagement figures (never what anyone wrote)."""
    row = pair_engagement(
        pressed.session,
        team_id=pressed.team_id,
        pair_id=pressed.pair_id,
        now=pressed.now,
        viewer=pressed.user_id,
    )
    zone = availability_for(pressed.session, team_id=pressed.team_id, user_id=pressed.user_id).zone
    view = render_json("health/pair_modal.json.j2", row=row, zone=zone)
    open_modal(pressed.context, pressed.client, pressed.trigger_id, view)
