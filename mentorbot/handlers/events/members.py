"""`user_change`: keep each person's cached name and time zone current."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import App
from sqlalchemy.orm import Session

from mentorbot.bot.services.members import remember_profile
from mentorbot.bot.timeutil import from_unix_seconds
from mentorbot.handlers.actor import Actor


def register(app: App) -> None:
    """Attach the profile-change listener."""
    app.event("user_change")(profile_changed)


def profile_changed(event: dict[str, Any], session: Session, actor: Actor, now: datetime) -> None:
    """Slack says a profile changed (a move abroad, a new name, a deactivation): remember it."""
    user = event.get("user") or {}
    if not user.get("id"):
        return
    remember_profile(
        session,
        team_id=actor.team_id or str(user.get("team_id") or ""),
        user_id=str(user["id"]),
        name=user.get("real_name") or user.get("name"),
        tz=user.get("tz"),
        deleted=bool(user.get("deleted")),
        is_bot=bool(user.get("is_bot")),
        now=now,
        as_of=from_unix_seconds(user.get("updated")),
        profile=user.get("profile"),
        locale=user.get("locale"),
    )
