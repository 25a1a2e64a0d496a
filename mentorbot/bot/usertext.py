"""Cleaning text people type before it is stored."""

from __future__ import annotations

import re

# C0 control characters other than tab and newline (NUL among them: PostgreSQL refuses it).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def from_slack_text(value: str) -> str:
    """Undo Slack's escaping of a message's or a slash command's text.

    Slack sends a typed `<`, `>` and `&` as `&lt;`, `&gt;` and `&amp;` (its own mentions and
    links stay `<…>`). Stored text is what the person typed; it is escaped again whenever
    it is shown, so nothing typed can ping or link.
    """
    return value.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def clean_user_text(value: str) -> str:
    """Drop control characters, keep tabs and line breaks, trim the ends."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


_WHOLE = re.compile(r"[0-9]{1,18}")


def is_whole_number(value: str) -> bool:
    """True for plain ASCII digits that fit a database id (str.isdigit also accepts "²")."""
    return _WHOLE.fullmatch(value) is not None
