"""The modals of closing, built and submitted: the reflection, and an alumni check-in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.models import Pair
from mentorbot.bot.rendering import render_json, render_text
from mentorbot.bot.services import closing
from mentorbot.bot.services.checkins import read_form
from mentorbot.bot.usertext import is_whole_number
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.forms import checked, field
from mentorbot.handlers.modals import finish_modal


def register(app: App) -> None:
    """Attach the listeners."""
    app.view("closing")(submit_closing)
    app.view("alumni_checkin")(submit_alumni)


def closing_modal(session: Session, *, pair: Pair, user_id: str) -> Any:
    """The "Reflect and close" modal for this person's side of the pair."""
    found = closing.closing_of(session, pair=pair, user_id=user_id)
    return render_json("closing/modal.json.j2", **vars(found))


def alumni_modal(pair: Pair) -> Any:
    """The small "how is it going" modal of an alumni check-in."""
    return render_json("closing/alumni_modal.json.j2", pair=pair)


def _pair(view: dict[str, Any], actor: Actor, session: Session) -> Pair:
    metadata = str(view.get("private_metadata") or "")
    if not is_whole_number(metadata):
        raise BadInput("closing/stale_form")
    return closing.pair_for_closing(
        session, team_id=actor.team_id, pair_id=int(metadata), user_id=actor.user_id
    )


def _blocks(view: dict[str, Any]) -> dict[str, Any]:
    return dict((view.get("state") or {}).get("values") or {})


def submit_closing(
    ack: Ack, view: dict[str, Any], session: Session, actor: Actor, now: datetime
) -> None:
    """Keep the reflection; a problem is shown next to its field and nothing changes."""
    pair = _pair(view, actor, session)
    user_id = actor.user_id
    values = {block_id: field(view, block_id) for block_id in _blocks(view)}
    form = closing.read_reflection(values, keep_in_touch="keep" in checked(view, "keep"))
    closed = closing.record_reflection(session, pair=pair, user_id=user_id, form=form, now=now)
    other_id = pair.mentor_id if user_id == pair.mentee_id else pair.mentee_id
    text = render_text("closing/reflected.md.j2", closed=closed, other_id=other_id)
    finish_modal(ack, "closing/done.json.j2", text=text)


def submit_alumni(
    ack: Ack, view: dict[str, Any], session: Session, actor: Actor, now: datetime
) -> None:
    """Keep an alumni check-in, private to its author."""
    pair = _pair(view, actor, session)
    form = read_form(
        {"rating": field(view, "rating"), "went_well": field(view, "went_well")}, sharing=False
    )
    closing.record_alumni_checkin(session, pair=pair, user_id=actor.user_id, form=form, now=now)
    text = render_text("closing/alumni_recorded.md.j2")
    finish_modal(ack, "closing/done.json.j2", text=text)
