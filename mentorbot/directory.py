"""Finding people in Slack: a member ID (users.info) or an e-mail (users.lookupByEmail)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from mentorbot.bot.errors import Reason
from mentorbot.bot.services.imports import Person, named

NOT_FOUND = ("user_not_found", "users_not_found")


@dataclass(frozen=True)
class Directory:
    """What Slack said about each value: a Person (and their profile) or why not."""

    people: dict[str, Person | Reason]
    profiles: dict[str, dict[str, Any]]


def look_up(
    client: WebClient,
    values: Iterable[str],
    *,
    team_id: str,
    who: Callable[[str, str | None], str] = named,
    progress: Callable[[], None] | None = None,
) -> Directory:
    """Resolve each value once, in workspace `team_id`; bots, deactivated accounts and people
    of other workspaces are refused with a reason that names them by `who(value, name)`.

    A member of another workspace (Slack shows them through a shared channel) is named as
    unknown, by the value alone: nothing of theirs is kept.
    """
    people: dict[str, Person | Reason] = {}
    profiles: dict[str, dict[str, Any]] = {}
    for value in dict.fromkeys(values):
        by_email = "@" in value
        try:
            if by_email:
                user = client.users_lookupByEmail(email=value)["user"]
            else:
                # (with their locale: they read messages in its language)
                user = client.users_info(user=value, include_locale=True)["user"]
        except SlackApiError as error:
            if error.response.get("error") not in NOT_FOUND:
                raise
            user = None
        name = (user.get("real_name") or user.get("name") or None) if user else None
        if user is None or not in_workspace(user, team_id):
            people[value] = (
                Reason("directory/no_such_email", email=value)
                if by_email
                else Reason("directory/unknown", who=who(value, None))
            )
        elif user.get("deleted"):
            people[value] = Reason("directory/deactivated", who=who(value, name))
        elif user.get("is_bot") or user.get("is_app_user"):
            people[value] = Reason("directory/an_app", who=who(value, name))
        else:
            people[value] = Person(str(user["id"]), str(name) if name else None)
            profiles[str(user["id"])] = user
        if progress:
            progress()
    return Directory(people, profiles)


def in_workspace(user: dict[str, Any], team_id: str) -> bool:
    """Whether a user Slack showed is a member of this workspace (in an Enterprise Grid org,
    one of the workspaces they belong to)."""
    teams = (user.get("enterprise_user") or {}).get("teams") or []
    return user.get("team_id") == team_id or team_id in teams
