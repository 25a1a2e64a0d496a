"""`BoundedSandbox`: the sandbox itself, its render, its budget and its hooks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import update_wrapper
from itertools import chain
from typing import Any

from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from mentorbot.bot.sandbox.bounds import _FILTERS, _METHODS, _binop_bounds, _bounds, _joined
from mentorbot.bot.sandbox.costs import TooCostly, size
from mentorbot.bot.sandbox.formatting import _BoundedEscapeFormatter, _BoundedFormatter
from mentorbot.bot.sandbox.metering import _Metered

# Filters with no place in a chat message whose output grows with their options.
_LEFT_OUT = ("tojson", "urlize")


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """One render's sandbox: `render(source, **variables)` or TooCostly (see the module)."""

    intercepted_binops = frozenset({"+", "*", "**", "%"})

    def __init__(self, *, limit: int, budget: int, **options: Any) -> None:
        super().__init__(finalize=self._finalize, **options)
        self.limit, self.budget, self.spent = limit, budget, 0
        self.globals["range"] = self._range
        del self.globals["lipsum"]
        for name in _LEFT_OUT:
            del self.filters[name]
        self.filters = {name: self._bounded_filter(name, f) for name, f in self.filters.items()}

    def render(self, source: str, **variables: Any) -> str:
        """The template filled in; TooCostly as soon as it would cost more than allowed.

        The output is counted as it streams: up to 10 times `limit` is kept (so that
        trailing spaces can still be stripped), beyond that only its length, to say it.
        """
        tree = _Metered().visit(self.parse(source))
        tree.set_environment(self)
        template = self.template_class.from_code(self, self.compile(tree), self.make_globals(None))
        kept, length = [], 0
        for chunk in template.generate(**variables):
            length += len(chunk)
            if length <= 10 * self.limit:
                kept.append(chunk)
        if length > 10 * self.limit:
            raise TooCostly("long", length, self.limit)
        return "".join(kept)

    # What a render spends, and what it may make.

    def spend(self, units: int) -> str:
        """Count `units` of work against the budget (the metered template calls this)."""
        self.spent += units
        if self.spent > self.budget:
            raise TooCostly("work", self.spent, self.budget, at_least=True)
        return ""

    def counted(self, iterable: Iterable[Any], units: int) -> Iterator[Any]:
        """A loop's items, each spending `units` (its filter's nodes, if any, and one)."""
        for item in iterable:
            self.spend(units)
            yield item

    def concat(self, parts: Iterable[str]) -> str:
        """How Jinja joins a macro's, a `set` block's or a `filter` block's output: bounded."""
        listed = list(parts)
        self._affords(*_joined("", listed))
        return str(self._made("".join(listed)))

    def _fits(self, length: int, *, at_least: bool = False) -> None:
        if length > self.limit:
            raise TooCostly("long", length, self.limit, at_least=at_least)

    def _affords(self, lower: int, upper: int) -> None:
        """Before making a value of `lower` to `upper` characters: refuse what can't be made."""
        self._fits(lower, at_least=lower < upper)
        if self.spent + upper > self.budget:
            raise TooCostly("work", self.spent + upper, self.budget, at_least=True)

    def _made(self, value: Any) -> Any:
        length = size(value)
        self.spend(1 + length)
        self._fits(length)
        return value

    def _finalize(self, value: Any) -> str:
        """Every `{{ … }}` as it is printed."""
        self._fits(size(value))
        return str(self._made(str(value)))

    def _range(self, *args: int) -> range:
        numbers = range(*args)
        count = _range_length(numbers)
        if count > self.limit:
            raise TooCostly("range", count, self.limit)
        return numbers

    # The hooks: operators, calls (methods, macros), filters and str.format.

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """`+`, `*`, `**` and `%`, refused from their operands' sizes before being done."""
        self.spend(1 + size(left) + size(right))
        lower, upper = _binop_bounds(operator, left, right)
        self._affords(lower, upper)
        return self._made(super().call_binop(context, operator, left, right))

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """A call from the template: its arguments are spent, a method that would make a
        long string is refused first, and what it returns must fit."""
        __self.spend(1 + sum(map(size, chain(args, kwargs.values()))))
        owner, name = getattr(__obj, "__self__", None), getattr(__obj, "__name__", "")
        if isinstance(owner, str | bytes | int) and name in _METHODS:
            if name == "join" and args and isinstance(args[0], Iterator):
                args = (__self._listed(args[0]), *args[1:])
            __self._affords(*_bounds(_METHODS[name], owner, *args, **kwargs))
        return __self._made(super().call(__context, __obj, *args, **kwargs))

    def _bounded_filter(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        bounds = _FILTERS.get(name)
        # A filter marked pass_context, pass_eval_context or pass_environment gets that first.
        skip = 1 if hasattr(function, "jinja_pass_arg") else 0

        def bounded(*args: Any, **kwargs: Any) -> Any:
            value = args[skip] if len(args) > skip else None
            if bounds is not None and isinstance(value, Iterator):
                value = self._listed(value)
                args = (*args[:skip], value, *args[skip + 1 :])
            self.spend(1 + sum(map(size, chain(args[skip:], kwargs.values()))))
            if bounds is not None:
                self._affords(*_bounds(bounds, *args[skip:], **kwargs))
            return self._made(function(*args, **kwargs))

        return update_wrapper(bounded, function)

    def _listed(self, items: Iterator[Any]) -> list[Any]:
        listed = list(self.counted(items, 1))
        self._made(listed)
        return listed

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """`'{:>9}'.format(x)`: Jinja's sandboxed format, each field's width checked first."""
        if super().wrap_str_format(value) is None:
            return None
        template: str = value.__self__

        def bounded(*args: Any, **kwargs: Any) -> str:
            if value.__name__ == "format_map":
                (kwargs,), args = args, ()
            if isinstance(template, Markup):
                formatter: _BoundedFormatter = _BoundedEscapeFormatter(self, escape=template.escape)
            else:
                formatter = _BoundedFormatter(self)
            return type(template)(formatter.vformat(template, args, kwargs))

        return update_wrapper(bounded, value)


def _range_length(numbers: range) -> int:
    """len(range), which overflows past sys.maxsize, as a Python int."""
    start, stop, step = numbers.start, numbers.stop, numbers.step
    if step > 0:
        return max(0, (stop - start + step - 1) // step)
    return max(0, (start - stop - step - 1) // -step)
