"""Cleaning text people type before it is stored."""

from __future__ import annotations

import re

# C0 control characters other than tab and newline (NUL among them: PostgreSQL refuses it).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_user_text(value: str) -> str:
    """Drop control characters, keep tabs and line breaks, trim the ends."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
