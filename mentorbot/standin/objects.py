"""Records kept by the stand-in and the Slack-shaped objects it answers with."""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

Json = dict[str, Any]


class SlackError(Exception):
    """A Slack error answer (`{"ok": false, "error": ...}`) from a method implementation."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass(frozen=True)
class BotIdentity:
    """Who the stand-in's bot token belongs to."""

    team_id: str
    team_name: str
    bot_user_id: str
    bot_id: str
    app_id: str


@dataclass
class StandinUser:
    """A member of the stand-in workspace."""

    id: str
    name: str
    real_name: str
    tz: str = "Europe/London"
    email: str | None = None
    deleted: bool = False
    is_bot: bool = False


@dataclass
class UploadedFile:
    """A file announced with files.getUploadURLExternal, its bytes and where it was shared."""

    file_id: str
    filename: str
    length: int
    data: bytes | None = None
    title: str | None = None
    completed: bool = False
    channels: list[str] = field(default_factory=list)
    initial_comment: str | None = None
    thread_ts: str | None = None


@dataclass
class RecordedCall:
    """One Web API call as the stand-in saw and answered it."""

    method: str
    args: dict[str, Any]
    ok: bool
    error: str | None
    violations: list[str]
    at: float
    status: int = 200
    token: str | None = None


def truthy(value: Any) -> bool:
    """Read a Slack boolean argument (form values arrive as strings)."""
    return value is True or str(value).lower() in ("true", "1")


def conversation_id(prefix: str, users: list[str]) -> str:
    """Return a stable conversation id for a set of users."""
    digest = hashlib.sha1(",".join(sorted(users)).encode()).hexdigest()[:9].upper()
    return prefix + digest


def user_object(bot: BotIdentity, user: StandinUser) -> Json:
    """Return a user as users.info shows it, with the UTC offset of the zone *now*."""
    now = datetime.now(ZoneInfo(user.tz))
    offset = now.utcoffset()
    return {
        "id": user.id,
        "team_id": bot.team_id,
        "name": user.name,
        "real_name": user.real_name,
        "deleted": user.deleted,
        "is_bot": user.is_bot,
        "is_app_user": False,
        "tz": user.tz,
        "tz_label": now.tzname() or user.tz,
        "tz_offset": int(offset.total_seconds()) if offset else 0,
        "updated": int(time.time()),
        "profile": {
            "real_name": user.real_name,
            "real_name_normalized": user.real_name,
            "display_name": user.name,
            "display_name_normalized": user.name,
            "email": user.email,
            "team": bot.team_id,
        },
    }


def view_object(bot: BotIdentity, view: Json, view_id: str, root_id: str | None = None) -> Json:
    """Return a stored view as Slack answers it."""
    return {
        "id": view_id,
        "team_id": bot.team_id,
        "type": view.get("type"),
        "blocks": view.get("blocks", []),
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "state": {"values": {}},
        "hash": f"{time.time():.6f}.{uuid.uuid4().hex[:8]}",
        "title": view.get("title"),
        "close": view.get("close"),
        "submit": view.get("submit"),
        "clear_on_close": bool(view.get("clear_on_close", False)),
        "notify_on_close": bool(view.get("notify_on_close", False)),
        "external_id": view.get("external_id", ""),
        "previous_view_id": None,
        "root_view_id": root_id or view_id,
        "app_id": bot.app_id,
        "app_installed_team_id": bot.team_id,
        "bot_id": bot.bot_id,
    }


def file_object(bot: BotIdentity, upload: UploadedFile) -> Json:
    """Return a file object as Slack answers it."""
    return {
        "id": upload.file_id,
        "name": upload.filename,
        "title": upload.title,
        "size": len(upload.data or b""),
        "user": bot.bot_user_id,
        "created": int(time.time()),
    }
