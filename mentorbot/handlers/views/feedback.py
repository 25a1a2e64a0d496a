"""Modal submissions of feedback and concerns: the survey, a concern, a coordinator's reply."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.rendering import render_text
from mentorbot.bot.services import concerns
from mentorbot.bot.services.feedback import (
    MIN_GROUP,
    SCORES,
    answer_round,
    pair_to_rate,
    read_survey,
    record_feedback,
)
from mentorbot.bot.settings import Settings
from mentorbot.bot.usertext import is_whole_number
from mentorbot.handlers.actions.feedback import show_handled
from mentorbot.handlers.forms import field
from mentorbot.handlers.modals import finish_modal, text_blocks


def register(app: App) -> None:
    """Attach the listeners."""
    app.view("feedback")(submit_survey)
    app.view("concern")(submit_concern)
    app.view("concern_reply")(submit_reply)


def submit_survey(
    ack: Ack, view: dict[str, Any], context: BoltContext, session: Session, now: datetime
) -> None:
    """Record the answer and say who sees what."""
    user_id = context.user_id or ""
    pair_id, _, phase = str(view.get("private_metadata") or "").partition(":")
    pair_id = field(view, "pair") or pair_id  # a mentor of several picked whom it is about
    if not is_whole_number(pair_id):
        raise BadInput("this form is out of date; type `/checkin feedback` to open it again.")
    pair = pair_to_rate(
        session, team_id=context.team_id or "", pair_id=int(pair_id), user_id=user_id, phase=phase
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
    finish_modal(ack, "Thank you", text_blocks(text))


def submit_concern(
    ack: Ack, view: dict[str, Any], context: BoltContext, session: Session, now: datetime
) -> None:
    """Store the concern, send it to coordinators, and acknowledge it in the modal."""
    raised = concerns.raise_concern(
        session,
        team_id=context.team_id or "",
        user_id=context.user_id or "",
        pair_choice=field(view, "pair"),
        pair_asked=view.get("private_metadata") == "pick",
        text=field(view, "text") or "",
        now=now,
    )
    text = render_text(
        "concerns/raised.md.j2",
        concern=raised.concern,
        pair=raised.pair,
        coordinators=raised.coordinators,
    )
    finish_modal(ack, "Concern sent", text_blocks(text))


def submit_reply(
    ack: Ack,
    view: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
    settings: Settings,
    now: datetime,
) -> None:
    """Send the coordinator's reply to the person who raised the concern."""
    concern_id = str(view.get("private_metadata") or "")
    if not is_whole_number(concern_id):
        raise BadInput("this form is out of date; press the concern's button again.")
    handled = concerns.handle_concern(
        session,
        team_id=context.team_id or "",
        concern_id=int(concern_id),
        by=context.user_id or "",
        how="replied",
        reply=field(view, "reply"),
        configured=settings.coordinators,
        now=now,
    )
    show_handled(context, client, None, handled, context.user_id or "")
    text = render_text("concerns/replied.md.j2", concern=handled.concern, now=handled.now)
    finish_modal(ack, "Reply", text_blocks(text))
