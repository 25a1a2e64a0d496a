"""`/checkin goal <text> [by YYYY-MM-DD]` and `/checkin goals`."""

from __future__ import annotations

import re

from mentorbot.bot.errors import BadInput, Example
from mentorbot.bot.rendering import render_json, render_text
from mentorbot.bot.services import goals
from mentorbot.bot.services.checkins import (
    pair_to_check_in,
)
from mentorbot.bot.usertext import clean_user_text
from mentorbot.handlers.commands.grammar import a_date
from mentorbot.handlers.commands.request import MentoringRequest as Request
from mentorbot.handlers.modals import open_modal
from mentorbot.handlers.views.goals import goals_modal

GOAL_EXAMPLE = Example("goals/goal")

_BY_DATE = re.compile(r"^(?P<title>.*?)\s+by\s+(?P<due>\S+)\s*$", re.IGNORECASE | re.DOTALL)


def add_goal(request: Request) -> None:
    """`/checkin goal <text> [by YYYY-MM-DD]`."""
    text = clean_user_text(request.text.rest)  # as the goals modal does: no NUL, no escapes
    if not text:
        raise BadInput("goals/no_goal", example=GOAL_EXAMPLE)
    due = None
    found = _BY_DATE.match(text)
    if found and re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", found.group("due")):
        text = found.group("title").strip()
        due = a_date(found.group("due"), example=GOAL_EXAMPLE)
    elif found and re.fullmatch(r"[\d-]+", found.group("due")):
        a_date(found.group("due"), example=GOAL_EXAMPLE)  # explains the format
    pair = pair_to_check_in(request.session, team_id=request.team_id, user_id=request.user_id)
    goal = goals.add_goal(
        request.session,
        pair=pair,
        by=request.user_id,
        draft=goals.GoalDraft(title=text, due_on=due),
        today=request.today(),
        now=request.now,
    )
    shown = render_json("goals/added.json.j2", goal=goal)
    request.ack(response_type="ephemeral", **shown)


def open_goals(request: Request) -> None:
    """`/checkin goals`: the goals modal."""
    pair = pair_to_check_in(request.session, team_id=request.team_id, user_id=request.user_id)
    if pair.mentee_id != request.user_id:
        found = goals.open_goals(request.session, pair)
        request.reply(render_text("goals/mentor_list.md.j2", pair=pair, goals=found))
        return
    request.ack()
    view = goals_modal(request.session, pair)
    open_modal(request.context, request.client, request.trigger_id, view)
