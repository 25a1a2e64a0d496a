"""Reading what the bot sent: every string in a Slack payload."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any


def strings_in(
    value: Any, *, skip_keys: frozenset[str] = frozenset(), skip_plain_text: bool = False
) -> Iterator[str]:
    """Every string in a payload, JSON strings unpacked; leaving out the values of
    `skip_keys`, and with `skip_plain_text` the plain_text objects (Slack never renders those
    as mrkdwn)."""
    if isinstance(value, str):
        if value[:1] in "[{":
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = None
            if isinstance(parsed, list | dict):
                yield from strings_in(parsed, skip_keys=skip_keys, skip_plain_text=skip_plain_text)
                return
        yield value
    elif isinstance(value, dict):
        if skip_plain_text and value.get("type") == "plain_text":
            return
        for key, item in value.items():
            if key not in skip_keys:
                yield from strings_in(item, skip_keys=skip_keys, skip_plain_text=skip_plain_text)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item, skip_keys=skip_keys, skip_plain_text=skip_plain_text)
