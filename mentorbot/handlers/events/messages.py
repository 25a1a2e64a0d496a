"""Direct messages to the bot: a person can simply write, and it is a private check-in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import App, BoltContext, Say
from sqlalchemy.orm import Session

from mentorbot.bot.rendering import render_json, render_text
from mentorbot.bot.services.checkins import record_quick_checkin
from mentorbot.bot.usertext import from_slack_text
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.deferred import defer
from mentorbot.imports import is_csv


def register(app: App) -> None:
    """Attach the direct-message listener."""
    app.event("message")(direct_message)


def direct_message(
    event: dict[str, Any],
    context: BoltContext,
    say: Say,
    session: Session,
    actor: Actor,
    now: datetime,
) -> None:
    """Record a person's DM as a check-in and confirm in the thread; ignore everything else."""
    if event.get("channel_type") == "im" and event.get("subtype") == "file_share":
        _file_shared(event, context, say, actor)
        return
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return  # edits, deletions, joins and the bot's own messages
    if event.get("thread_ts"):
        return  # replies in a thread are conversation, not new check-ins
    checkin, pair = record_quick_checkin(
        session,
        team_id=actor.team_id,
        author_id=event.get("user", ""),
        text=from_slack_text(event.get("text", "")),
        source="dm",
        now=now,
    )
    shown = render_json("checkins/recorded.json.j2", checkin=checkin, pair=pair, undo=True)
    defer(context, "confirm a DM check-in", lambda: say(**shown, thread_ts=event["ts"]))


def _file_shared(event: dict[str, Any], context: BoltContext, say: Say, actor: Actor) -> None:
    """A coordinator shared a CSV: say how to import it. Other files are not check-ins."""
    csvs = [str(f.get("name") or "") for f in event.get("files") or [] if is_csv(f)]
    if not csvs or not actor.coordinates:
        return
    text = render_text("imports/file_received.md.j2", filename=csvs[0])
    defer(context, "explain how to import a CSV", lambda: say(text=text, thread_ts=event["ts"]))
