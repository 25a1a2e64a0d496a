"""What a template's value costs (`size`) and the refusal when it is too much (`TooCostly`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

Kind = Literal["long", "range", "work"]
# Beyond this a size is shown as "at least" this much (a refusal never prints a huge number).
SHOWN_AT_MOST = 10**15


class TooCostly(Exception):
    """A template would make more than the sandbox allows; `size` says how much, `limit` how
    much is allowed (`kind`: a value too `long`, a `range` too big, or too much `work`)."""

    def __init__(self, kind: Kind, size: int, limit: int, *, at_least: bool = False) -> None:
        shown = min(size, SHOWN_AT_MOST)
        super().__init__(f"{kind}: {'at least ' if at_least or shown < size else ''}{shown}")
        self.kind, self.limit = kind, limit
        self.size, self.at_least = shown, at_least or shown < size


def size(value: Any) -> int:
    """About how many characters `value` takes when printed (exactly, for a string)."""
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, bool) or value is None:
        return 5
    if isinstance(value, int):
        return _digits(value)
    if isinstance(value, float):
        return 24
    if isinstance(value, range):
        return len(value)
    if isinstance(value, Mapping):
        return 2 + sum(size(key) + size(item) + 4 for key, item in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return 2 + sum(size(item) + 2 for item in value)
    return 1


def _digits(number: int) -> int:
    """The digits of an int, from its bit length (never printing it: that is quadratic)."""
    return int(abs(number).bit_length() * 0.30103) + 1 + (number < 0)
