"""The stand-in's workspace state and its Web API method implementations."""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Callable
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
    channel_object,
    conversation_id,
    file_object,
    shared_file_object,
    truthy,
    user_object,
    view_object,
)


class Workspace:
    """Workspace state (users, channels, messages, views, files) behind the Web API."""

    def __init__(self, bot: BotIdentity) -> None:
        self.bot = bot
        # More workspaces that installed the app over OAuth: their bot tokens and identities.
        self.identities: dict[str, BotIdentity] = {}
        self.install_codes: dict[str, tuple[str, str]] = {}  # code -> (token, installer)
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
        self.handlers: dict[str, Callable[[Json], Json]] = {
            "auth.test": self.auth_test,
            "oauth.v2.access": self.oauth_v2_access,
            "users.info": self.users_info,
            "users.list": self.users_list,
            "users.lookupByEmail": self.users_lookup_by_email,
            "conversations.open": self.conversations_open,
            "conversations.history": self.conversations_history,
            "conversations.info": self.conversations_info,
            "conversations.replies": self.conversations_replies,
            "chat.postMessage": self.chat_post_message,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "chat.update": self.chat_update,
            "chat.delete": self.chat_delete,
            "views.open": self.views_open,
            "views.push": self.views_open,
            "views.update": self.views_update,
            "views.publish": self.views_publish,
            "files.getUploadURLExternal": self.files_get_upload_url,
            "files.completeUploadExternal": self.files_complete_upload,
            "files.info": self.files_info,
            "apps.connections.open": self.apps_connections_open,
        }

    def call(self, method: str, args: Json) -> Json:
        """Run a method; methods in the contract without an implementation answer ok."""
        handler = self.handlers.get(method)
        return handler(args) if handler else {"ok": True}

    # -- helpers ------------------------------------------------------------------------

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

    # -- methods --------------------------------------------------------------------------

    def identity(self, token: str | None) -> BotIdentity:
        """The workspace a token belongs to: an OAuth install's, else the default one."""
        return self.identities.get(token or "", self.bot)

    def auth_test(self, args: Json) -> Json:
        """auth.test: who the bot token belongs to."""
        bot = self.identity(self.current_token)
        return {
            "ok": True,
            "url": f"https://{bot.team_name}.slack.com/",
            "team": bot.team_name,
            "user": "mentorbot",
            "team_id": bot.team_id,
            "user_id": bot.bot_user_id,
            "bot_id": bot.bot_id,
            "is_enterprise_install": False,
        }

    def oauth_v2_access(self, args: Json) -> Json:
        """oauth.v2.access: exchange an install's code (used once) for its bot token."""
        found = self.install_codes.pop(str(args.get("code") or ""), None)
        if found is None:
            raise SlackError("invalid_code")
        token, installer = found
        bot = self.identities[token]
        return {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": "commands,chat:write",
            "bot_user_id": bot.bot_user_id,
            "app_id": bot.app_id,
            "team": {"id": bot.team_id, "name": bot.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": installer},
        }

    def users_info(self, args: Json) -> Json:
        """users.info: one user, or user_not_found."""
        return {"ok": True, "user": user_object(self.bot, self.user(args.get("user")))}

    def users_list(self, args: Json) -> Json:
        """users.list: every member of the token's workspace, in one page."""
        team_id = self.identity(self.current_token).team_id
        members = [
            user_object(self.bot, user)
            for user in self.users.values()
            if (user.team_id or self.bot.team_id) == team_id
        ]
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}

    def users_lookup_by_email(self, args: Json) -> Json:
        """users.lookupByEmail: the user with that email, or users_not_found."""
        email = str(args.get("email", "")).lower()
        for user in self.users.values():
            if user.email and user.email.lower() == email:
                return {"ok": True, "user": user_object(self.bot, user)}
        raise SlackError("users_not_found")

    def conversations_open(self, args: Json) -> Json:
        """conversations.open: a DM (one user) or group DM (several), or an existing channel."""
        if args.get("channel"):
            return {"ok": True, "channel": {"id": str(args["channel"])}}
        users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
        if not users:
            raise SlackError("users_list_not_supplied")
        accounts = [self.user(user_id) for user_id in users]
        if any(account.deleted for account in accounts):
            raise SlackError("user_disabled")
        if len(users) == 1:
            channel: Json = {"id": self.dm_channel_for(users[0])}
            if truthy(args.get("return_im")):
                channel.update(is_im=True, user=users[0], created=int(time.time()))
        else:
            channel = {"id": conversation_id("G", [*users, self.bot.bot_user_id]), "is_mpim": True}
        self.messages.setdefault(channel["id"], [])
        return {"ok": True, "channel": channel}

    def conversations_history(self, args: Json) -> Json:
        """conversations.history: top-level messages newest first, with limit and ts window."""
        channel = self.resolve_channel(args.get("channel"))
        self.check_access(channel)
        inclusive = truthy(args.get("inclusive"))
        oldest = float(args.get("oldest") or 0)
        latest = float(args["latest"]) if args.get("latest") else float("inf")
        with_metadata = truthy(args.get("include_all_metadata"))
        shown = []
        for message in reversed(self.messages.get(channel, [])):
            ts = float(message["ts"])
            inside = oldest <= ts <= latest if inclusive else oldest < ts < latest
            reply = message.get("thread_ts", message["ts"]) != message["ts"]
            if inside and (not reply or message.get("reply_broadcast")):
                shown.append(self._public(message, with_metadata))
        start = int(args.get("cursor") or 0)
        limit = int(args.get("limit") or 100)
        page = shown[start : start + limit]
        more = start + limit < len(shown)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "pin_count": 0,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def conversations_info(self, args: Json) -> Json:
        """conversations.info: a registered channel, a member's DM, or one with messages."""
        channel = str(args.get("channel") or "")
        registered = self.channels.get(channel)
        if registered is not None:
            if registered.is_private and not registered.bot_is_member:
                raise SlackError("channel_not_found")
            counted = truthy(args.get("include_num_members"))
            return {"ok": True, "channel": channel_object(self.bot, registered, counted)}
        member = self.dm_user(channel) if channel.startswith("D") else None
        if member is not None:
            im: Json = {
                "id": channel,
                "created": int(time.time()),
                "is_im": True,
                "is_org_shared": False,
                "context_team_id": self.bot.team_id,
                "user": member.id,
                "is_user_deleted": member.deleted,
                "priority": 0,
            }
            return {"ok": True, "channel": im}
        if channel[:1] in ("C", "G", "D") and channel in self.messages:
            minimal: Json = {
                "id": channel,
                "is_channel": channel.startswith("C"),
                "is_group": False,
                "is_im": channel.startswith("D"),
                "is_mpim": channel.startswith("G"),
                "is_private": not channel.startswith("C"),
                "is_archived": False,
                "is_member": True,
            }
            return {"ok": True, "channel": minimal}
        raise SlackError("channel_not_found")

    def conversations_replies(self, args: Json) -> Json:
        """conversations.replies: a thread's parent and replies, oldest first."""
        channel = self.resolve_channel(args.get("channel"))
        self.check_access(channel)
        parent = self.find_message(channel, args.get("ts"))
        thread = [
            self._public(m, truthy(args.get("include_all_metadata")))
            for m in self.messages[channel]
            if m is parent or m.get("thread_ts") == parent["ts"]
        ]
        return {"ok": True, "messages": thread, "has_more": False}

    def chat_post_message(self, args: Json) -> Json:
        """chat.postMessage: store the message in its channel and return it."""
        channel = self.resolve_channel(args.get("channel"))
        self.check_access(channel, posting=True)
        message = self._new_message(args, self.next_ts())
        self.messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def chat_post_ephemeral(self, args: Json) -> Json:
        """chat.postEphemeral: store a message only one user sees."""
        channel = self.resolve_channel(args.get("channel"))
        message = self._new_message(args, self.next_ts())
        self.ephemerals.append({**message, "channel": channel, "to_user": str(args["user"])})
        return {"ok": True, "message_ts": message["ts"]}

    def chat_update(self, args: Json) -> Json:
        """chat.update: change a stored message's text, blocks, attachments or metadata."""
        channel = self.resolve_channel(args.get("channel"))
        self.check_access(channel)
        message = self.find_message(channel, args.get("ts"))
        for key in ("text", "blocks", "attachments", "metadata"):
            if args.get(key) is not None:
                message[key] = args[key] if key == "text" else parse_json_arg(args[key])
        message["edited"] = {"user": self.bot.bot_user_id, "ts": self.next_ts()}
        return {
            "ok": True,
            "channel": channel,
            "ts": message["ts"],
            "text": message["text"],
            "message": message,
        }

    def chat_delete(self, args: Json) -> Json:
        """chat.delete: remove a stored message."""
        channel = self.resolve_channel(args.get("channel"))
        message = self.find_message(channel, args.get("ts"))
        self.messages[channel].remove(message)
        return {"ok": True, "channel": channel, "ts": message["ts"]}

    def views_open(self, args: Json) -> Json:
        """views.open / views.push: store a modal; a trigger_id we issued works only once."""
        trigger = str(args.get("trigger_id"))
        if self.triggers.get(trigger):
            raise SlackError("exchanged_trigger_id")
        if trigger in self.triggers:
            self.triggers[trigger] = True
        view = view_object(self.bot, parse_json_arg(args["view"]), self.next_id("V"))
        self.views[view["id"]] = view
        return {"ok": True, "view": view}

    def views_update(self, args: Json) -> Json:
        """views.update: replace a stored view, by view_id or external_id."""
        current = self.views.get(str(args.get("view_id") or ""))
        if current is None and args.get("external_id"):
            matches = [v for v in self.views.values() if v["external_id"] == args["external_id"]]
            current = matches[0] if matches else None
        if current is None:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        view = view_object(self.bot, parse_json_arg(args["view"]), current["id"])
        view["root_view_id"] = current["root_view_id"]
        self.views[view["id"]] = view
        return {"ok": True, "view": view}

    def views_publish(self, args: Json) -> Json:
        """views.publish: store a user's App Home view."""
        user_id = str(args["user_id"])
        current = self.home_views.get(user_id)
        if current and args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        view_id = current["id"] if current else self.next_id("V")
        view = view_object(self.bot, parse_json_arg(args["view"]), view_id)
        self.home_views[user_id] = self.views[view_id] = view
        return {"ok": True, "view": view}

    def files_get_upload_url(self, args: Json) -> Json:
        """files.getUploadURLExternal: reserve a file id and an upload URL on the stand-in."""
        file_id = self.next_id("F")
        self.files[file_id] = UploadedFile(file_id, str(args["filename"]), int(args["length"]))
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def receive_upload(self, file_id: str, data: bytes) -> bool:
        """Store the bytes POSTed to an upload URL; False when the file id is unknown."""
        upload = self.files.get(file_id)
        if upload is None:
            return False
        upload.data = data
        return True

    def files_complete_upload(self, args: Json) -> Json:
        """files.completeUploadExternal: finish uploads and share them where asked."""
        items = parse_json_arg(args["files"])
        uploads: list[UploadedFile] = []
        for item in items if isinstance(items, list) else []:
            upload = self.files.get(str(item.get("id")))
            if upload is None or upload.data is None:
                raise SlackError("file_not_found")
            upload.title = item.get("title") or upload.filename
            uploads.append(upload)
        if not uploads:
            raise SlackError("invalid_arguments")
        names = [args.get("channel_id"), *str(args.get("channels") or "").split(",")]
        channels = [self.resolve_channel(name) for name in names if name]
        objects = [file_object(self.bot, upload) for upload in uploads]
        for upload in uploads:
            upload.completed = True
            upload.channels = channels
            upload.initial_comment = args.get("initial_comment")
            upload.thread_ts = args.get("thread_ts")
        for channel in channels:
            text = args.get("initial_comment") or ""
            message = {**self._new_message({"text": text}, self.next_ts()), "files": objects}
            self.messages.setdefault(channel, []).append({**message, "upload": True})
        return {"ok": True, "files": objects}

    def files_info(self, args: Json) -> Json:
        """files.info: a file a member shared or the bot uploaded, or file_not_found."""
        file_id = str(args.get("file") or "")
        shared = self.shared_files.get(file_id)
        upload = self.files.get(file_id)
        if shared is not None and shared.deleted:
            raise SlackError("file_deleted")
        if shared is not None:
            file = shared_file_object(self.bot, self.base_url, shared)
        elif upload is not None and upload.completed:
            file = file_object(self.bot, upload)
        else:
            raise SlackError("file_not_found")
        return {
            "ok": True,
            "file": file,
            "comments": [],
            "response_metadata": {"next_cursor": ""},
        }

    def apps_connections_open(self, args: Json) -> Json:
        """apps.connections.open: a Socket Mode URL (not actually served)."""
        host = self.base_url.removeprefix("http://")
        return {"ok": True, "url": f"ws://{host}/link/?ticket={uuid.uuid4()}"}
