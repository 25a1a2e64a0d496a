"""Setting up the stand-in's workspace: members, channels, shared files, installs, and the
response URLs and trigger ids Slack issues."""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from mentorbot.standin.objects import BotIdentity, Json, StandinChannel, StandinUser
from mentorbot.standin.state import StandinState


class StandinSetup(StandinState):
    """What a test puts in the workspace before the bot runs."""

    def add_user(
        self,
        user_id: str,
        name: str,
        tz: str = "Europe/London",
        email: str | None = None,
        deleted: bool = False,
        is_bot: bool = False,
        *,
        real_name: str | None = None,
        team_id: str | None = None,
        locale: str = "en-US",
    ) -> StandinUser:
        """Add a workspace member (tz must be an IANA zone name), of the stand-in's own
        workspace unless `team_id` names another: users.info shows anyone, with their team_id,
        as Slack shows a member of another workspace through a shared channel."""
        ZoneInfo(tz)
        user = StandinUser(
            user_id, name, real_name or name, tz, email, deleted, is_bot, team_id or None
        )
        user.locale = locale
        with self._lock:
            self._workspace.users[user_id] = user
        return user

    def set_status(
        self, user_id: str, emoji: str = "", text: str = "", expiration: int = 0
    ) -> StandinUser:
        """Set a member's Slack status (as they would in Slack); returns the member, whose
        `user_object` a test sends in a `user_change` event."""
        with self._lock:
            user = self._workspace.users[user_id]
            user.status_emoji, user.status_text = emoji, text
            user.status_expiration = expiration
        return user

    def user(self, user_id: str) -> StandinUser | None:
        """Return a member added with add_user, or None."""
        with self._lock:
            return self._workspace.users.get(user_id)

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        members: Sequence[str] = (),
        bot_is_member: bool = True,
        is_private: bool = False,
        archived: bool = False,
    ) -> StandinChannel:
        """Register a channel; the bot can post and read there only while it is a member."""
        channel = StandinChannel(
            channel_id, name, list(members), bot_is_member, is_private, archived
        )
        with self._lock:
            self._workspace.channels[channel_id] = channel
        return copy.deepcopy(channel)

    def invite_bot(self, channel_id: str) -> None:
        """Make the bot a member of a registered channel, as /invite @mentorbot does."""
        with self._lock:
            channel = self._workspace.channels.get(channel_id)
            if channel is None:
                raise KeyError(f"{channel_id} was not registered with add_channel")
            channel.bot_is_member = True

    def channel(self, channel_id: str) -> StandinChannel | None:
        """Return a channel registered with add_channel, or None."""
        with self._lock:
            return copy.deepcopy(self._workspace.channels.get(channel_id))

    def share_file_in_dm(
        self,
        user_id: str,
        filename: str,
        content: bytes,
        *,
        filetype: str = "csv",
        mimetype: str = "text/csv",
        text: str = "",
    ) -> Json:
        """Post a member's message sharing a file in their DM with the bot; return the file."""
        if not self._workspace.base_url:
            raise RuntimeError("start the Slack stand-in first: file URLs point at it")
        with self._lock:
            file = self._workspace.share_file(user_id, filename, content, filetype, mimetype, text)
        return copy.deepcopy(file)

    def delete_shared_file(self, file_id: str) -> None:
        """Delete a file a member shared (as they can in Slack): history shows a tombstone,
        files.info answers file_deleted, its URLs find nothing."""
        with self._lock:
            self._workspace.delete_shared_file(file_id)

    def approve_install(
        self, team_id: str, team_name: str, installer: str, *, bot_user_id: str | None = None
    ) -> str:
        """Play Slack's "Allow" page: another workspace installs the app; returns the code.

        The code is exchanged once (oauth.v2.access) for that workspace's own bot token.
        """
        token = f"xoxb-{team_id.lower()}-{uuid.uuid4().hex[:12]}"
        bot = BotIdentity(
            team_id,
            team_name,
            bot_user_id or f"U0BOT{team_id[-4:]}",
            f"B0{team_id[-6:]}",
            self.app_id,
        )
        code = f"code-{uuid.uuid4().hex}"
        with self._lock:
            self._workspace.identities[token] = bot
            self._workspace.install_codes[code] = (token, installer)
        return code

    def approve_sign_in(self, team_id: str, user_id: str) -> str:
        """Play Slack's Sign in with Slack page: the person signs in; returns the code, which
        openid.connect.token exchanges once for their token."""
        code = f"oidc-{uuid.uuid4().hex}"
        with self._lock:
            self._workspace.sign_in_codes[code] = (team_id, user_id)
        return code

    def revoke_tokens(self, team_id: str) -> None:
        """Revoke every token of a workspace, as uninstalling the app does."""
        with self._lock:
            for token, bot in self._workspace.identities.items():
                if bot.team_id == team_id:
                    self._workspace.revoked.add(token)

    def new_response_url(self) -> str:
        """Issue a response_url on the stand-in, as Slack sends with commands and actions."""
        key = str(uuid.uuid4())
        with self._lock:
            self._response_uses[key] = 0
        return f"{self.base_url}/response/{key}"

    def new_trigger_id(self) -> str:
        """Issue a trigger_id that views.open/views.push accept once."""
        trigger = f"{int(time.time())}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex}"
        with self._lock:
            self._workspace.triggers[trigger] = False
        return trigger
