"""conversations.open, .history, .info and .replies."""

from __future__ import annotations

import time

from mentorbot.standin.methods.workspace import WorkspaceState
from mentorbot.standin.objects import Json, SlackError, channel_object, conversation_id, truthy


class ConversationsMethods(WorkspaceState):
    """DMs and channels, and the messages in them."""

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
