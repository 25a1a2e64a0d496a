"""`/mentoring`: coordinators run the programme. Everyone else is refused politely."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.members import list_coordinators, require_coordinator
from mentorbot.bot.settings import Settings
from mentorbot.handlers.commands.grammar import CommandText

# Subcommands `/mentoring help` lists; the help template must mention each one.
SUBCOMMANDS = ("help", "coordinators")


def register(app: App) -> None:
    """Attach `/mentoring`."""
    app.command("/mentoring")(mentoring_command)


def mentoring_command(
    ack: Ack, command: dict[str, Any], context: BoltContext, session: Session, settings: Settings
) -> None:
    """Route `/mentoring <subcommand> …`; `help` is open to all, the rest to coordinators."""
    text = CommandText.parse(command.get("text"))
    if text.raw.lower() in ("", "help"):
        ack(response_type="ephemeral", text=render_text("help/mentoring.md.j2"))
        return
    team_id, user_id = context.team_id or "", context.user_id or ""
    require_coordinator(session, team_id=team_id, user_id=user_id, configured=settings.coordinators)
    if text.word == "coordinators":
        people = list_coordinators(session, team_id=team_id, configured=settings.coordinators)
        ack(
            response_type="ephemeral",
            text=render_text("mentoring/coordinators.md.j2", people=people),
        )
        return
    raise BadInput(
        f"I don't know the `/mentoring` command `{text.word}`. "
        "Type `/mentoring help` to see them all.",
        example="/mentoring help",
    )
