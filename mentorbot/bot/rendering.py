"""The one Jinja environment: every word the bot says lives in `templates/`."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined

# Block Kit limits (https://api.slack.com/reference/block-kit/blocks).
SECTION_TEXT_LIMIT = 3000
MESSAGE_TEXT_LIMIT = 40000


def escape_mrkdwn(value: object) -> str:
    """Escape user text for Slack: only `&`, `<` and `>` carry meaning (mentions, links)."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_MENTION = re.compile(r"&lt;([@#][UWCG][A-Z0-9]{2,})&gt;")


def escape_keeping_mentions(value: object) -> str:
    """Escape like `escape_mrkdwn`, but let mentions of people and channels through.

    For the bot's own sentences that name people (`<@U123> already has a mentor`) and may
    quote what someone typed. A mention cannot page a crowd; `<!channel>` stays escaped.
    """
    return _MENTION.sub(r"<\1>", escape_mrkdwn(value))


def truncate(value: str, limit: int = SECTION_TEXT_LIMIT, ellipsis: str = "…") -> str:
    """Cut text to `limit` characters, marking the cut."""
    return value if len(value) <= limit else value[: limit - len(ellipsis)] + ellipsis


def _tojson(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def slack_date(moment: datetime, zone: ZoneInfo | None = None) -> str:
    """A moment Slack shows in each reader's own time zone; the fallback uses `zone`."""
    fallback = moment.astimezone(zone or UTC).strftime("%A %-d %B %Y at %H:%M %Z")
    return f"<!date^{int(moment.timestamp())}^{{date_long_pretty}} at {{time}}|{fallback}>"


def _variable(name: str) -> str:
    """How a coordinator writes a template variable: `{{ week }}`."""
    return "{{ " + name + " }}"


@cache
def environment() -> Environment:
    """The shared environment: StrictUndefined, no HTML autoescape, an mrkdwn `escape` filter."""
    env = Environment(
        loader=PackageLoader("mentorbot", "templates"),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["mrkdwn"] = escape_mrkdwn
    env.filters["mentions"] = escape_keeping_mentions
    env.filters["cut"] = truncate
    env.filters["json"] = _tojson
    env.filters["variable"] = _variable
    env.filters["slackdate"] = slack_date
    return env


def render_text(name: str, **context: Any) -> str:
    """Render an mrkdwn template to a string."""
    return environment().get_template(name).render(**context).strip()


def render_json(name: str, **context: Any) -> Any:
    """Render a Block Kit JSON template (blocks, a message or a view) to Python data."""
    return json.loads(environment().get_template(name).render(**context))
