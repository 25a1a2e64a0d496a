"""Every button's `action_id` and every modal's `callback_id` in the templates has a listener,
and every listener's id is in a template.

Without this, a renamed id fails nowhere: the catch-alls of `handlers/fallbacks.py` quietly
acknowledge the press and nothing happens for the person.

The templates' ids are read two ways. Rendered, as `tests/test_templates.py` renders them
(with stand-in values and every branch taken and not), and walked as Block Kit: that tells a
button or menu (Slack sends its `block_actions`) from an input of a modal (read from the
submitted state, no listener). And read from the source, in Jinja's syntax tree: each id is
written there as a literal, or is a parameter of a macro (`button`) whose every call passes
a literal, never computed from data, so the renderings cannot miss one hidden behind a
stand-in. The listeners' ids are recorded as `handlers.register` attaches them to a Bolt app.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from jinja2 import nodes
from slack_bolt import App

from mentorbot import handlers
from tests.branching import Anything, branching_environment, renderings, template_names

ACTION, CALLBACK = "action_id", "callback_id"
ID_KEY = re.compile(r'"(action_id|callback_id)"\s*:\s*')
# A rendering's id that is a stand-in value: a macro's parameter, the macro rendered on its
# own. (The source, read, holds every id that is not: see `written_ids`.)
STAND_IN = str(Anything())

# -- the listeners -------------------------------------------------------------------------------


class RecordingApp(App):
    """A Bolt app that notes the id each action and view listener is attached for."""

    def __init__(self) -> None:
        super().__init__(
            token="xoxb-listener-ids", signing_secret="unused", token_verification_enabled=False
        )
        self.ids: dict[str, list[str | re.Pattern[str]]] = {ACTION: [], CALLBACK: []}

    def _note(self, key: str, constraints: Any) -> None:
        if isinstance(constraints, dict):
            constraints = constraints.get(key, re.compile(""))  # no id: it matches every id
        self.ids[key].append(constraints)

    def action(self, constraints: Any, *args: Any, **kwargs: Any) -> Callable[..., Any]:
        self._note(ACTION, constraints)
        return super().action(constraints, *args, **kwargs)

    def block_action(self, constraints: Any, *args: Any, **kwargs: Any) -> Callable[..., Any]:
        self._note(ACTION, constraints)
        return super().block_action(constraints, *args, **kwargs)

    def view(self, constraints: Any, *args: Any, **kwargs: Any) -> Callable[..., Any]:
        self._note(CALLBACK, constraints)
        return super().view(constraints, *args, **kwargs)

    def view_submission(self, constraints: Any, *args: Any, **kwargs: Any) -> Callable[..., Any]:
        self._note(CALLBACK, constraints)
        return super().view_submission(constraints, *args, **kwargs)


@dataclass
class Listeners:
    """The ids listeners are attached for: exact ids, and patterns (as Bolt matches them)."""

    exact: set[str] = field(default_factory=set)
    patterns: list[re.Pattern[str]] = field(default_factory=list)

    def hear(self, found: str) -> bool:
        return found in self.exact or any(p.search(found) for p in self.patterns)


@cache
def listeners() -> dict[str, Listeners]:
    """Each kind's listeners, less the catch-alls: a pattern that matches an id nobody wrote
    is where a renamed id falls, not a listener for it."""
    app = RecordingApp()
    handlers.register(app)
    nobody = f"no-such-id-{uuid.uuid4().hex}"
    found = {key: Listeners() for key in app.ids}
    for key, ids in app.ids.items():
        for constraint in ids:
            if isinstance(constraint, str):
                found[key].exact.add(constraint)
            elif not constraint.search(nobody):
                found[key].patterns.append(constraint)
    return found


# -- the templates, rendered -----------------------------------------------------------------------


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


def loose_json(text: str) -> list[Any]:
    """The JSON objects and arrays in a rendering that stand-in values left broken here and
    there: a bare word or a missing value reads as None, a stray comma or word is skipped."""
    tokens = _TOKEN.findall(text)
    at = 0

    def peek() -> str:
        return tokens[at] if at < len(tokens) else "]"

    def value() -> Any:
        nonlocal at
        token = peek()
        if token in (",", ":", "}", "]"):
            return None  # a value the stand-ins left out
        at += 1
        if token in ("{", "["):
            end = "}" if token == "{" else "]"
            pairs: dict[str, Any] = {}
            items: list[Any] = []
            while peek() not in ("}", "]"):
                item = value()
                if token == "{" and peek() == ":":
                    at += 1
                    pairs[str(item)] = value()
                else:
                    items.append(item)
                if peek() not in ("}", "]"):
                    at += 1  # the comma, or a word that should not be there
            at += peek() == end
            return pairs if token == "{" else items
        return json.loads(token) if token.startswith('"') else None  # numbers, words: no id

    found = []
    while at < len(tokens):
        if peek() in ("{", "["):
            found.append(value())
        else:
            at += 1
    return found


@dataclass
class Rendered:
    """The ids the renderings hold: per kind, each id and the templates it is in."""

    ids: dict[str, dict[str, set[str]]] = field(default_factory=lambda: {ACTION: {}, CALLBACK: {}})
    inputs: set[str] = field(default_factory=set)  # a modal's input fields: no listener


def walk(value: Any, name: str, found: Rendered) -> None:
    """Note the ids in a piece of Block Kit: an input block's element is a field, not a button
    (unless it asks Slack to dispatch its actions)."""
    if isinstance(value, list):
        for item in value:
            walk(item, name, found)
    if not isinstance(value, dict):
        return
    element = value.get("element")
    form_field = value.get("type") == "input" and not value.get("dispatch_action")
    if form_field and isinstance(element, dict) and isinstance(element.get(ACTION), str):
        found.inputs.add(element[ACTION])
        element = {k: v for k, v in element.items() if k != ACTION}
    for key in (ACTION, CALLBACK):
        if isinstance(value.get(key), str):
            found.ids[key].setdefault(value[key], set()).add(name)
    for key, item in value.items():
        walk(element if key == "element" else item, name, found)


@cache
def rendered_ids() -> Rendered:
    """The ids in every rendering of each template whose source holds one (or calls a macro
    with one): what is not written in a template cannot be rendered by it."""
    env = branching_environment()
    found = Rendered()
    holding = {
        name for ids in written_ids().ids.values() for names in ids.values() for name in names
    }
    for name in sorted(holding):
        for _, text in renderings(env, name):
            walk(loose_json(text), name, found)
    for ids in found.ids.values():
        ids.pop(STAND_IN, None)
    return found


# -- the templates, read -------------------------------------------------------------------------


@dataclass
class Written:
    """The ids the templates' sources hold, and the places an id is not written as a literal."""

    ids: dict[str, dict[str, set[str]]] = field(default_factory=lambda: {ACTION: {}, CALLBACK: {}})
    computed: list[str] = field(default_factory=list)

    def note(self, key: str, found: str, name: str) -> None:
        self.ids[key].setdefault(found, set()).add(name)


