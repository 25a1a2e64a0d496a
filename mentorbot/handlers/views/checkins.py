"""The check-in modal: built for a person and pair; its submission recorded, and who can see
it said."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App
from sqlalchemy.orm import Session

from mentorbot.bot.models import Pair
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.checkins import checkin_choices, read_form, record_checkin
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.forms import checked, field
from mentorbot.handlers.modals import finish_modal, pair_of_form


def register(app: App) -> None:
    """Attach the checkins form listener."""
    app.view("checkin")(submit_checkin)


def checkin_modal(session: Session, *, pair: Pair, user_id: str) -> Any:
    """The check-in modal for this person and pair."""
    choices = checkin_choices(session, pair=pair, user_id=user_id)
    return render_json("checkins/modal.json.j2", **vars(choices))


def submit_checkin(
    ack: Ack, view: dict[str, Any], session: Session, actor: Actor, now: datetime
) -> None:
    """Record the check-in and say who can see it."""
    pair = pair_of_form(view, actor, session)
    user_id = actor.user_id
    values = {
        name: field(view, name)
        for name in ("rating", "went_well", "blockers", "next_steps", "goal")
    }
    values["share"] = "share" if "share" in checked(view, "share") else None
    form = read_form(values, sharing=user_id == pair.mentee_id)
    checkin = record_checkin(
        session, pair=pair, author_id=user_id, form=form, source="modal", now=now
    )
    shown = render_json("checkins/recorded.json.j2", checkin=checkin, pair=pair, undo=False)
    finish_modal(ack, "checkins/done.json.j2", blocks=shown["blocks"])
