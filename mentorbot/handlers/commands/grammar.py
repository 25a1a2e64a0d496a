"""Splitting slash command text into words, people, channels, dates and options.

Slack escapes what people pick from its autocomplete (the manifest sets `should_escape`):
a person arrives as `<@U123|name>` or `<@U123>`, a channel as `<#C123|name>` or `<#C123>`.
Whatever cannot be read raises BadInput with an example, so the person learns the grammar.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from mentorbot.bot.errors import BadInput, Example
from mentorbot.bot.usertext import from_slack_text, is_whole_number

# An escaped mention or channel (which may hold spaces in its label) or a plain word.
_TOKEN = re.compile(r"<[^>]*>|\S+")
_PERSON = re.compile(r"<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([CGD][A-Z0-9]{2,})(?:\|[^>]*)?>")


@dataclass(frozen=True)
class CommandText:
    """`/checkin goal Ship it` → word "goal", rest "Ship it", raw text kept."""

    word: str
    rest: str
    raw: str

    @classmethod
    def parse(cls, text: str | None) -> CommandText:
        """Parse Slack's `text` field (may be empty)."""
        raw = (text or "").strip()
        word, _, rest = raw.partition(" ")
        return cls(word=word.lower(), rest=rest.strip(), raw=raw)

    @classmethod
    def from_slack(cls, text: str | None) -> CommandText:
        """Parse a slash command's `text` as Slack sends it (with `&lt;` for a typed `<`)."""
        return cls.parse(from_slack_text(text or ""))

    def next(self) -> CommandText:
        """The text after this word: `cohort create X` → word "create", rest "X"."""
        return CommandText.parse(self.rest)

    def tokens(self) -> list[str]:
        """The words after the subcommand; a mention or channel is one word."""
        return _TOKEN.findall(self.rest)


def person(token: str | None, *, example: Example) -> str:
    """The Slack user ID in a mention such as `<@U123|ana>`."""
    found = _PERSON.fullmatch(token or "")
    if found:
        return found.group(1)
    if token and token.startswith("@"):
        raise BadInput("grammar/unknown_person", token=token, example=example)
    raise BadInput("grammar/not_a_person", token=token, example=example)


def channel(token: str | None, *, example: Example) -> str:
    """The Slack channel ID in a channel link such as `<#C123|cohort>`."""
    found = _CHANNEL.fullmatch(token or "")
    if found:
        return found.group(1)
    if token and token.startswith("#"):
        raise BadInput("grammar/unknown_channel", token=token, example=example)
    raise BadInput("grammar/not_a_channel", token=token, example=example)


def a_date(value: str, *, example: Example) -> date:
    """A calendar date written YYYY-MM-DD."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput("grammar/not_a_date", value=value, example=example) from None


def whole_number(value: str, *, example: Example, low: int, high: int, what: str) -> int:
    """A whole number between `low` and `high`; `what` names it (`weeks`, `capacity`)."""
    if not is_whole_number(value) or not low <= int(value) <= high:
        raise BadInput("grammar/out_of_range", what=what, low=low, high=high, example=example)
    return int(value)


def options(
    tokens: list[str], spec: dict[str, Callable[[str], Any]], *, example: Example
) -> dict[str, Any]:
    """Read `keyword value` pairs (e.g. `weeks 12 cadence weekly`) with a reader per keyword.

    A keyword's value runs to the next keyword, so a cohort name may have spaces.
    """
    found: dict[str, Any] = {}
    index = 0
    while index < len(tokens):
        keyword = tokens[index].lower()
        if keyword not in spec:
            word = tokens[index]
            raise BadInput("grammar/unknown_option", word=word, known=list(spec), example=example)
        if keyword in found:
            raise BadInput("grammar/given_twice", keyword=keyword, example=example)
        end = index + 1
        while end < len(tokens) and tokens[end].lower() not in spec:
            end += 1
        value = " ".join(tokens[index + 1 : end])
        if not value:
            raise BadInput("grammar/no_value", keyword=keyword, example=example)
        try:
            found[keyword] = spec[keyword](value)
        except BadInput as problem:  # show the whole command as the example
            raise BadInput(problem.code, **{**problem.context, "example": example}) from None
        index = end
    return found
