"""`/checkin`: mentees and mentors record how it is going, keep goals, and set their rhythm.

`/checkin` alone opens the check-in modal; a known first word runs a subcommand (each lives in
the module named like its feature); any other text is a quick, private check-in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.rendering import render_text
from mentorbot.bot.settings import Settings
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.commands import (
    agreements,
    calendar_feeds,
    celebrations,
    concerns,
    feedback,
    goals,
    holiday_calendars,
    languages,
    matching,
    meetings,
    mentor_directory,
    own_data,
    pauses,
    working_hours,
)
from mentorbot.handlers.commands.checkins import open_checkin, quick_checkin, show_history
from mentorbot.handlers.commands.request import MentoringRequest as Request


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
    actor: Actor,
    now: datetime,
) -> None:
    """Route `/checkin [subcommand] …`."""
    request = Request.of(command, ack, context, client, respond, session, settings, actor, now)
    word = request.text.word
    route = ROUTES.get(word)
    if word in BARE and request.text.rest:
        route = None  # "help me prepare…" is a check-in, not a subcommand
    if word == "holidays" and not holiday_calendars.is_calendar_command(request.text.rest):
        route = None  # "holidays were lovely" is a check-in
    if word == "language" and not languages.is_language_command(request.text.rest):
        route = None  # "language exchange went well" is a check-in
    if word == "calendar" and not calendar_feeds.is_calendar_command(request.text.rest):
        route = None  # "calendar was full" is a check-in
    if not request.text.raw:
        open_checkin(request)
    elif route is not None:
        route(request)
    else:
        quick_checkin(request)


def show_help(request: Request) -> None:
    request.reply(render_text("help/checkin.md.j2"))


# Subcommands and what runs them; `/checkin help` lists each (the help test checks it).
ROUTES: dict[str, Callable[[Request], None]] = {
    "help": show_help,
    "agreement": agreements.show_agreement,
    "history": show_history,
    "goal": goals.add_goal,
    "goals": goals.open_goals,
    "reschedule": meetings.reschedule,
    "pause": pauses.pause,
    "resume": pauses.resume,
    "hours": working_hours.hours,
    "holidays": holiday_calendars.holidays,
    "language": languages.language,
    "calendar": calendar_feeds.calendar,
    "win": celebrations.win,
    "feedback": feedback.open_survey,
    "concern": concerns.concern,
    "profile": matching.profile,
    "find-mentor": mentor_directory.find_mentor,
    "my-data": own_data.my_data,
    "delete-my-data": own_data.delete_my_data,
}


# Subcommands that take no words: "help me prepare…" or "history was fun" are check-ins.
BARE = ("help", "agreement", "history", "goals", "resume", "feedback", "profile")


SUBCOMMANDS = tuple(ROUTES)
