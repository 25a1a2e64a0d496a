"""Finding a message that may have reached Slack, by the dedupe key in its metadata.

Slack allows conversations.history rarely to apps not approved for its Marketplace (about a
request a minute, 15 messages a page), so a look is narrow: only messages after the first
attempt, a small page, a few pages at most. A look that cannot tell (the conversation had
more messages since than it reads, or Slack did not answer) says so, and after a few such
looks the message is recorded as possibly delivered rather than sent again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient

METADATA_EVENT_TYPE = "mentorbot_delivery"
PAGE = 15  # messages a page: the most Slack gives apps outside its Marketplace
PAGES = 3  # pages a look reads at most
# Slack's clock and ours may differ a little: the look starts this much before the attempt.
SKEW = timedelta(minutes=5)
# Looks that could not tell, after which a message is recorded as possibly delivered.
MAX_LOOKUPS = 3


@dataclass(frozen=True)
class Look:
    """What a look found: the message's ts, or none; `sure` is False when it could not tell."""

    ts: str | None
    sure: bool
    calls: int


def metadata_for(dedupe_key: str) -> dict[str, Any]:
    """The metadata every message carries, for a look to find it by."""
    return {"event_type": METADATA_EVENT_TYPE, "event_payload": {"dedupe_key": dedupe_key}}


def find_delivered(
    client: WebClient, channel: str, dedupe_key: str, *, since: datetime | None
) -> Look:
    """Look in `channel` for the message carrying `dedupe_key`, among those posted from
    `since` (the first attempt) on; raises what the Web API raises."""
    cursor = None
    oldest = f"{(since - SKEW).timestamp():.6f}" if since else None
    for page_number in range(1, PAGES + 1):
        arguments: dict[str, Any] = {
            "channel": channel,
            "limit": PAGE,
            "include_all_metadata": True,
        }
        if oldest:
            arguments["oldest"] = oldest
        if cursor:
            arguments["cursor"] = cursor
        page = client.conversations_history(**arguments)
        for message in page.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if (
                metadata.get("event_type") == METADATA_EVENT_TYPE
                and payload.get("dedupe_key") == dedupe_key
            ):
                return Look(str(message["ts"]), sure=True, calls=page_number)
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not page.get("has_more") or not cursor:
            return Look(None, sure=True, calls=page_number)
    return Look(None, sure=False, calls=PAGES)
