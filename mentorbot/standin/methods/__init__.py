"""The stand-in's workspace state and its Web API method implementations.

`Workspace` runs a method by its name; each family of Slack's methods has a module:

- `workspace`: `WorkspaceState`, the workspace behind the Web API and the helpers its methods share.
- `auth`: auth.test, oauth.v2.access, openid.connect.* and apps.connections.open.
- `users`: users.info, users.list and users.lookupByEmail.
- `conversations`: conversations.open, .history, .info and .replies.
- `chat`: chat.postMessage, .postEphemeral, .update and .delete.
- `views`: views.open, .push, .update and .publish.
- `files`: files.getUploadURLExternal, .completeUploadExternal and .info, and upload bytes.
"""

from __future__ import annotations

from collections.abc import Callable

from mentorbot.standin.methods.auth import AuthMethods
from mentorbot.standin.methods.chat import ChatMethods
from mentorbot.standin.methods.conversations import ConversationsMethods
from mentorbot.standin.methods.files import FilesMethods
from mentorbot.standin.methods.users import UsersMethods
from mentorbot.standin.methods.views import ViewsMethods
from mentorbot.standin.objects import BotIdentity, Json


class Workspace(
    AuthMethods, UsersMethods, ConversationsMethods, ChatMethods, ViewsMethods, FilesMethods
):
    """The workspace and every Web API method the stand-in implements, by Slack's name."""

    def __init__(self, bot: BotIdentity) -> None:
        super().__init__(bot)
        self.handlers: dict[str, Callable[[Json], Json]] = {
            "auth.test": self.auth_test,
            "oauth.v2.access": self.oauth_v2_access,
            "openid.connect.token": self.openid_connect_token,
            "openid.connect.userInfo": self.openid_connect_user_info,
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
