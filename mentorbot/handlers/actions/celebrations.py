"""Buttons of celebrations: sharing a win in the cohort's channel, when its mentee chooses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from sqlalchemy.orm import Session

from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.celebrations import share_win
from mentorbot.handlers.deferred import defer
from mentorbot.handlers.modals import button_number


def register(app: App) -> None:
    """Attach the listeners."""
    app.action("win_share")(share)


def share(
    ack: Ack,
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    session: Session,
    now: datetime,
) -> None:
    """The "Share in the cohort channel" button on a logged win: post it there, once."""
    ack()
    shared = share_win(
        session,
        team_id=context.team_id or "",
        milestone_id=button_number(action),
        user_id=context.user_id or "",
        now=now,
    )
    text = render_text("celebrations/win_share_answer.md.j2", shared=shared)
    defer(context, "answer a shared win", lambda: respond(text=text, replace_original=True))
