"""A Jinja sandbox that bounds what a template may compute, for text people write themselves.

Jinja's own sandbox keeps a template away from Python's insides, but not from building a
100 MB string (`'9' * 99999999`), a number of a billion digits (`9 ** 999999999`) or a
loop of a billion turns. `BoundedSandbox` refuses each of these with `TooCostly` before
the value is made, from its would-be size:

- every value a template makes (a string, a list, a number as printed) fits `limit`
  characters; an operator, filter or method that would make a longer one is refused
  from its arguments (`'9' * n` from the string's length and n), and anything else is
  checked as it is made;
- `range` counts up to `limit` numbers;
- a render spends at most `budget` units: one for each node of a loop's body at every turn
  (likewise a macro's or a block's body at every call), and one for each character a
  filter, method or operator is given or makes. Time and memory follow from that bound.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import update_wrapper
from itertools import chain
from typing import Any, Literal

from jinja2 import nodes
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedFormatter
from jinja2.visitor import NodeTransformer
from markupsafe import EscapeFormatter, Markup

Kind = Literal["long", "range", "work"]
# Beyond this a size is shown as "at least" this much (a refusal never prints a huge number).
SHOWN_AT_MOST = 10**15
# Filters with no place in a chat message whose output grows with their options.
_LEFT_OUT = ("tojson", "urlize")


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


class _Metered(NodeTransformer):
    """Rewrites a parsed template so that repeated work is spent: loops, macros, blocks.

    A loop's body, a macro's, a `call` block's and a block's first spend their node count
    each time they run; a loop's items are counted (with its `if` filter); `a ~ b` becomes
    the (bounded) `join` filter, since Jinja joins it out of the sandbox's reach.
    """

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        units = nodes.Const(1 + _nodes_in(node.test) if node.test else 1)
        node.iter = _environment_call("counted", node.iter, units, lineno=node.lineno)
        node.body.insert(0, _spending(node.body, node.lineno))
        return node

    def visit_Macro(self, node: nodes.Macro) -> nodes.Node:
        return self._spending_body(node)

    def visit_CallBlock(self, node: nodes.CallBlock) -> nodes.Node:
        return self._spending_body(node)

    def visit_Block(self, node: nodes.Block) -> nodes.Node:
        return self._spending_body(node)

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        joined = nodes.List(node.nodes, lineno=node.lineno)
        return nodes.Filter(joined, "join", [], [], None, None, lineno=node.lineno)

    def _spending_body(self, node: nodes.Macro | nodes.CallBlock | nodes.Block) -> nodes.Node:
        self.generic_visit(node)
        node.body.insert(0, _spending(node.body, node.lineno))
        return node


def _nodes_in(node: nodes.Node) -> int:
    return 1 + sum(1 for _ in node.find_all(nodes.Node))


def _spending(body: list[nodes.Node], lineno: int) -> nodes.Node:
    units = nodes.Const(sum(map(_nodes_in, body)) + 1)
    return nodes.ExprStmt(_environment_call("spend", units, lineno=lineno), lineno=lineno)


def _environment_call(name: str, *args: nodes.Node, lineno: int) -> nodes.Call:
    function = nodes.EnvironmentAttribute(name, lineno=lineno)
    return nodes.Call(function, list(args), [], None, None, lineno=lineno)


def _range_length(numbers: range) -> int:
    """len(range), which overflows past sys.maxsize, as a Python int."""
    start, stop, step = numbers.start, numbers.stop, numbers.step
    if step > 0:
        return max(0, (stop - start + step - 1) // step)
    return max(0, (start - stop - step - 1) // -step)


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
