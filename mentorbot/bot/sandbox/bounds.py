"""How many characters an operator, a method or a filter would make, from its arguments."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from mentorbot.bot.sandbox.costs import SHOWN_AT_MOST, size

# Bounds: (lower, upper) on the characters an operation would make, from its arguments.
Bounds = tuple[int, int]


def _bounds(estimate: Callable[..., Bounds], *args: Any, **kwargs: Any) -> Bounds:
    """The estimate, or nothing to refuse if the arguments don't fit the function's shape
    (the call itself then fails with Python's own error)."""
    try:
        return estimate(*args, **kwargs)
    except TypeError:
        return 0, 0


def _exactly(length: int) -> Bounds:
    return length, length


def _binop_bounds(symbol: str, left: Any, right: Any) -> Bounds:
    if symbol == "*":
        for sequence, times in ((left, right), (right, left)):
            if isinstance(sequence, str | bytes) and isinstance(times, int):
                return _exactly(len(sequence) * max(times, 0))
            if isinstance(sequence, list | tuple) and isinstance(times, int):
                return _exactly(2 + (size(sequence) - 2) * max(times, 0))
        if isinstance(left, int) and isinstance(right, int):
            return _exactly(size(left) + size(right))
    elif symbol == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
        return _exactly(_power_digits(left, right))
    elif symbol == "+" and not isinstance(left, int | float):
        return _exactly(size(left) + size(right))
    elif symbol == "%" and isinstance(left, str | bytes):
        return _printf_bounds(left, right)
    return 0, size(left) + size(right) + 1


def _power_digits(base: int, exponent: int) -> int:
    if abs(base) < 2:
        return 2
    if exponent.bit_length() > 60:
        return SHOWN_AT_MOST + 1
    return int(exponent * math.log10(abs(base))) + 1 + (base < 0)


# printf-style: %(name)s, flags, a width and a precision (digits or `*`), a length, a type.
_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?(.)", re.DOTALL)
_PADDED_BY_PRECISION = frozenset("eEfF%")


def _printf_bounds(template: str | bytes, values: Any) -> Bounds:
    """`'%9d' % 1` makes at least its fields' widths; at most those, its own text and its
    values printed."""
    text = template.decode("latin-1") if isinstance(template, bytes) else template
    if isinstance(values, Mapping):
        given = list(values.values())
    else:
        given = list(values) if isinstance(values, tuple) else [values]
    # A `*` takes its number from the values: assume the largest one.
    star = max((abs(v) for v in given if isinstance(v, int)), default=0)
    lower = upper = len(text)
    for found in _PRINTF.finditer(text):
        width, precision, kind = found.groups()
        width_n = star if width == "*" else int(width or 0)
        precision_n = star if precision == "*" else int(precision or 0)
        padded = precision_n if kind in _PADDED_BY_PRECISION else 0
        lower += max(width_n, padded) - len(found.group(0))
        upper += width_n + precision_n + 32
    return max(lower, 0), upper + sum(map(size, given))


def _padded(text: Any, width: Any = 80, *_: Any, **__: Any) -> Bounds:
    """center, ljust, rjust and zfill: the text, or `width` if wider."""
    return _exactly(max(size(text), width if isinstance(width, int) else 0))


def _replaced(text: Any, old: Any, new: Any, count: Any = -1, *_: Any) -> Bounds:
    text, old, new = str(text), str(old), str(new)
    found = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return _exactly(len(text) + found * (len(new) - len(old)))


def _joined(separator: Any, items: Iterable[Any]) -> Bounds:
    listed = list(items)
    return _exactly(sum(map(size, listed)) + size(separator) * max(len(listed) - 1, 0))


def _tabs_expanded(text: Any, tabsize: Any = 8, *_: Any, **__: Any) -> Bounds:
    tabs = text.count("\t" if isinstance(text, str) else b"\t")
    return len(text) - tabs, len(text) + tabs * max(tabsize if isinstance(tabsize, int) else 8, 0)


def _translated(text: Any, table: Any, *_: Any) -> Bounds:
    longest = max((size(v) for v in table.values()), default=1) if isinstance(table, Mapping) else 1
    return 0, len(text) * max(longest, 1)


def _as_bytes(number: int, length: Any = 1, *_: Any, **__: Any) -> Bounds:
    return _exactly(length if isinstance(length, int) else 1)


def _method_join(separator: Any, items: Any = (), *_: Any) -> Bounds:
    return _joined(separator, items)


_METHODS: dict[str, Callable[..., Bounds]] = {
    "center": _padded,
    "ljust": _padded,
    "rjust": _padded,
    "zfill": _padded,
    "replace": _replaced,
    "join": _method_join,
    "expandtabs": _tabs_expanded,
    "translate": _translated,
    "to_bytes": _as_bytes,
}


def _indented(text: Any, width: Any = 4, first: bool = False, *_: Any, **__: Any) -> Bounds:
    text = str(text)
    indent = width if isinstance(width, int) else len(str(width))
    lines = text.count("\n") + 1
    return len(text) + (indent if first else 0), len(text) + lines * max(indent, 0)


def _wrapped(text: Any, width: Any = 79, *args: Any, **kwargs: Any) -> Bounds:
    wrapstring = kwargs.get("wrapstring", args[1] if len(args) > 1 else None) or "\n"
    text = str(text)
    return 0, len(text) + (len(text) + 1) * size(wrapstring)


def _filter_join(items: Any, d: Any = "", attribute: Any = None) -> Bounds:
    # An attribute is part of its item, so the items' sizes bound the attributes' too.
    return _joined(d, items) if attribute is None else (0, _joined(d, items)[1])


def _formatted(text: Any, *args: Any, **kwargs: Any) -> Bounds:
    return _printf_bounds(str(text), kwargs or args)


def _batched(items: Any, linecount: Any, fill_with: Any = None) -> Bounds:
    padding = linecount * (size(fill_with) + 2) if fill_with is not None else 0
    return 0, size(items) + max(padding, 0)


def _sliced(items: Any, slices: Any, fill_with: Any = None) -> Bounds:
    return 0, size(items) + max(slices, 0) * (size(fill_with) + 4)


_FILTERS: dict[str, Callable[..., Bounds]] = {
    "center": _padded,
    "indent": _indented,
    "wordwrap": _wrapped,
    "replace": _replaced,
    "join": _filter_join,
    "format": _formatted,
    "batch": _batched,
    "slice": _sliced,
}
