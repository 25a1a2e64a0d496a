"""Logging that never shows a Slack token.

slack_sdk logs whole responses at DEBUG level, oauth.v2.access's among them, whose body
holds a workspace's new bot token. Every log record mentorbot's process makes goes through
`redact_tokens` when it is created, whichever library made it and whichever handler writes it.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

# Bot, user, app-level, refresh and configuration tokens: xoxb-…, xoxp-…, xapp-…, xoxe.xoxb-…
_TOKEN = re.compile(r"\b(xox[a-z]|xapp)([.-])[A-Za-z0-9.-]{6,}")
_installed = threading.Lock()
_done = False


def redact_tokens(text: str) -> str:
    """`text` with every Slack token replaced by its kind (`xoxb-…redacted`)."""
    return _TOKEN.sub(lambda match: f"{match.group(1)}{match.group(2)}…redacted", text)


def install_token_redaction() -> None:
    """Redact tokens in every log record from now on (idempotent)."""
    global _done
    with _installed:
        if _done:
            return
        make_record = logging.getLogRecordFactory()

        def redacting(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = make_record(*args, **kwargs)
            try:
                message = record.getMessage()
            except Exception:
                return record  # a broken format is the logging module's to report
            if "xox" in message or "xapp" in message:
                record.msg, record.args = redact_tokens(message), None
            return record

        logging.setLogRecordFactory(redacting)
        _done = True
