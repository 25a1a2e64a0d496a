"""The one Jinja environment: every word the bot says lives in `templates/`."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined

from mentorbot.bot import languages

# Block Kit limits (https://api.slack.com/reference/block-kit/blocks).
SECTION_TEXT_LIMIT = 3000
MESSAGE_TEXT_LIMIT = 40000
# How much of what someone typed an error message quotes back.
QUOTE_LIMIT = 100


# Marks around what someone typed, quoted in one of the bot's sentences (see `quoted`):
# characters from Unicode's private use area, which no rendered message keeps.
_QUOTE_START, _QUOTE_END = "\ue000", "\ue001"
_QUOTED = re.compile(f"{_QUOTE_START}(.*?){_QUOTE_END}", re.DOTALL)


def plain(value: object) -> str:
    """The text without the marks `quoted` adds (for plain text: logs, a form field's error)."""
    return str(value).replace(_QUOTE_START, "").replace(_QUOTE_END, "")


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """Mark what someone typed, when a sentence of the bot's quotes it (`"x" is not a date`).

    The `mentions` filter lets the bot's own mentions through but escapes a marked part
    whole, so a typed `<@U123>` is shown as typed, never rendered as a mention. A long
    value is cut to `limit` characters.
    """
    return _QUOTE_START + truncate(plain(value), limit) + _QUOTE_END


def escape_mrkdwn(value: object) -> str:
    """Escape user text for Slack: only `&`, `<` and `>` carry meaning (mentions, links)."""
    return plain(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_MENTION = re.compile(r"&lt;([@#][UWCG][A-Z0-9]{2,})&gt;")


def escape_keeping_mentions(value: object) -> str:
    """Escape like `escape_mrkdwn`, but let mentions of people and channels through.

    For the bot's own sentences that name people (`<@U123> already has a mentor`) and may
    quote what someone typed: a part marked with `quoted` stays escaped, mentions and all.
    A mention cannot page a crowd; `<!channel>` stays escaped.
    """
    text, parts, start = str(value), [], 0
    for found in _QUOTED.finditer(text):
        parts.append(_MENTION.sub(r"<\1>", escape_mrkdwn(text[start : found.start()])))
        parts.append(escape_mrkdwn(found.group(1)))
        start = found.end()
    parts.append(_MENTION.sub(r"<\1>", escape_mrkdwn(text[start:])))
    return "".join(parts)


# The start of `&amp;`, `&lt;` or `&gt;` that a cut left without its end.
_CUT_ENTITY = re.compile(r"&(?:a|am|amp|l|lt|g|gt)?$")


def truncate(value: str, limit: int = SECTION_TEXT_LIMIT, ellipsis: str = "…") -> str:
    """Cut text to `limit` characters, marking the cut (and never halving an escape)."""
    if len(value) <= limit:
        return value
    return _CUT_ENTITY.sub("", value[: limit - len(ellipsis)]) + ellipsis


def _tojson(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def slack_date(moment: datetime, zone: ZoneInfo | None = None) -> str:
    """A moment Slack shows in each reader's own time zone, in the language being rendered;
    the fallback (for clients that cannot) uses `zone`."""
    local = moment.astimezone(zone or UTC)
    fallback = f"{languages.format_day(local, 'moment')} {local.strftime('%Z')}"
    return f"<!date^{int(moment.timestamp())}^{languages.slack_date_tokens()}|{fallback}>"


def local_date(value: Any, style: str = "long", zone: ZoneInfo | None = None) -> str:
    """A day, time or moment in the language being rendered (`languages.DATE_PATTERNS`); a
    moment is first put in `zone`, when given."""
    if zone is not None and isinstance(value, datetime):
        value = value.astimezone(zone)
    return languages.format_day(value, style)


def _variable(name: str) -> str:
    """How a coordinator writes a template variable: `{{ week }}`."""
    return "{{ " + name + " }}"


def _environment(*, autoescape: bool) -> Environment:
    """The templates folder with the options every environment shares: StrictUndefined,
    trimmed blocks, no reloading (the templates ship inside the package, so none is stat'ed
    at every render), and translation into the language being rendered (`languages`)."""
    env = Environment(
        loader=PackageLoader("mentorbot", "templates"),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,
    )
    env.filters["cut"] = truncate
    env.filters["date"] = local_date
    env.filters["number"] = languages.format_number
    # Every word in a `{% trans %}` block or `_()` is looked up in the reader's language;
    # whitespace inside a block is collapsed, so a sentence may wrap in the template.
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=languages.gettext,
        ngettext=languages.ngettext,
        pgettext=languages.pgettext,
        npgettext=languages.npgettext,
        newstyle=True,
    )
    env.globals["language"] = languages.current
    env.globals["utc"] = UTC
    env.filters["language_name"] = lambda code: languages.language_name(
        code, in_language=languages.current()
    )
    env.filters["language_code"] = lambda code: f"`{code}` ({languages.language_name(code)})"
    return env


@cache
def environment() -> Environment:
    """Slack's environment: no HTML autoescape; mrkdwn filters (`mrkdwn` escapes)."""
    env = _environment(autoescape=False)
    env.filters["mrkdwn"] = escape_mrkdwn
    env.filters["mentions"] = escape_keeping_mentions
    env.filters["quoted"] = quoted
    env.filters["json"] = _tojson
    env.filters["variable"] = _variable
    env.filters["slackdate"] = slack_date
    return env


@cache
def html_environment() -> Environment:
    """The web dashboard's environment: the same templates folder, HTML autoescaped."""
    return _environment(autoescape=True)


def render_html(name: str, /, **context: Any) -> str:
    """Render a dashboard page (`templates/dashboard/*.html.j2`), every value escaped."""
    return html_environment().get_template(name).render(**context)


def render_text(name: str, /, **context: Any) -> str:
    """Render an mrkdwn template to a string."""
    return environment().get_template(name).render(**context).strip()


def template_words(name: str) -> Any:
    """A template's macros, to call from code (`template_words("x.j2").title(name=…)`): for
    short words that are not a whole message, such as a calendar event's title. A module of
    its own each time (Jinja's `.module` is made once, in the first language asked for)."""
    return environment().get_template(name).make_module()


def render_json(name: str, /, **context: Any) -> Any:
    """Render a Block Kit JSON template (blocks, a message or a view) to Python data."""
    return json.loads(environment().get_template(name).render(**context))
