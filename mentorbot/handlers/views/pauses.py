"""Pause form submissions: pause for the length chosen."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput, InvalidForm
from mentorbot.bot.rendering import render_text
from mentorbot.bot.services import pauses
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.forms import field
from mentorbot.handlers.modals import finish_modal, pair_of_form


def register(app: App) -> None:
    """Attach the pauses form listener."""
    app.view("pause")(submit_pause)


def submit_pause(
    ack: Ack, view: dict[str, Any], session: Session, actor: Actor, now: datetime
) -> None:
    """Pause for the chosen length."""
    zone = actor.zone
    length = field(view, "length") or ""
    try:
        until = pauses.pause_end(length, now=now, zone=zone)
    except BadInput as problem:
        raise InvalidForm.at("length", problem.reason) from None
    pair = pair_of_form(view, actor, session)  # the pair whose Pause button was pressed
    paused = pauses.pause(
        session, team_id=actor.team_id, user_id=actor.user_id, until=until, now=now, pair_id=pair.id
    )
    text = render_text("pauses/paused.md.j2", pairs=paused, until=until, zone=zone)
    finish_modal(ack, "pauses/done.json.j2", text=text)
