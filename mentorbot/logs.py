"""Logging that never shows a Slack token, as text or as one JSON object per line.

slack_sdk logs whole responses at DEBUG level, oauth.v2.access's among them, whose body
holds a workspace's new bot token. Every log record mentorbot's process makes goes through
`redact_tokens` when it is created, whichever library made it and whichever handler writes it.

What a line is about comes from `bind_log_context`: the workspace and the request's id
(around a Slack request), the tick's id (around a tick), the message's kind and dedupe key
(around a delivery). `MENTORBOT_LOG_FORMAT=json` writes them as fields of each line.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

LOG_FORMATS = ("text", "json")
_HANDLER = "mentorbot"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_context: contextvars.ContextVar[tuple[tuple[str, str], ...]] = contextvars.ContextVar(
    "mentorbot_log_context", default=()
)

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
            record.context = dict(_context.get())  # what the line is about, where made
            try:
                message = record.getMessage()
            except Exception:
                return record  # a broken format is the logging module's to report
            if "xox" in message or "xapp" in message:
                record.msg, record.args = redact_tokens(message), None
            return record

        logging.setLogRecordFactory(redacting)
        _done = True


@contextmanager
def bind_log_context(**fields: str | None) -> Iterator[None]:
    """Add `fields` (workspace, request, tick, kind, dedupe_key) to every log line made in
    this block, on this thread (or in a context copied from it)."""
    added = {key: str(value) for key, value in fields.items() if value}
    token = _context.set(tuple({**dict(_context.get()), **added}.items()))
    try:
        yield
    finally:
        _context.reset(token)


def log_context() -> dict[str, str]:
    """The fields bound where the caller runs."""
    return dict(_context.get())


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the bound
    fields and, when there is one, the exception's traceback (tokens redacted in all)."""

    def format(self, record: logging.LogRecord) -> str:
        bound = getattr(record, "context", None) or log_context()
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_tokens(record.getMessage()),
            **bound,
        }
        if record.exc_info:
            line["exception"] = redact_tokens(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: str, log_format: str) -> None:
    """The process's logging: `level`, as text lines or JSON lines (`log_format`)."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    handler.set_name(_HANDLER)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER]:
        root.removeHandler(old)  # configured again: one handler, never two
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
