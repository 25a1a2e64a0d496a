"""Every word the bot says is translated: in a pseudo-language, no English is left.

In the pseudo-language each message is accented and put between ⟦ ⟧ (`%(name)s`,
mentions, emoji and `code` kept). Every template is rendered in it in all its variants
(tests/branching.py); what a reader would see, with the brackets' contents taken out, must
hold no English word. A sentence left outside `{% trans %}` or `_()` is English there, and
fails here with its template's name. Then the catalogues: complete, compiled, and within
Slack's limits in every language.
"""

from __future__ import annotations

import gettext
import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message

from mentorbot.bot import languages
from mentorbot.standin.contract import check_blocks, check_view
from tests.branching import branching_environment, renderings, template_names
from tests.scripts import load_script

PSEUDO = "qps"
OPEN, CLOSE = "\u27e6", "\u27e7"
ACCENTED = str.maketrans(
    "aeiouycnAEIOUYCN",
    "\u00e1\u00e9\u00ed\u00f3\u00fa\u00fd\u00e7\u00f1\u00c1\u00c9\u00cd\u00d3\u00da\u00dd\u00c7\u00d1",
)
# What a translation keeps as it is: placeholders, mentions and links, emoji, code, entities.
KEPT = re.compile(r"%\([a-z_0-9]+\)[sd]|%%|<[^>]*>|:[a-z0-9_+-]+:|`[^`]*`|&[a-z]+;|\{[a-z_]+\}")
# What is left of a rendering once translated words are taken out, and is not English:
# mentions, links and Slack dates; emoji; code; stand-in values.
NOT_WORDS = re.compile(r"<[^>]*>|:[a-z0-9_+-]+:|`[^`]*`|\ban(?:a\b|…)|&[a-z]+;|https?://\S+")
ENGLISH = re.compile(r"[A-Za-z]{2,}")


def pseudo(text: str) -> str:
    kept, start = [], 0
    for found in KEPT.finditer(text):
        kept.append(text[start : found.start()].translate(ACCENTED))
        kept.append(found.group())
        start = found.end()
    kept.append(text[start:].translate(ACCENTED))
    return OPEN + "".join(kept) + CLOSE


