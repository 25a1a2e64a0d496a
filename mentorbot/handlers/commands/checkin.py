"""`/checkin`: mentees and mentors record how it is going, keep goals, and set their rhythm.

`/checkin` alone opens the check-in modal; a known first word runs a subcommand; any other
text is a quick, private check-in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput, NotFound
from mentorbot.bot.rendering import quoted, render_json, render_text
from mentorbot.bot.services import goals, meetings, pauses
from mentorbot.bot.services.agreements import agreement_view
from mentorbot.bot.services.checkins import (
    checkin_view,
    history,
    pair_to_check_in,
    record_quick_checkin,
)
from mentorbot.bot.services.members import get_or_create_member
from mentorbot.bot.services.pairs import pairs_of_person
from mentorbot.bot.services.workspaces import availability_for
from mentorbot.bot.settings import Settings
from mentorbot.bot.usertext import clean_user_text
from mentorbot.handlers.commands import celebrating, matching, own_data, speaking_up
from mentorbot.handlers.commands.grammar import a_date, person
from mentorbot.handlers.commands.request import MentoringRequest as Request
from mentorbot.handlers.modals import open_modal

GOAL_EXAMPLE = "/checkin goal Give a talk at the guild by 2027-06-30"
MOVE_EXAMPLE = "/checkin reschedule 2027-03-11 15:00"
_BY_DATE = re.compile(r"^(?P<title>.*?)\s+by\s+(?P<due>\S+)\s*$", re.IGNORECASE | re.DOTALL)


def register(app: App) -> None:
    """Attach `/checkin`."""
    app.command("/checkin")(checkin_command)


def checkin_command(
    ack: Ack,
    command: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
    session: Session,
    settings: Settings,
    now: datetime,
) -> None:
    """Route `/checkin [subcommand] …`."""
    request = Request.of(command, ack, context, client, respond, session, settings, now)
    word = request.text.word
    route = ROUTES.get(word)
    if word in BARE and request.text.rest:
        route = None  # "help me prepare…" is a check-in, not a subcommand
    if not request.text.raw:
        open_checkin(request)
    elif route is not None:
        route(request)
    else:
        quick_checkin(request)


def open_checkin(request: Request) -> None:
    """`/checkin`: the check-in modal."""
    pair = pair_to_check_in(request.session, team_id=request.team_id, user_id=request.user_id)
    request.ack()
    view = checkin_view(request.session, pair=pair, user_id=request.user_id)
    open_modal(request.context, request.client, request.trigger_id, view)


def quick_checkin(request: Request) -> None:
    """`/checkin <text>`: a private check-in, with an undo button."""
    checkin, pair = record_quick_checkin(
        request.session,
        team_id=request.team_id,
        author_id=request.user_id,
        text=request.text.raw,
        source="command",
        now=request.now,
    )
    shown = render_json("checkin/recorded.json.j2", checkin=checkin, pair=pair, undo=True)
    request.ack(response_type="ephemeral", **shown)


def show_help(request: Request) -> None:
    request.reply(render_text("help/checkin.md.j2"))


def show_agreement(request: Request) -> None:
    pair = pair_to_check_in(request.session, team_id=request.team_id, user_id=request.user_id)
    request.ack()
    view = agreement_view(request.session, pair, request.now)
    open_modal(request.context, request.client, request.trigger_id, view)


def show_history(request: Request) -> None:
    found = history(request.session, team_id=request.team_id, user_id=request.user_id)
    request.reply(render_text("checkin/history.md.j2", checkins=found))


def add_goal(request: Request) -> None:
    """`/checkin goal <text> [by YYYY-MM-DD]`."""
    text = clean_user_text(request.text.rest)  # as the goals modal does: no NUL, no escapes
    if not text:
        raise BadInput("say what the goal is.", example=GOAL_EXAMPLE)
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
    view = goals.goals_view(request.session, pair)
    open_modal(request.context, request.client, request.trigger_id, view)


def reschedule(request: Request) -> None:
    """`/checkin reschedule YYYY-MM-DD HH:MM [@mentee]`: move the coming meeting once."""
    words = request.text.tokens()
    mentee = None
    if words and words[-1].startswith("<@"):
        mentee = person(words.pop(), example=MOVE_EXAMPLE)
    if len(words) == 1 and "T" in words[0]:  # 2027-03-11T15:00, as ISO 8601 writes it
        words = words[0].split("T", 1)
    if len(words) != 2:
        raise BadInput("give the new date and time.", example=MOVE_EXAMPLE)
    day = a_date(words[0], example=MOVE_EXAMPLE)
    try:
        at = time.fromisoformat(words[1])
    except ValueError:
        raise BadInput(
            f"`{quoted(words[1])}` is not a time; write it as HH:MM.", example=MOVE_EXAMPLE
        ) from None
    pairs = [
        pair
        for pair in pairs_of_person(
            request.session, team_id=request.team_id, user_id=request.user_id, status=("active",)
        )
        if mentee is None or pair.mentee_id == mentee
    ]
    as_mentee = [pair for pair in pairs if pair.mentee_id == request.user_id]
    if as_mentee:
        pairs = as_mentee
    if not pairs:
        raise NotFound("you have no active mentoring pair with a meeting to move.")
    if len(pairs) > 1:
        request.reply(
            render_text("rhythm/choose_pair.md.j2", pairs=pairs, example=MOVE_EXAMPLE + " @mentee")
        )
        return
    zone = availability_for(request.session, team_id=request.team_id, user_id=request.user_id).zone
    pair = pairs[0]
    meetings.move_meeting(
        request.session,
        pair=pair,
        to=meetings.local_moment(day, at, zone, now=request.now),
        by=request.user_id,
        now=request.now,
    )
    request.reply(render_text("rhythm/moved.md.j2", pair=pair, zone=zone))


def pause(request: Request) -> None:
    """`/checkin pause 2 weeks` or `/checkin pause until YYYY-MM-DD`."""
    zone = availability_for(request.session, team_id=request.team_id, user_id=request.user_id).zone
    until = pauses.pause_end(request.text.rest, now=request.now, zone=zone)
    paused = pauses.pause(
        request.session,
        team_id=request.team_id,
        user_id=request.user_id,
        until=until,
        now=request.now,
    )
    request.reply(render_text("rhythm/paused.md.j2", pairs=paused, until=until, zone=zone))


def resume(request: Request) -> None:
    resumed = pauses.resume(
        request.session, team_id=request.team_id, user_id=request.user_id, now=request.now
    )
    request.reply(render_text("rhythm/resumed.md.j2", pairs=resumed))


def hours(request: Request) -> None:
    """`/checkin hours [08:00-16:00 [mon-fri]]`: see or set one's own working hours."""
    member = get_or_create_member(
        request.session, team_id=request.team_id, user_id=request.user_id, now=request.now
    )
    changed = bool(request.text.rest)
    if changed:
        pauses.set_hours(request.session, member=member, text=request.text.rest, now=request.now)
    mine = availability_for(request.session, team_id=request.team_id, user_id=request.user_id)
    days = ", ".join(
        ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[day] for day in sorted(mine.workdays)
    )
    request.reply(
        render_text(
            "rhythm/hours.md.j2", changed=changed, hours=str(mine.hours), days=days, zone=mine.zone
        )
    )


# Subcommands and what runs them; `/checkin help` lists each (the help test checks it).
ROUTES: dict[str, Callable[[Request], None]] = {
    "help": show_help,
    "agreement": show_agreement,
    "history": show_history,
    "goal": add_goal,
    "goals": open_goals,
    "reschedule": reschedule,
    "pause": pause,
    "resume": resume,
    "hours": hours,
    "win": celebrating.win,
    "feedback": speaking_up.feedback,
    "concern": speaking_up.concern,
    "profile": matching.profile,
    "my-data": own_data.my_data,
    "delete-my-data": own_data.delete_my_data,
}
# Subcommands that take no words: "help me prepare…" or "history was fun" are check-ins.
BARE = ("help", "agreement", "history", "goals", "resume", "feedback", "profile")
SUBCOMMANDS = tuple(ROUTES)
