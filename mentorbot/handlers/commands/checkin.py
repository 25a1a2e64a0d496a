"""`/checkin`: mentees and mentors record how it is going."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from sqlalchemy.orm import Session

from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.checkins import record_quick_checkin
from mentorbot.handlers.commands.grammar import CommandText

# Subcommands `/checkin help` lists; the help template must mention each one.
SUBCOMMANDS = ("help",)


def register(app: App) -> None:
    """Attach `/checkin`."""
    app.command("/checkin")(checkin_command)


def checkin_command(
    ack: Ack, command: dict[str, Any], context: BoltContext, session: Session, now: datetime
) -> None:
    """Route `/checkin [subcommand] …`; any other text is a quick, private check-in."""
    text = CommandText.parse(command.get("text"))
    if text.raw.lower() in ("", "help"):  # "help me prepare…" is a check-in
        ack(response_type="ephemeral", text=render_text("help/checkin.md.j2"))
        return
    checkin = record_quick_checkin(
        session,
        team_id=context.team_id or "",
        author_id=context.user_id or "",
        text=text.raw,
        source="command",
        now=now,
    )
    ack(response_type="ephemeral", text=render_text("checkin/recorded.md.j2", checkin=checkin))
