"""Feedback buttons: a survey invitation's button opens the survey for that pair."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.services.feedback import pair_to_rate
from mentorbot.bot.usertext import is_whole_number
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.modals import modal_opener
from mentorbot.handlers.views.feedback import survey_modal


def register(app: App) -> None:
    """Attach the feedback buttons."""
    app.action("feedback_open")(open_survey)


def _survey(session: Session, actor: Actor, action: dict[str, Any]) -> Any:
    """A survey invitation's button (midpoint or closing): the survey modal for that pair."""
    pair_id, _, phase = str(action.get("value") or "").partition(":")
    if not is_whole_number(pair_id):
        raise BadInput("feedback/stale_button")
    pair = pair_to_rate(
        session, team_id=actor.team_id, pair_id=int(pair_id), user_id=actor.user_id, phase=phase
    )
    return survey_modal(session, pair=pair, user_id=actor.user_id, phase=phase, now=actor.now)


open_survey = modal_opener(_survey)
