"""`WorkspaceState`: the workspace behind the Web API, and the helpers its methods share."""

from __future__ import annotations

import copy
import time
import uuid
from typing import Any

from mentorbot.standin.contract import parse_json_arg
from mentorbot.standin.objects import (
    BotIdentity,
    Json,
    SharedFile,
    SlackError,
    StandinChannel,
    StandinUser,
    UploadedFile,
    conversation_id,
    shared_file_object,
    truthy,
)


class WorkspaceState:
    """Workspace state (users, channels, messages, views, files) behind the Web API."""

    def __init__(self, bot: BotIdentity) -> None:
        self.bot = bot
        # More workspaces that installed the app over OAuth: their bot tokens and identities.
        self.identities: dict[str, BotIdentity] = {}
        self.install_codes: dict[str, tuple[str, str]] = {}  # code -> (token, installer)
        # Sign in with Slack: a code, then a user's token, each for (team, user).
        self.sign_in_codes: dict[str, tuple[str, str]] = {}
        self.user_tokens: dict[str, tuple[str, str]] = {}
        self.revoked: set[str] = set()
        self.current_token: str | None = None
        self.base_url = ""
        self.users: dict[str, StandinUser] = {}
        self.messages: dict[str, list[Json]] = {}
        self.ephemerals: list[Json] = []
        self.views: dict[str, Json] = {}
        self.home_views: dict[str, Json] = {}
        self.files: dict[str, UploadedFile] = {}
        self.channels: dict[str, StandinChannel] = {}
        self.shared_files: dict[str, SharedFile] = {}
        self.triggers: dict[str, bool] = {}
        self._last_ts = 0.0
        self._serial = 0

    def next_ts(self) -> str:
        """Return a new message ts: current time, strictly increasing, microsecond steps."""
        self._last_ts = max(round(time.time(), 6), round(self._last_ts + 0.000001, 6))
        return f"{self._last_ts:.6f}"

    def next_id(self, prefix: str) -> str:
        """Return a new unique object id such as V000000001."""
        self._serial += 1
        return f"{prefix}{self._serial:09d}"

    def user(self, user_id: Any) -> StandinUser:
        """Return a known user or fail with user_not_found."""
        found = self.users.get(str(user_id or ""))
        if found is None:
            raise SlackError("user_not_found")
        return found

    def dm_channel_for(self, user_id: str) -> str:
        """Return the id of the bot's DM with a user."""
        return conversation_id("D", [user_id])

    def resolve_channel(self, channel: Any) -> str:
        """Turn a channel argument into a conversation id (a user id means their DM)."""
        name = str(channel or "")
        if not name:
            raise SlackError("channel_not_found")
        if name[0] in "UW":
            if name not in self.users:
                raise SlackError("channel_not_found")
            return self.dm_channel_for(name)
        return name

    def check_access(self, channel: str, *, posting: bool = False) -> None:
        """Fail as Slack does when the bot may not read (or post in) a registered channel."""
        found = self.channels.get(channel)
        if found is None:
            return
        if found.is_private and not found.bot_is_member:
            raise SlackError("channel_not_found")
        if posting and found.archived:
            raise SlackError("is_archived")
        if not found.bot_is_member:
            raise SlackError("not_in_channel")

    def dm_user(self, channel: str) -> StandinUser | None:
        """Return the member whose DM with the bot this channel is, if any."""
        return next((u for u in self.users.values() if self.dm_channel_for(u.id) == channel), None)

    def share_file(
        self, user_id: str, name: str, data: bytes, filetype: str, mimetype: str, text: str
    ) -> Json:
        """Post a member's message sharing a file in their DM with the bot; return the file."""
        ts = self.next_ts()
        channel = self.dm_channel_for(user_id)
        shared = SharedFile(
            self.next_id("F"), user_id, name, filetype, mimetype, data, int(float(ts)), channel, ts
        )
        self.shared_files[shared.file_id] = shared
        file = shared_file_object(self.bot, self.base_url, shared)
        message: Json = {
            "type": "message",
            "text": text,
            "files": [file],
            "upload": True,
            "user": user_id,
            "display_as_bot": False,
            "ts": ts,
            "client_msg_id": str(uuid.uuid4()),
            "team": self.bot.team_id,
        }
        self.messages.setdefault(channel, []).append(message)
        return file

    def delete_shared_file(self, file_id: str) -> None:
        """Delete a shared file as its owner does: the message keeps a tombstone in its place."""
        shared = self.shared_files[file_id]
        shared.deleted = True
        for message in self.messages.get(shared.channel, []):
            if "files" in message:
                message["files"] = [
                    shared_file_object(self.bot, self.base_url, shared)
                    if file.get("id") == file_id
                    else file
                    for file in message["files"]
                ]

    def may_read_files_of(self, token: str | None, team_id: str) -> bool:
        """Whether a bearer token opens a workspace's private file URLs: a Slack token of
        that workspace (the stand-in's own takes any it is called with), not revoked."""
        if not token or not token.startswith(("xoxb-", "xoxp-")) or token in self.revoked:
            return False
        return self.identity(token).team_id == team_id

    def find_message(self, channel: str, ts: Any) -> Json:
        """Return a stored message or fail with message_not_found."""
        for message in self.messages.get(channel, []):
            if message["ts"] == ts:
                return message
        raise SlackError("message_not_found")

    def _new_message(self, args: Json, ts: str) -> Json:
        """Build a bot message as conversations.history shows it."""
        message: Json = {
            "type": "message",
            "ts": ts,
            "text": args.get("text") or "",
            "user": self.bot.bot_user_id,
            "bot_id": self.bot.bot_id,
            "app_id": self.bot.app_id,
            "team": self.bot.team_id,
            "blocks": parse_json_arg(args.get("blocks") or []),
        }
        for key in ("attachments", "metadata"):
            if args.get(key):
                message[key] = parse_json_arg(args[key])
        if args.get("thread_ts"):
            message["thread_ts"] = str(args["thread_ts"])
            message["reply_broadcast"] = truthy(args.get("reply_broadcast"))
        return message

    @staticmethod
    def _public(message: Json, with_metadata: bool = True) -> Json:
        """Return a copy of a stored message, without metadata unless asked for."""
        shown = copy.deepcopy(message)
        if not with_metadata:
            shown.pop("metadata", None)
        return shown

    def identity(self, token: str | None) -> BotIdentity:
        """The workspace a token belongs to: an OAuth install's, else the default one."""
        return self.identities.get(token or "", self.bot)
