"""The goals modal: built with the open goals; a new goal added, with problems shown next to
their fields."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from slack_bolt import Ack, App
from sqlalchemy.orm import Session

from mentorbot.bot.errors import InvalidForm
from mentorbot.bot.models import Pair
from mentorbot.bot.rendering import render_json, render_text
from mentorbot.bot.services import goals
from mentorbot.bot.usertext import clean_user_text
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.forms import field
from mentorbot.handlers.modals import finish_modal, pair_of_form


def register(app: App) -> None:
    """Attach the goals form listener."""
    app.view("goal")(submit_goal)


def goals_modal(session: Session, pair: Pair) -> Any:
    """The goals modal: the open goals with done and drop, and a form for a new one."""
    return render_json("goals/modal.json.j2", pair=pair, goals=goals.open_goals(session, pair))


def submit_goal(
    ack: Ack, view: dict[str, Any], session: Session, actor: Actor, now: datetime
) -> None:
    """Add the goal; problems are shown next to their fields."""
    pair = pair_of_form(view, actor, session)
    due_text = field(view, "due")
    draft = goals.GoalDraft(
        title=clean_user_text(field(view, "title") or ""),
        measure=clean_user_text(field(view, "measure") or ""),
        due_on=date.fromisoformat(due_text) if due_text else None,
    )
    problems = goals.check_draft(draft, today=actor.today)
    if problems:
        raise InvalidForm.at(*problems[0])
    goal = goals.add_goal(
        session, pair=pair, by=actor.user_id, draft=draft, today=actor.today, now=now
    )
    text = render_text("goals/added.md.j2", goal=goal)
    finish_modal(ack, "goals/done.json.j2", text=text)
