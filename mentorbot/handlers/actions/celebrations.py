"""Buttons of celebrations: sharing a win in the cohort's channel, when its mentee chooses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from sqlalchemy.orm import Session

from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.celebrations import share_win
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.deferred import replace_message
from mentorbot.handlers.modals import button_number


def register(app: App) -> None:
    """Attach the listeners."""
    app.action("win_share")(share)


def share(
    ack: Ack,
    action: dict[str, Any],
    context: BoltContext,
    session: Session,
    actor: Actor,
    now: datetime,
) -> None:
    """The "Share in the cohort channel" button on a logged win: post it there, once."""
    ack()
    shared = share_win(
        session,
        team_id=actor.team_id,
        milestone_id=button_number(action),
        user_id=actor.user_id,
        now=now,
    )
    text = render_text("celebrations/win_share_answer.md.j2", shared=shared)
    replace_message(context, "answer a shared win", text=text)
