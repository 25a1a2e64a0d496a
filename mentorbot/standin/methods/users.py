"""users.info, users.list and users.lookupByEmail."""

from __future__ import annotations

from mentorbot.standin.methods.workspace import WorkspaceState
from mentorbot.standin.objects import Json, SlackError, user_object


class UsersMethods(WorkspaceState):
    """The workspace's members."""

    def users_info(self, args: Json) -> Json:
        """users.info: one user, or user_not_found."""
        user = self.user(args.get("user"))
        return {"ok": True, "user": user_object(self.bot, user, with_locale=_locale(args))}

    def users_list(self, args: Json) -> Json:
        """users.list: the members of the token's workspace, `limit` a page (all when 0)."""
        team_id = self.identity(self.current_token).team_id
        members = [
            user_object(self.bot, user, with_locale=_locale(args))
            for user in self.users.values()
            if (user.team_id or self.bot.team_id) == team_id
        ]
        start = int(args.get("cursor") or 0)
        limit = int(args.get("limit") or 0) or len(members)
        more = start + limit < len(members)
        return {
            "ok": True,
            "members": members[start : start + limit],
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def users_lookup_by_email(self, args: Json) -> Json:
        """users.lookupByEmail: the user with that email, or users_not_found."""
        email = str(args.get("email", "")).lower()
        for user in self.users.values():
            if user.email and user.email.lower() == email:
                return {"ok": True, "user": user_object(self.bot, user)}
        raise SlackError("users_not_found")


def _locale(args: Json) -> bool:
    """Whether the call asked for people's locales (`include_locale`, a boolean as a form
    field: `true` or `1`)."""
    return str(args.get("include_locale", "")).lower() in ("true", "1")
