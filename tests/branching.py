"""Every template rendered with stand-in values and each of its branches taken and not
taken (tests/test_templates.py, tests/test_languages.py).

A test per message would need every message's data; instead each template is rendered with
stand-in values ("ana") and with its branches switched: every `{% if %}` test and every
`x if y else z` made a switch, every `{% for %}` loop one that runs (twice) or not at all.
All on, all off, then each switch on its own against both.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, Undefined, nodes
from jinja2.runtime import Macro

import mentorbot
from mentorbot.bot import languages
from mentorbot.bot.rendering import environment, slack_date
from mentorbot.bot.services.lookups import KINDS

TEMPLATES = Path(mentorbot.__file__).parent / "templates"
# The moment that stands in for every date: a long weekday and month, two-digit day and hour.
LONG_DATE = datetime(2026, 9, 30, 23, 59, tzinfo=UTC)
# Enough variants for the largest template, with room to grow.
MAX_RENDERS = 2000
# What a template needs to be given for real: the name of a template it imports.
GIVEN: dict[str, list[dict[str, Any]]] = {
    "celebrations/celebration.json.j2": [
        {"milestone": {"kind": kind}, "variant": variant}
        for kind in ("first_checkin", "goal", "meetings", "months", "win")
        for variant in range(3)
    ],
    # Errors that word each of their codes' values: every value is rendered.
    "errors/grammar/out_of_range.md.j2": [{"what": what} for what in ("weeks", "capacity")],
    "errors/lookups/unknown.md.j2": [{"kind": kind} for kind in sorted(set(KINDS.values()))],
    "errors/matching/no_fit.md.j2": [{"why": why} for why in ("self", "past", "hours")],
}


class Anything(Undefined):
    """Any value a template may be given: every attribute, item, call and sum is one more."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return Anything()

    def __getitem__(self, key: Any) -> Any:
        return Anything()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return Anything()

    def __str__(self) -> str:
        return "ana"

    def __format__(self, spec: str) -> str:
        return "ana"

    def __iter__(self) -> Iterator[Any]:
        return iter([Anything(), Anything()])

    def __reversed__(self) -> Iterator[Any]:
        return iter(self)

    def __len__(self) -> int:
        return 2

    def __bool__(self) -> bool:
        return True

    def __int__(self) -> int:
        return 2

    def __index__(self) -> int:
        return 2

    def __float__(self) -> float:
        return 2.0

    def __round__(self, digits: int | None = None) -> Any:
        return Anything()

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return other is self

    def __ne__(self, other: object) -> bool:
        return other is not self

    def __lt__(self, other: object) -> bool:
        return False

    __le__ = __gt__ = __ge__ = __lt__

    def __contains__(self, item: object) -> bool:
        return False

    def _more(self, *args: Any) -> Any:
        return Anything()

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _more
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _more
    __neg__ = __pos__ = __abs__ = _more


class Switches:
    """Which branch each switch takes in one rendering, and every switch met so far."""

    def __init__(self) -> None:
        self.base = True
        self.flipped: str | None = None
        self.seen: set[str] = set()

    def on(self, key: str) -> bool:
        self.seen.add(key)
        return self.base != (key == self.flipped)


class BranchingEnvironment(Environment):
    """The bot's environment, with each template's branches turned into switches."""

    switches: Switches

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for index, node in enumerate(list(tree.find_all((nodes.If, nodes.CondExpr, nodes.For)))):
            key = nodes.Const(f"{name}:{node.lineno}:{index}")
            if isinstance(node, nodes.For):
                node.iter = _call("loop_switch", key, node.iter, lineno=node.lineno)
            elif isinstance(node, nodes.If | nodes.CondExpr) and not _asks_the_loop(node.test):
                # (a test of `loop.first` stays true to the loop)
                node.test = _call("branch_switch", key, lineno=node.lineno)
        return tree


def _asks_the_loop(test: nodes.Node) -> bool:
    return any(name.name == "loop" for name in test.find_all(nodes.Name))


def _call(function: str, *args: Any, lineno: int) -> nodes.Call:
    call = nodes.Call(nodes.Name(function, "load"), list(args), [], None, None)
    call.set_lineno(lineno)
    return call


def branching_environment() -> BranchingEnvironment:
    real = environment()
    env = BranchingEnvironment(
        loader=real.loader,
        undefined=Anything,
        autoescape=real.autoescape,
        trim_blocks=real.trim_blocks,
        lstrip_blocks=real.lstrip_blocks,
        keep_trailing_newline=real.keep_trailing_newline,
    )
    env.filters.update(real.filters)
    env.filters["json"] = lambda value: json.dumps(value, ensure_ascii=False, default=str)
    # Stand-ins are no dates: one of the longest to write stands in for each.
    env.filters["date"] = lambda value, style="long", zone=None: languages.format_day(
        LONG_DATE, style
    )
    env.filters["slackdate"] = lambda value, zone=None: slack_date(LONG_DATE)
    env.filters["number"] = lambda value, pattern="#,##0": languages.format_number(
        1234567.89, pattern
    )
    env.add_extension("jinja2.ext.i18n")
    env.policies.update(real.policies)
    env.globals.update(real.globals)
    # As the bot's, with a stand-in count made a whole number (gettext wants one).
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=languages.gettext,
        ngettext=lambda one, many, n: languages.ngettext(one, many, int(n)),
        pgettext=languages.pgettext,
        npgettext=lambda context, one, many, n: languages.npgettext(context, one, many, int(n)),
        newstyle=True,
    )
    env.switches = Switches()
    env.globals["branch_switch"] = env.switches.on
    env.globals["loop_switch"] = lambda key, found: found if env.switches.on(key) else []
    return env


def rendered(env: BranchingEnvironment, name: str) -> list[str]:
    """The template rendered (with what it must be given), and each macro it defines called."""
    template = env.get_template(name)
    texts = []
    for given in GIVEN.get(name, [{}]):
        texts.append(template.render(**given))
        for value in vars(template.make_module(vars=given)).values():
            if isinstance(value, Macro) and not value.caller:
                texts.append(str(value(*(Anything() for _ in value.arguments))))
    return texts


def renderings(env: BranchingEnvironment, name: str) -> Iterator[tuple[str, str]]:
    """(which switches, rendered text) for the template's variants."""
    switches = env.switches
    switches.seen = set()
    done: set[tuple[bool, str | None]] = set()
    todo: list[tuple[bool, str | None]] = [(True, None), (False, None)]
    while todo:
        base, flipped = todo.pop()
        if (base, flipped) in done:
            continue
        done.add((base, flipped))
        assert len(done) <= MAX_RENDERS, f"{name}: more variants than expected"
        switches.base, switches.flipped = base, flipped
        before = set(switches.seen)
        text = "\n\n".join(rendered(env, name))
        for key in sorted(switches.seen - before):
            todo.extend([(True, key), (False, key)])
        if not before:  # the first rendering: every switch met is flipped in turn
            todo.extend((b, key) for key in sorted(switches.seen) for b in (True, False))
        label = ("all on" if base else "all off") + (f", except {flipped}" if flipped else "")
        yield label, text


def template_names() -> list[str]:
    return sorted(
        str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.j2") if path.is_file()
    )
