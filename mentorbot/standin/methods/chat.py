"""chat.postMessage, .postEphemeral, .update and .delete."""

from __future__ import annotations

from mentorbot.standin.contract import parse_json_arg
from mentorbot.standin.methods.workspace import WorkspaceState
from mentorbot.standin.objects import Json


class ChatMethods(WorkspaceState):
    """The bot's messages: posting, changing, deleting."""

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
