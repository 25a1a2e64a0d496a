"""auth.test, oauth.v2.access, openid.connect.* and apps.connections.open: a token's owner,
installs, Sign in with Slack, Socket Mode."""

from __future__ import annotations

import uuid

from mentorbot.standin.methods.workspace import WorkspaceState
from mentorbot.standin.objects import Json, SlackError


class AuthMethods(WorkspaceState):
    """Who a token belongs to, an install's token, a Socket Mode URL."""

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

    def openid_connect_token(self, args: Json) -> Json:
        """openid.connect.token: exchange a sign-in code (used once) for a user's token."""
        found = self.sign_in_codes.pop(str(args.get("code") or ""), None)
        if found is None:
            raise SlackError("invalid_code")
        # (The app's client ID and secret come as HTTP Basic auth, as slack_sdk sends them.)
        token = f"xoxp-oidc-{uuid.uuid4().hex[:16]}"
        self.user_tokens[token] = found
        return {"ok": True, "access_token": token, "token_type": "Bearer", "id_token": "x.y.z"}

    def openid_connect_user_info(self, args: Json) -> Json:
        """openid.connect.userInfo: who a Sign in with Slack token belongs to."""
        found = self.user_tokens.get(self.current_token or "")
        if found is None:
            raise SlackError("invalid_auth")
        team_id, user_id = found
        return {
            "ok": True,
            "sub": user_id,
            "https://slack.com/user_id": user_id,
            "https://slack.com/team_id": team_id,
            "name": user_id.lower(),
        }

    def apps_connections_open(self, args: Json) -> Json:
        """apps.connections.open: a Socket Mode URL (not actually served)."""
        host = self.base_url.removeprefix("http://")
        return {"ok": True, "url": f"ws://{host}/link/?ticket={uuid.uuid4()}"}
