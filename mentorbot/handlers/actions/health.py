"""The App Home's cohort health buttons: "Nudge" a quiet pair, "Open" a pair's figures.

Only coordinators see them; the listeners are guarded anyway, since a button press can be
forged or its presser may have stopped being a coordinator. App Home buttons have no message to
answer in, so the error handler shows refusals and problems in a small modal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.health import nudge_pair, pair_engagement
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.events.home import refresh_home
from mentorbot.handlers.middleware import only_coordinators
from mentorbot.handlers.modals import button_number, modal_opener

health_only = only_coordinators("health/not_a_coordinator")


def register(app: App) -> None:
    """Attach the cohort health buttons."""
    app.action("health_nudge", middleware=[health_only])(nudge)
    app.action("health_open", middleware=[health_only])(open_pair)


def nudge(
    ack: Ack,
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
    actor: Actor,
    now: datetime,
) -> None:
    """Queue the friendly nudge (once a day per pair), then show the Home with it noted."""
    ack()
    pair_id = button_number(action, "health/stale_button")
    nudge_pair(session, team_id=actor.team_id, pair_id=pair_id, now=now)
    session.flush()
    refresh_home(context, client, session, actor)


def _pair_figures(session: Session, actor: Actor, action: dict[str, Any]) -> Any:
    """A modal with the pair's engagement figures (never what anyone wrote)."""
    row = pair_engagement(
        session,
        team_id=actor.team_id,
        pair_id=button_number(action, "health/stale_button"),
        now=actor.now,
        viewer=actor.user_id,
    )
    return render_json("health/pair_modal.json.j2", row=row, zone=actor.zone)


open_pair = modal_opener(_pair_figures)
