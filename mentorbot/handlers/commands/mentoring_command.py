"""`/mentoring`: coordinators run the programme. Everyone else is refused politely."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput, Example
from mentorbot.bot.rendering import render_text
from mentorbot.bot.settings import Settings
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.commands import (
    announcements,
    cohorts,
    coordinators,
    dashboard,
    feedback,
    health,
    imports,
    matching,
    pairs,
)
from mentorbot.handlers.commands.grammar import CommandText
from mentorbot.handlers.commands.request import MentoringRequest
from mentorbot.handlers.middleware import coordinators_only

ROUTES: dict[str, Callable[[MentoringRequest], None]] = {
    "coordinator": coordinators.coordinator,
    "coordinators": coordinators.list_all,
    "cohort": cohorts.cohort,
    "cohorts": cohorts.list_all,
    "pair": pairs.pair,
    "unpair": pairs.unpair,
    "capacity": pairs.capacity,
    "import": imports.import_pairs,
    "announce": announcements.announce,
    "announcements": announcements.pending,
    "feedback": feedback.report,
    "match": matching.match,
    "status": health.status,
    "report": health.report,
    "dashboard": dashboard.dashboard,
}
# Subcommands `/mentoring help` lists; the help template must mention each one.
SUBCOMMANDS = ("help", *ROUTES)


def register(app: App) -> None:
    """Attach `/mentoring`: its help for anyone, every other subcommand for coordinators."""
    app.command("/mentoring", matchers=[asks_for_help])(mentoring_help)
    app.command("/mentoring", middleware=[coordinators_only])(mentoring_command)


def asks_for_help(command: dict[str, Any]) -> bool:
    """`/mentoring` alone or `/mentoring help`."""
    return CommandText.from_slack(command.get("text")).raw.lower() in ("", "help")


def mentoring_help(ack: Ack) -> None:
    """`/mentoring help`: what coordinators can do (anyone may ask)."""
    ack(response_type="ephemeral", text=render_text("help/mentoring.md.j2"))


def mentoring_command(
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
    """Route `/mentoring <subcommand> …` (coordinators only: see `register`)."""
    request = MentoringRequest.of(
        command, ack, context, client, respond, session, settings, actor, now
    )
    route = ROUTES.get(request.text.word)
    if route is None:
        raise BadInput(
            "mentoring_command/unknown_subcommand",
            word=request.text.word,
            example=Example("mentoring_command/help"),
        )
    route(request)
