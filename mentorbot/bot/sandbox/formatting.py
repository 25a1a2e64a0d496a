"""`str.format` in the sandbox: each field's width is checked before it is padded to it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from jinja2.sandbox import SandboxedFormatter
from markupsafe import EscapeFormatter

from mentorbot.bot.sandbox.bounds import _PADDED_BY_PRECISION
from mentorbot.bot.sandbox.costs import size

if TYPE_CHECKING:
    from mentorbot.bot.sandbox.environment import BoundedSandbox


# `{:>9}` and `{:.3f}`: [[fill]align][sign][z][#][0][width][grouping][.precision][type].
_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?(\d*)[,_]?(?:\.(\d+))?([a-zA-Z%]?)", re.DOTALL)
_NUMBERS = re.compile(r"\d+")


class _BoundedFormatter(SandboxedFormatter):
    """Jinja's sandboxed `str.format`, refusing a field's width before it is padded to it."""

    def __init__(self, env: BoundedSandbox, **options: Any) -> None:
        super().__init__(env, **options)
        self.sandbox, self.made = env, 0

    def format_field(self, value: Any, format_spec: str) -> Any:
        # At most: the value printed, its width and its precision (any number in the spec).
        upper = size(value) + sum(map(int, _NUMBERS.findall(format_spec))) + 32
        lower = 0
        found = _SPEC.fullmatch(format_spec)
        if found:
            width, precision = int(found.group(1) or 0), int(found.group(2) or 0)
            lower = max(width, precision if found.group(3) in _PADDED_BY_PRECISION else 0)
        self.sandbox._affords(self.made + lower, self.made + upper)
        text = super().format_field(value, format_spec)
        self.made += len(text)
        self.sandbox._fits(self.made, at_least=True)
        return text


class _BoundedEscapeFormatter(_BoundedFormatter, EscapeFormatter):
    """The same for a Markup string, escaping what it fills in (as Jinja's does)."""
