"""Records kept by the stand-in and the Slack-shaped objects it answers with."""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote
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
    # The workspace they belong to; None: the stand-in's own.
    team_id: str | None = None
    # Their Slack status, as the profile shows it (expiration: Unix seconds, 0 for none).
    status_emoji: str = ""
    status_text: str = ""
    status_expiration: int = 0
    # Their Slack locale, shown only to a users.info or users.list asked `include_locale`.
    locale: str = "en-US"


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
class StandinChannel:
    """A channel registered with add_channel: who is in it and whether the bot is."""

    id: str
    name: str
    members: list[str] = field(default_factory=list)
    bot_is_member: bool = True
    is_private: bool = False
    archived: bool = False
    created: int = field(default_factory=lambda: int(time.time()))


@dataclass
class SharedFile:
    """A file a member shared in their DM with the bot, its bytes and where it was posted."""

    file_id: str
    user_id: str
    name: str
    filetype: str
    mimetype: str
    data: bytes
    created: int
    channel: str
    ts: str
    deleted: bool = False


@dataclass
class FileDownload:
    """One GET of a file's url_private(_download) and how the stand-in answered it."""

    file_id: str
    path: str
    token: str | None
    status: int
    at: float

    @property
    def ok(self) -> bool:
        """Whether the file's bytes were sent."""
        return self.status == 200


@dataclass
class RecordedCall:
    """One Web API call as the stand-in saw and answered it."""

    method: str
    args: dict[str, Any]
    ok: bool
    error: str | None
    violations: list[str]
    at: float  # when it arrived (time.time()); a slowed-down answer leaves later
    status: int = 200
    token: str | None = None


def truthy(value: Any) -> bool:
    """Read a Slack boolean argument (form values arrive as strings)."""
    return value is True or str(value).lower() in ("true", "1")


def conversation_id(prefix: str, users: list[str]) -> str:
    """Return a stable conversation id for a set of users."""
    digest = hashlib.sha1(",".join(sorted(users)).encode()).hexdigest()[:9].upper()
    return prefix + digest


def user_object(bot: BotIdentity, user: StandinUser, *, with_locale: bool = False) -> Json:
    """Return a user as users.info shows it, with the UTC offset of the zone *now* (and
    their locale, as Slack shows it only when asked: `include_locale`)."""
    now = datetime.now(ZoneInfo(user.tz))
    offset = now.utcoffset()
    team_id = user.team_id or bot.team_id
    return {
        "id": user.id,
        "team_id": team_id,
        **({"locale": user.locale} if with_locale else {}),
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
            "team": team_id,
            "status_text": user.status_text,
            "status_emoji": user.status_emoji,
            "status_expiration": user.status_expiration,
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


def channel_object(
    bot: BotIdentity, channel: StandinChannel, include_num_members: bool = False
) -> Json:
    """Return a registered channel as conversations.info shows it."""
    legacy_group = channel.is_private and channel.id.startswith("G")
    found: Json = {
        "id": channel.id,
        "name": channel.name,
        "name_normalized": channel.name,
        "is_channel": not legacy_group,
        "is_group": legacy_group,
        "is_im": False,
        "is_mpim": False,
        "is_private": channel.is_private,
        "is_archived": channel.archived,
        "is_general": False,
        "is_shared": False,
        "is_ext_shared": False,
        "is_org_shared": False,
        "is_member": channel.bot_is_member,
        "created": channel.created,
        "creator": channel.members[0] if channel.members else "",
        "context_team_id": bot.team_id,
        "topic": {"value": "", "creator": "", "last_set": 0},
        "purpose": {"value": "", "creator": "", "last_set": 0},
        "previous_names": [],
    }
    if include_num_members:
        members = set(channel.members) | ({bot.bot_user_id} if channel.bot_is_member else set())
        found["num_members"] = len(members)
    return found


def shared_file_object(bot: BotIdentity, base_url: str, file: SharedFile) -> Json:
    """Return a file a member shared as Slack shows it, served from the stand-in's base_url
    (a deleted one as the tombstone a message keeps in its place)."""
    if file.deleted:
        return {"id": file.file_id, "mode": "tombstone"}
    private = f"{base_url}/files-pri/{bot.team_id}-{file.file_id}"
    workspace = f"https://{bot.team_name}.slack.com"
    quoted = quote(file.name)
    return {
        "id": file.file_id,
        "created": file.created,
        "timestamp": file.created,
        "name": file.name,
        "title": file.name,
        "mimetype": file.mimetype,
        "filetype": file.filetype,
        "pretty_type": file.filetype.upper(),
        "user": file.user_id,
        "user_team": bot.team_id,
        "editable": False,
        "size": len(file.data),
        "mode": "hosted",
        "is_external": False,
        "external_type": "",
        "is_public": False,
        "public_url_shared": False,
        "display_as_bot": False,
        "username": "",
        "url_private": f"{private}/{quoted}",
        "url_private_download": f"{private}/download/{quoted}",
        "permalink": f"{workspace}/files/{file.user_id}/{file.file_id}/{quoted}",
        "permalink_public": f"https://slack-files.com/{bot.team_id}-{file.file_id}-0",
        "has_rich_preview": False,
        "file_access": "visible",
    }
