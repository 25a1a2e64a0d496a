"""The mentoring profile modal's submission."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App
from sqlalchemy.orm import Session

from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.profiles import read_profile_form, save_profile
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.forms import checked, field
from mentorbot.handlers.modals import finish_modal

OPEN = "open"  # the box a mentor ticks: mentees may ask them
FIELDS = ("role", "cohort", "areas", "goals", "capacity", "how_i_help")


def register(app: App) -> None:
    """Attach the profile modal's submission listener."""
    app.view("profile")(submit_profile)


def submit_profile(
    ack: Ack, view: dict[str, Any], session: Session, actor: Actor, now: datetime
) -> None:
    """Check the fields (errors shown next to them), save, and confirm in the modal."""
    form = read_profile_form(
        {name: field(view, name) for name in FIELDS},
        open_to_requests=OPEN in checked(view, "open_to_requests"),
    )
    saved = save_profile(session, team_id=actor.team_id, user_id=actor.user_id, form=form, now=now)
    text = render_text("profiles/saved.md.j2", saved=saved)
    finish_modal(ack, "profiles/done.json.j2", text=text)
