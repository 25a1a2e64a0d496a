"""The feedback survey modal: built for a person, pair and phase; its answer recorded, and
who sees what said."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.models import Pair
from mentorbot.bot.rendering import render_json, render_text
from mentorbot.bot.services.feedback import (
    MAX_COMMENT,
    MIN_GROUP,
    SCORES,
    pair_to_rate,
    read_survey,
    record_feedback,
    survey_of,
)
from mentorbot.bot.services.feedback_rounds import answer_round
from mentorbot.bot.usertext import is_whole_number
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.forms import field
from mentorbot.handlers.modals import finish_modal


def register(app: App) -> None:
    """Attach the survey listener."""
    app.view("feedback")(submit_survey)


def survey_modal(session: Session, *, pair: Pair, user_id: str, phase: str, now: datetime) -> Any:
    """The survey modal for this person, pair and phase, saying which round it counts in
    (wording fits the role)."""
    survey = survey_of(session, pair=pair, user_id=user_id, phase=phase, now=now)
    return render_json(
        "feedback/modal.json.j2", **vars(survey), max_comment=MAX_COMMENT, min_group=MIN_GROUP
    )


def submit_survey(
    ack: Ack, view: dict[str, Any], session: Session, actor: Actor, now: datetime
) -> None:
    """Record the answer and say who sees what."""
    user_id = actor.user_id
    pair_id, _, phase = str(view.get("private_metadata") or "").partition(":")
    pair_id = field(view, "pair") or pair_id  # a mentor of several picked whom it is about
    if not is_whole_number(pair_id):
        raise BadInput("feedback/stale_form")
    pair = pair_to_rate(
        session, team_id=actor.team_id, pair_id=int(pair_id), user_id=user_id, phase=phase
    )
    form = read_survey({name: field(view, name) for name in (*SCORES, "comment")})
    answer, replaced = record_feedback(
        session, pair=pair, author_id=user_id, phase=phase, form=form, now=now
    )
    text = render_text(
        "feedback/recorded.md.j2",
        pair=pair,
        as_mentee=answer.author_role == "mentee",
        joins=answer_round(session, answer),
        min_group=MIN_GROUP,
        replaced=replaced,
    )
    finish_modal(ack, "feedback/done.json.j2", text=text)
