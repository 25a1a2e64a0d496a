"""Splitting slash command text into a subcommand and its arguments."""

from __future__ import annotations

from dataclasses import dataclass


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
