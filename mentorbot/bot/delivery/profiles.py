"""Refreshing the cached Slack profiles (time zones, locales) of people with DMs due, before
sending.

A DM waits for its reader's working hours in their own zone, so a profile a week old is
fetched again first. A workspace with many such people is read a page of 200 at a time
(users.list); one with a few, person by person (users.info). `user_change` events keep
profiles current in between.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.db import unit_of_work
from mentorbot.bot.delivery.claims import due_recipients
from mentorbot.bot.services.members import remember_profiles

log = logging.getLogger(__name__)

# From this many stale people in a workspace on, its members are read in pages.
IN_PAGES_FROM = 10
PAGE = 200  # users.list's page: Slack recommends no more than 200
MOST_PEOPLE = 5_000  # stale people looked at in one drain


def refresh_profiles(
    sessions: sessionmaker[Session], client_for: Callable[[str], WebClient | None], now: datetime
) -> int:
    """Fetch the profiles of people with DMs due whose cached one is missing or old; returns
    how many Web API calls that took."""
    with unit_of_work(sessions) as session:
        people = due_recipients(session, now=now, limit=MOST_PEOPLE)
    by_team: dict[str, set[str]] = {}
    for team_id, user_id in people:
        by_team.setdefault(team_id, set()).add(user_id)
    calls = 0
    for team_id, user_ids in by_team.items():
        client = client_for(team_id)
        if client is None:
            continue
        if len(user_ids) >= IN_PAGES_FROM:
            profiles, made = _listed(client, user_ids)
        else:
            profiles, made = _one_by_one(client, user_ids)
        calls += made
        if profiles:
            with unit_of_work(sessions) as session:
                remember_profiles(session, team_id=team_id, profiles=profiles, now=now)
    return calls


def _listed(client: WebClient, wanted: set[str]) -> tuple[dict[str, dict[str, Any]], int]:
    """The wanted people's profiles from users.list, page by page until all are found."""
    found: dict[str, dict[str, Any]] = {}
    cursor = None
    calls = 0
    try:
        while True:
            page = client.users_list(
                limit=PAGE, include_locale=True, **({"cursor": cursor} if cursor else {})
            )
            calls += 1
            for user in page.get("members") or []:
                if user.get("id") in wanted:
                    found[str(user["id"])] = user
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor or len(found) == len(wanted):
                break
    except (SlackApiError, SlackClientError, OSError) as error:
        log.warning("users.list failed after %d page(s): %s", calls, _reason(error))
        return found, calls
    # Whoever the list did not have (a guest of another organisation, say) is asked for.
    missing, made = _one_by_one(client, wanted - set(found))
    return found | missing, calls + made


def _one_by_one(client: WebClient, wanted: set[str]) -> tuple[dict[str, dict[str, Any]], int]:
    found: dict[str, dict[str, Any]] = {}
    for user_id in sorted(wanted):
        try:
            found[user_id] = client.users_info(user=user_id, include_locale=True)["user"]
        except SlackApiError as error:
            if error.response.get("error") != "user_not_found":
                log.warning("users.info for %s failed: %s", user_id, _reason(error))
                continue
            found[user_id] = {"deleted": True}
        except (SlackClientError, OSError) as error:
            log.warning("users.info for %s failed: %s", user_id, error)
    return found, len(wanted)


def _reason(error: BaseException) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error"))
    return str(error)
