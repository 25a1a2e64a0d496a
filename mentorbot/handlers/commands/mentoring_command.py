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
from mentorbot.bot.services.members import require_coordinator
from mentorbot.bot.settings import Settings
from mentorbot.handlers.commands import (
    announcements,
    cohorts,
    coordinators,
    feedback,
    health,
    imports,
    matching,
    pairs,
)
from mentorbot.handlers.commands.request import MentoringRequest

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
}
# Subcommands `/mentoring help` lists; the help template must mention each one.
SUBCOMMANDS = ("help", *ROUTES)


def register(app: App) -> None:
    """Attach `/mentoring`."""
    app.command("/mentoring")(mentoring_command)


def mentoring_command(
    ack: Ack,
    command: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
    session: Session,
    settings: Settings,
    now: datetime,
) -> None:
    """Route `/mentoring <subcommand> …`; `help` is open to all, the rest to coordinators."""
    request = MentoringRequest.of(command, ack, context, client, respond, session, settings, now)
    if request.text.raw.lower() in ("", "help"):
        request.reply(render_text("help/mentoring.md.j2"))
        return
    require_coordinator(
        session, team_id=request.team_id, user_id=request.user_id, configured=settings.coordinators
    )
    route = ROUTES.get(request.text.word)
    if route is None:
        raise BadInput(
            "mentoring_command/unknown_subcommand",
            word=request.text.word,
            example=Example("mentoring_command/help"),
        )
    route(request)