def _id_sites(output: nodes.Output) -> Iterator[tuple[str, nodes.Node | str | None]]:
    """(kind, value) for each `"action_id":` or `"callback_id":` an output writes: the literal
    string, or the expression that follows (None when the output ends there)."""
    parts = output.nodes
    for index, part in enumerate(parts):
        if not isinstance(part, nodes.TemplateData):
            continue
        for key in ID_KEY.finditer(part.data):
            rest = part.data[key.end() :]
            literal = re.match(r'"([^"]*)"', rest)
            if literal:
                yield key.group(1), literal.group(1)
            elif rest.strip() == "" and index + 1 < len(parts):
                yield key.group(1), parts[index + 1]
            else:
                yield key.group(1), None


def _parameter(value: nodes.Node | str | None) -> str | None:
    """The name in `{{ name }}` or `{{ name | json }}`, else None."""
    if isinstance(value, nodes.Filter) and value.name == "json" and not value.args:
        value = value.node
    return value.name if isinstance(value, nodes.Name) else None


@cache
def written_ids() -> Written:
    env = branching_environment()
    trees = {name: env.parse(env.loader.get_source(env, name)[0]) for name in template_names()}
    found = Written()
    # (template, macro) -> (kind, the parameter that is the id)
    id_macros: dict[tuple[str, str], tuple[str, list[str], str]] = {}
    for name, tree in trees.items():
        in_macros: set[int] = set()
        for macro in tree.find_all(nodes.Macro):
            parameters = [argument.name for argument in macro.args]
            for output in macro.find_all(nodes.Output):
                in_macros.add(id(output))
                for key, value in _id_sites(output):
                    if isinstance(value, str):
                        found.note(key, value, name)
                    elif (parameter := _parameter(value)) in parameters:
                        id_macros[(name, macro.name)] = (key, parameters, str(parameter))
                    else:
                        found.computed.append(f"{name}, macro {macro.name}: a computed {key}")
        for output in tree.find_all(nodes.Output):
            if id(output) not in in_macros:
                for key, value in _id_sites(output):
                    if isinstance(value, str):
                        found.note(key, value, name)
                    else:
                        found.computed.append(f"{name}, line {output.lineno}: a computed {key}")
    for name, tree in trees.items():
        local = {macro.name: (name, macro.name) for macro in tree.find_all(nodes.Macro)}
        for imported in tree.find_all(nodes.FromImport):
            if isinstance(imported.template, nodes.Const):
                for entry in imported.names:
                    original, alias = entry if isinstance(entry, tuple) else (entry, entry)
                    local[alias] = (imported.template.value, original)
        for call in tree.find_all(nodes.Call):
            callee = call.node.name if isinstance(call.node, nodes.Name) else None
            if isinstance(call.node, nodes.Getattr):
                callee = call.node.attr  # `{% import ... as x %}`: x.macro(...)
                if any(macro == callee for _, macro in id_macros):
                    found.computed.append(f"{name}, line {call.lineno}: {callee} through import")
                continue
            if callee not in local or local[callee] not in id_macros:
                continue
            key, parameters, parameter = id_macros[local[callee]]
            given = dict(zip(parameters, call.args, strict=False))
            given.update({keyword.key: keyword.value for keyword in call.kwargs})
            argument = given.get(parameter)
            if isinstance(argument, nodes.Const) and isinstance(argument.value, str):
                found.note(key, argument.value, name)
            else:
                found.computed.append(f"{name}, line {call.lineno}: {callee} given a computed id")
    return found


