"""Every word a person reads lives in a template: services and handlers hold no sentences.

A string literal in `mentorbot/bot/services/` or `mentorbot/handlers/` that reads like words
(a space and a capital letter, or a sentence's last mark) belongs in `templates/`. Not
counted: docstrings, log lines (and the labels of deferred work, which only logs show),
strftime formats, and the short allow-list below, each with its reason. Errors name their
words by code: each code has its template, each example its macro.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import mentorbot
from mentorbot.bot.rendering import environment
from mentorbot.bot.services.lookups import KINDS

PACKAGE = Path(mentorbot.__file__).parent
CHECKED = (PACKAGE / "bot" / "services", PACKAGE / "handlers")
TEMPLATES = PACKAGE / "templates"

# Calls whose string arguments only logs show: a logger's, and deferred work's label.
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical"}
LABELLED = {"defer", "after_response"}
# (file below the package, the literal) -> why it may stay.
ALLOWED = {
    ("handlers/commands/imports.py", "Bearer {}"): "an HTTP Authorization header, not words",
}

_SENTENCE_END = re.compile(r"[.!?:]\s*$")
_STRFTIME = re.compile(r"%[-#]?[A-Za-z]")
# Error classes and where their code is among the positional arguments.
_CODE_AT = {
    "BadInput": 0,
    "NotFound": 0,
    "NotAllowed": 0,
    "Reason": 0,
    "InvalidForm": 1,
    "only_coordinators": 0,
}
_CODE = re.compile(r"[a-z_]+/[a-z0-9_]+")


def reads_like_words(text: str) -> bool:
    """A space with a capital letter, or a sentence's end; a strftime format is no words."""
    if not re.search(r"[A-Za-z]", _STRFTIME.sub("", text)):
        return False
    capital = re.search(r"[A-Z]", text) is not None
    return " " in text and (capital or _SENTENCE_END.search(text) is not None)


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _logged(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if isinstance(func, ast.Attribute) and name in LOG_METHODS:
            found.update(id(part) for arg in node.args for part in ast.walk(arg))
        elif name in LABELLED and len(node.args) > 1:
            found.update(id(part) for part in ast.walk(node.args[1]))
    return found


def literals(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of each string literal in the module that is not skipped; an f-string
    is one literal, its replacement fields shown as `{}`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _docstrings(tree) | _logged(tree)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.JoinedStr):
            skipped.update(id(value) for value in node.values)
            text = "".join(
                str(v.value) if isinstance(v, ast.Constant) else "{}" for v in node.values
            )
            yield node.lineno, text
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def sentences_in(roots: tuple[Path, ...]) -> list[str]:
    found = []
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            where = path.relative_to(PACKAGE).as_posix()
            for line, text in literals(path):
                if reads_like_words(text) and (where, text) not in ALLOWED:
                    found.append(f"{where}:{line}: {text!r}")
    return found


def test_services_and_handlers_hold_no_sentences() -> None:
    # What counts: words do; an error's code or a strftime format does not.
    assert reads_like_words("Thank you") and reads_like_words("that goal is gone.")
    assert not reads_like_words("goals/gone") and not reads_like_words("%a %-d %b %Y %H:%M")
    # The allow-list stays short, and each entry is still there to allow.
    assert len(ALLOWED) <= 5
    for where, text in ALLOWED:
        assert text in dict(literals(PACKAGE / where)).values(), (where, text)
    found = sentences_in(CHECKED)
    assert not found, "words belong in templates/:\n" + "\n".join(found)


def _calls(tree: ast.AST) -> Iterator[tuple[str, ast.Call]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            yield str(name), node


def _constant(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def named_words() -> tuple[set[str], set[str]]:
    """The error codes (`feature/code`) and examples (`feature/macro`) the package names."""
    codes: set[str] = set()
    examples: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name, call in _calls(tree):
            at = _CODE_AT.get(name)
            if at is not None and len(call.args) > at and (code := _constant(call.args[at])):
                codes.add(code)
            if name == "Example" and call.args and (ref := _constant(call.args[0])):
                examples.add(ref)
            if name == "button_number" and len(call.args) > 1 and (code := _constant(call.args[1])):
                codes.add(code)
            for keyword in call.keywords:
                if keyword.arg == "gone" and (code := _constant(keyword.value)):
                    codes.add(code)
        for node in ast.walk(tree):  # defaults, such as button_number's own
            if isinstance(node, ast.arguments):
                for default in node.defaults:
                    if (text := _constant(default)) and _CODE.fullmatch(text):
                        codes.add(text)
    return codes, examples


def test_every_error_code_has_its_words() -> None:
    codes, _ = named_words()
    assert len(codes) > 150
    missing = sorted(
        code
        for code in codes
        if not _CODE.fullmatch(code) or not (TEMPLATES / "errors" / f"{code}.md.j2").is_file()
    )
    assert not missing, f"codes without templates/errors/<code>.md.j2: {missing}"
    written = {
        path.relative_to(TEMPLATES / "errors").as_posix().removesuffix(".md.j2")
        for path in (TEMPLATES / "errors").glob("*/*.md.j2")
    }
    assert not written - codes, f"error templates no code names: {sorted(written - codes)}"


def test_every_example_is_a_macro() -> None:
    _, examples = named_words()
    assert examples
    for ref in sorted(examples):
        feature, _, macro = ref.partition("/")
        source = TEMPLATES / "examples" / f"{feature}.j2"
        assert source.is_file() and f"{{% macro {macro}(" in source.read_text(), ref


def test_every_kind_of_row_and_number_has_its_name() -> None:
    env = environment()
    for kind in set(KINDS.values()):
        assert "{" not in env.get_template("errors/lookups/unknown.md.j2").render(kind=kind)
    for what in ("weeks", "capacity"):
        words = env.get_template("errors/grammar/out_of_range.md.j2").render(
            what=what, low=1, high=3
        )
        assert words.endswith("must be a whole number from 1 to 3.")
