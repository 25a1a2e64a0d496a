"""Reading "away" from a Slack status: an emoji or words that say a person is out.

A status says away when its emoji is one of the workspace's away emoji (`:palm_tree:`), or
its text holds one of the away words or phrases as a whole word ("Out of office until
Monday", "PTO"), in any case. Its expiry (`status_expiration`, Unix seconds, 0 for none) is
when the away spell ends; a status already expired says nothing. Only the outcome is kept
(away, and until when): never the status's text or emoji.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from mentorbot.bot.timeutil import from_unix_seconds

DEFAULT_EMOJI = (
    ":palm_tree:",
    ":airplane:",
    ":desert_island:",
    ":beach_with_umbrella:",
    ":face_with_thermometer:",
)
DEFAULT_WORDS = (
    "vacation",
    "holiday",
    "holidays",
    "out of office",
    "OOO",
    "PTO",
    "sick",
    "on leave",
)
EMOJI = re.compile(r":[a-z0-9_+'-]+:")


@dataclass(frozen=True)
class AwayRule:
    """What makes a status say away: its emoji, or a word or phrase in its text."""

    emoji: frozenset[str]
    words: tuple[str, ...]

    def says_away(self, emoji: str, text: str) -> bool:
        """Whether a status of this emoji and text says its person is away."""
        if emoji.strip().lower() in self.emoji:
            return True
        return bool(text) and _pattern(self.words).search(text) is not None


@dataclass(frozen=True)
class Away:
    """A person is away, until `until` (None: until their status changes)."""

    until: datetime | None


def away_in(profile: Any, rule: AwayRule, now: datetime) -> Away | None:
    """Whether a Slack profile's status (users.info's `user.profile`) says away at `now`."""
    if not isinstance(profile, dict):
        return None
    emoji = profile.get("status_emoji")
    text = profile.get("status_text")
    if not rule.says_away(
        emoji if isinstance(emoji, str) else "", text if isinstance(text, str) else ""
    ):
        return None
    until = from_unix_seconds(profile.get("status_expiration"))
    if until is not None and until <= now:
        return None  # it has expired: Slack clears it soon
    return Away(until)


def rule_of(emoji: Any, words: Any) -> AwayRule:
    """The rule from a workspace's settings (lists), else the defaults."""
    return AwayRule(
        frozenset(e.lower() for e in (emoji if emoji is not None else DEFAULT_EMOJI)),
        tuple(words if words is not None else DEFAULT_WORDS),
    )


def parse_emoji(value: str, name: str) -> tuple[str, ...]:
    """`:palm_tree:,:airplane:`, checked; ValueError naming the setting on a bad one."""
    found = tuple(part.strip().lower() for part in value.split(",") if part.strip())
    for emoji in found:
        if not EMOJI.fullmatch(emoji):
            raise ValueError(
                f"{name} must be Slack emoji codes separated by commas, such as "
                f":palm_tree:,:airplane:, not {emoji!r}."
            )
    return found


def parse_words(value: str) -> tuple[str, ...]:
    """`vacation,out of office,PTO`: words and phrases separated by commas."""
    return tuple(" ".join(part.split()) for part in value.split(",") if part.strip())


@lru_cache(maxsize=64)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    if not words:
        return re.compile(r"(?!x)x")  # matches nothing
    alternatives = "|".join(r"\s+".join(map(re.escape, w.split())) for w in words)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