# -- the tests -------------------------------------------------------------------------------------


def _where(ids: dict[str, set[str]]) -> list[str]:
    return [f"{found} ({', '.join(sorted(names))})" for found, names in sorted(ids.items())]


def test_every_id_in_the_templates_is_written_as_a_literal() -> None:
    """An id computed from data could be anything at run time: no test could hold it."""
    assert written_ids().computed == []


def test_the_renderings_reach_every_id_the_templates_hold() -> None:
    written, rendered = written_ids(), rendered_ids()
    for key in (ACTION, CALLBACK):
        seen = set(rendered.ids[key]) | (rendered.inputs if key == ACTION else set())
        assert set(written.ids[key]) <= seen, key
        assert set(rendered.ids[key]) <= set(written.ids[key]), key


def test_every_button_and_modal_in_the_templates_has_a_listener() -> None:
    heard = listeners()
    ids = rendered_ids().ids
    unheard = {
        key: _where(
            {found: names for found, names in ids[key].items() if not heard[key].hear(found)}
        )
        for key in (ACTION, CALLBACK)
    }
    assert unheard == {ACTION: [], CALLBACK: []}
    assert len(ids[ACTION]) > 20 and "checkin_open" in ids[ACTION]
    assert len(ids[CALLBACK]) > 10 and "checkin" in ids[CALLBACK]


def test_every_listener_is_for_an_id_in_a_template() -> None:
    heard = listeners()
    ids = rendered_ids().ids
    for key in (ACTION, CALLBACK):
        assert sorted(heard[key].exact - set(ids[key])) == [], key
        unused = [p.pattern for p in heard[key].patterns if not any(map(p.search, ids[key]))]
        assert unused == [], key
