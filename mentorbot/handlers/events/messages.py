"""Direct messages to the bot: a person can simply write, and it is a private check-in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import App, BoltContext, Say
from sqlalchemy.orm import Session

from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.checkins import record_quick_checkin
from mentorbot.handlers.deferred import defer


def register(app: App) -> None:
    """Attach the direct-message listener."""
    app.event("message")(direct_message)


def direct_message(
    event: dict[str, Any], context: BoltContext, say: Say, session: Session, now: datetime
) -> None:
    """Record a person's DM as a check-in and confirm in the thread; ignore everything else."""
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return  # edits, deletions, joins and the bot's own messages
    if event.get("thread_ts"):
        return  # replies in a thread are conversation, not new check-ins
    checkin = record_quick_checkin(
        session,
        team_id=context.team_id or "",
        author_id=event.get("user", ""),
        text=event.get("text", ""),
        source="dm",
        now=now,
    )
    text = render_text("checkin/recorded.md.j2", checkin=checkin)
    defer(context, "confirm a DM check-in", lambda: say(text=text, thread_ts=event["ts"]))