class Pseudo(gettext.NullTranslations):
    """Every message accented and bracketed; date patterns kept (Babel must read them)."""

    def gettext(self, message: str) -> str:
        return pseudo(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return pseudo(singular if n == 1 else plural)

    def pgettext(self, context: str, message: str) -> str:
        return message if context == languages.DATE_CONTEXT else pseudo(message)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return self.ngettext(singular, plural, n)


@pytest.fixture(scope="module")
def catalogue() -> Catalog:
    return load_script("languages").extracted()


def untranslated(text: str) -> list[str]:
    """The English words in a reader's text once every translated part is taken out."""
    previous = None
    while previous != text:  # innermost first: a translation may hold another
        previous = text
        text = re.sub(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", " ", text)
    return ENGLISH.findall(NOT_WORDS.sub(" ", text))


def readers_texts(name: str, rendering: str) -> list[str]:
    """What a reader sees of a rendering: every text of Block Kit, the words of a page, or
    the whole of a mrkdwn message."""
    if ".json" in name or re.search(r'"type":\s*"', rendering):  # (a macro of Block Kit too)
        return [json.loads(value) for value in JSON_TEXT.findall(rendering)]
    if ".html" in name:
        page = PageWords()
        # A sentence's inline markup is inside its message; a command in <code> is kept.
        page.feed(INLINE.sub("", CODE.sub(" ", rendering)))
        return page.words
    if name.endswith(".css.j2"):
        return []
    return [rendering]


# A Block Kit text (a text object's, a message's fallback, an image's alt text).
JSON_TEXT = re.compile(r'"(?:text|alt_text|fallback)"\s*:\s*("(?:[^"\\]|\\.)*")')


INLINE = re.compile(r"</?(?:a|strong|em|b|i|span|abbr|time|small|kbd)\b[^>]*>")
CODE = re.compile(r"<code>.*?</code>", re.DOTALL)


class PageWords(HTMLParser):
    """The words of a page a reader sees: its text and the attributes read out or shown."""

    SHOWN = frozenset({"title", "alt", "placeholder", "aria-label", "content"})

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        if tag == "meta" and not any(k == "name" and v == "description" for k, v in attrs):
            return
        self.words.extend(value or "" for key, value in attrs if key in self.SHOWN)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.words.append(data)


def test_the_pseudo_language_keeps_placeholders() -> None:
    assert pseudo("Hi %(name)s, see `/checkin goals` :wave:") == (
        f"{OPEN}Hí %(name)s, séé `/checkin goals` :wave:{CLOSE}"
    )
    assert untranslated(f"{OPEN}Hí{CLOSE} <@U1> ana :wave: left") == ["left"]


@pytest.mark.parametrize("name", template_names())
def test_every_word_is_translated(name: str) -> None:
    languages.add_catalogue(PSEUDO, Pseudo())
    env = branching_environment()
    # Babel knows no pseudo-language: its dates would be English. They are Babel's, not ours.
    env.filters["date"] = lambda value, style="long", zone=None: "ana"
    # First in English: words an imported template keeps from its first rendering (Jinja
    # caches a module imported without context) would show here as English.
    with languages.speaking(languages.SOURCE):
        list(renderings(env, name))
    found: dict[str, str] = {}
    with languages.speaking(PSEUDO):
        for label, rendering in renderings(env, name):
            for text in readers_texts(name, rendering):
                for word in untranslated(text):
                    found.setdefault(word, f"{label}: …{_around(text, word)}…")
    assert not found, f"{name}: English left untranslated\n" + "\n".join(found.values())


def _around(text: str, word: str) -> Any:
    at = text.find(word)
    return text[max(0, at - 60) : at + len(word) + 60]


# -- the catalogues ---------------------------------------------------------------------------

# What a translation keeps exactly: placeholders, mentions; and commands, which stay English
# (the first word after the slash command, as in `/checkin goals`; what follows may be words).
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sd]|<[@#!][^>]*>|(?<=`)/[a-z]+(?: [a-z][a-z-]*\b(?!;))?")


def _strings(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _ids(message: Message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def test_the_catalogue_template_holds_every_message_of_the_templates(catalogue: Catalog) -> None:
    """`scripts/languages.py extract` was run after the templates last changed."""
    script = load_script("languages")
    kept = script.read(script.POT)
    assert {(m.id, m.context) for m in kept if m.id} == {
        (m.id, m.context) for m in catalogue if m.id
    }


@pytest.mark.parametrize("code", [c for c in languages.available() if c != languages.SOURCE])
def test_every_catalogue_translates_every_message_keeping_its_placeholders(
    code: str, catalogue: Catalog
) -> None:
    script = load_script("languages")
    translated = script.read(script.LOCALE / code / "LC_MESSAGES" / "messages.po")
    wrong = []
    for message in catalogue:
        if not message.id:
            continue
        found = translated.get(message.id, context=message.context)
        if found is None or found in script.missing(translated):
            wrong.append(f"untranslated: {message.id!r}")
            continue
        forms = [set(PLACEHOLDER.findall(text)) for text in _ids(message)]
        # Each form keeps what every English form has (a singular may drop its count).
        needed, allowed = set.intersection(*forms), set.union(*forms)
        for text in _strings(found):
            kept = set(PLACEHOLDER.findall(text))
            if not needed <= kept <= allowed:
                wrong.append(f"placeholders differ: {message.id!r} -> {text!r}")
    assert not wrong, f"{code}: {len(wrong)} messages\n" + "\n".join(wrong[:40])


@pytest.mark.parametrize("code", [c for c in languages.available() if c != languages.SOURCE])
def test_each_compiled_catalogue_is_its_translations(code: str) -> None:
    """`scripts/languages.py compile` was run after the translations last changed."""
    script = load_script("languages")
    folder = script.LOCALE / code / "LC_MESSAGES"
    with (folder / "messages.mo").open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    for message in script.read(folder / "messages.po"):
        if not message.id or message.fuzzy:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if message.context:
            assert compiled.pgettext(message.context, key) == _strings(message)[0]
        elif isinstance(message.id, tuple):
            assert compiled.ngettext(message.id[0], message.id[1], 1) == message.string[0]
        else:
            assert compiled.gettext(key) == message.string, key


# -- Slack's limits in every language --------------------------------------------------------


@pytest.mark.parametrize("code", languages.available())
def test_block_kit_limits_hold_in_every_language(code: str) -> None:
    """Every Block Kit template in every branch, with stand-in values, in each language:
    modal titles, buttons, options, headers and sections within Slack's limits."""
    env = branching_environment()
    found: dict[str, str] = {}
    with languages.speaking(code):
        for name in template_names():
            if ".json" not in name:
                continue
            for label, rendering in renderings(env, name):
                for part in rendering.split("\n\n"):
                    for problem in _block_kit_problems(part):
                        if LENGTH.search(problem):  # (stand-ins are no dates, and so on)
                            found.setdefault(f"{name}: {problem}", label)
    assert not found, f"{code}:\n" + "\n".join(f"{what} ({label})" for what, label in found.items())


LENGTH = re.compile(r"exceed|characters|too long", re.IGNORECASE)


def _block_kit_problems(text: str) -> list[str]:
    try:
        parsed = json.loads(text)
    except ValueError:
        return []  # a part of a message, checked where it is used
    if isinstance(parsed, dict) and parsed.get("type") in ("modal", "home"):
        if not isinstance(parsed.get("blocks"), list):  # blocks given whole, as a stand-in
            parsed = {**parsed, "blocks": [{"type": "divider"}]}
        return check_view(parsed)
    if isinstance(parsed, dict) and isinstance(parsed.get("blocks"), list):
        return check_blocks(parsed["blocks"])
    if isinstance(parsed, list) and all(isinstance(b, dict) and "type" in b for b in parsed):
        return check_blocks(parsed)
    return []
