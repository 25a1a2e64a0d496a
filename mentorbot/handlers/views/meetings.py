"""The "move one meeting" modal: built on the person's clock; its submission moves the coming
meeting (in the picker's time zone)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from slack_bolt import Ack, App
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput, InvalidForm
from mentorbot.bot.models import Pair
from mentorbot.bot.rendering import render_json, render_text
from mentorbot.bot.services.meetings import local_moment, meeting_to_move, move_meeting
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.forms import field
from mentorbot.handlers.modals import finish_modal, pair_of_form


def register(app: App) -> None:
    """Attach the meetings form listener."""
    app.view("meeting_move")(submit_move)


def move_modal(session: Session, *, pair: Pair, user_id: str) -> Any:
    """The "move one meeting" modal, in the person's own time zone."""
    meeting = meeting_to_move(session, pair=pair, user_id=user_id)
    return render_json("meetings/move_modal.json.j2", **vars(meeting))


def submit_move(
    ack: Ack, view: dict[str, Any], session: Session, actor: Actor, now: datetime
) -> None:
    """Move the coming meeting to the picked date and time (the picker's own time zone)."""
    pair = pair_of_form(view, actor, session)
    zone = actor.zone
    day_text, time_text = field(view, "date"), field(view, "time")
    if not day_text:
        raise InvalidForm("date", "meetings/pick_date")
    if not time_text:
        raise InvalidForm("time", "meetings/pick_time")
    try:
        day, at = date.fromisoformat(day_text), time.fromisoformat(time_text)
    except ValueError:
        raise InvalidForm("time", "meetings/pickers") from None
    try:
        moment = local_moment(day, at, zone, now=now)
        move_meeting(session, pair=pair, to=moment, by=actor.user_id, now=now)
    except BadInput as problem:
        raise InvalidForm("date", "meetings/not_movable", problem=problem.reason) from None
    text = render_text("meetings/moved.md.j2", pair=pair, zone=zone)
    finish_modal(ack, "meetings/done.json.j2", text=text)
