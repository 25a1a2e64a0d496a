"""Finding people in Slack: a member ID (users.info) or an e-mail (users.lookupByEmail)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from mentorbot.bot.services.pair_import import Person

NOT_FOUND = ("user_not_found", "users_not_found")


@dataclass(frozen=True)
class Directory:
    """What Slack said about each value: a Person (and their profile) or why not."""

    people: dict[str, Person | str]
    profiles: dict[str, dict[str, Any]]


def look_up(
    client: WebClient, values: Iterable[str], *, progress: Callable[[], None] | None = None
) -> Directory:
    """Resolve each value once; bots and deactivated accounts are refused with a reason."""
    people: dict[str, Person | str] = {}
    profiles: dict[str, dict[str, Any]] = {}
    for value in dict.fromkeys(values):
        by_email = "@" in value
        try:
            if by_email:
                user = client.users_lookupByEmail(email=value)["user"]
            else:
                user = client.users_info(user=value)["user"]
        except SlackApiError as error:
            if error.response.get("error") not in NOT_FOUND:
                raise
            people[value] = (
                f"nobody in this workspace has the e-mail address {value}."
                if by_email
                else f"{value} is not a member of this workspace."
            )
        else:
            if user.get("deleted"):
                people[value] = f"{value}'s Slack account is deactivated."
            elif user.get("is_bot") or user.get("is_app_user"):
                people[value] = f"{value} is an app, not a person."
            else:
                people[value] = Person(str(user["id"]))
                profiles[str(user["id"])] = user
        if progress:
            progress()
    return Directory(people, profiles)
