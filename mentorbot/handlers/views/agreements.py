"""The agreement modal: built for a pair; its submission kept, the next meeting set, and the
agreement shown to both."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.models import Pair
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.agreements import (
    agreement_form,
    pair_for_agreement,
    read_form,
    record_agreement,
)
from mentorbot.bot.usertext import is_whole_number
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.forms import checked, field
from mentorbot.handlers.modals import finish_modal

FIELDS = ("cadence", "weekday", "time", "place", "expectations", "boundaries", "goal")


def register(app: App) -> None:
    """Attach the agreement modal's submission listener."""
    app.view("agreement")(submit_agreement)


def agreement_modal(session: Session, pair: Pair, now: datetime) -> dict[str, Any]:
    """The agreement modal for this pair, filled in with what holds now."""
    form = agreement_form(session, pair, now)
    return dict(render_json("agreements/modal.json.j2", **vars(form)))


def submit_agreement(
    ack: Ack, view: dict[str, Any], session: Session, actor: Actor, now: datetime
) -> None:
    """Validate (errors shown by the fields), record, and show the agreement in the modal."""
    metadata = str(view.get("private_metadata") or "")
    if not is_whole_number(metadata):
        raise BadInput("agreements/stale_form")
    pair = pair_for_agreement(
        session, team_id=actor.team_id, pair_id=int(metadata), user_id=actor.user_id
    )
    values = {name: field(view, name) for name in FIELDS}
    values["outside_hours_ok"] = "ok" if "ok" in checked(view, "outside_hours_ok") else None
    agreement = read_form(values)
    shown = record_agreement(session, pair=pair, agreement=agreement, by=actor.user_id, now=now)
    finish_modal(ack, "agreements/done.json.j2", blocks=shown["blocks"])
