"""`/checkin`: mentees and mentors record how it is going."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.errors import NotFound
from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.agreements import agreement_view
from mentorbot.bot.services.checkins import record_quick_checkin
from mentorbot.bot.services.pairs import active_pair_of
from mentorbot.handlers.actions.agreement import open_modal
from mentorbot.handlers.commands.grammar import CommandText

# Subcommands `/checkin help` lists; the help template must mention each one.
SUBCOMMANDS = ("help", "agreement")


def register(app: App) -> None:
    """Attach `/checkin`."""
    app.command("/checkin")(checkin_command)


def checkin_command(
    ack: Ack,
    command: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
    now: datetime,
) -> None:
    """Route `/checkin [subcommand] …`; any other text is a quick, private check-in."""
    text = CommandText.parse(command.get("text"))
    if text.raw.lower() in ("", "help"):  # "help me prepare…" is a check-in
        ack(response_type="ephemeral", text=render_text("help/checkin.md.j2"))
        return
    if text.raw.lower() == "agreement":
        pair = active_pair_of(session, team_id=context.team_id or "", user_id=context.user_id or "")
        if pair is None:
            raise NotFound(
                "you are not in an active mentoring pair, so there is no agreement to set. "
                "Your programme's coordinators can pair you."
            )
        ack()
        open_modal(
            context, client, str(command.get("trigger_id") or ""), agreement_view(session, pair)
        )
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
