"""The languages mentorbot speaks: its catalogues (`mentorbot/locale/`), the language of the
person a message is being rendered for, and dates and times in that language (Babel).

The templates are written in English and marked for translation (`{% trans %}`, `_()`); a
catalogue per language holds their translations (ADR 0014). What language a rendering is in
is set around it with `speaking(...)`: a request speaks its sender's language, a message
queued for someone else is rendered in theirs. Outside any, the workspace default
(`MENTORBOT_LANGUAGE`, set with `by_default`) is spoken.
"""

from __future__ import annotations

import gettext as _gettext
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal
from babel.support import Translations

# The catalogues: `<code>/LC_MESSAGES/messages.mo`, built from the `.po` beside it.
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
# The language the templates are written in: it needs no catalogue.
SOURCE = "en"

# The message context of date patterns and of Slack's date tokens (see `date_pattern`).
DATE_CONTEXT = "date format"


def _date_pattern(english: str) -> str:
    """Mark a Babel date pattern for translation (extracted with the context `DATE_CONTEXT`):
    a language orders day, month and year its own way ("d. MMMM y", "d 'de' MMMM 'de' y")."""
    return english


# Every way the bot writes a day or a time, by name (`{{ day | date("long") }}`).
DATE_PATTERNS: dict[str, str] = {
    "long": _date_pattern("d MMMM y"),  # 7 December 2026
    "day_month": _date_pattern("d MMMM"),  # 7 December
    "short": _date_pattern("d MMM"),  # 7 Dec
    "short_year": _date_pattern("d MMM y"),  # 7 Dec 2026
    "short_year_time": _date_pattern("d MMM y, HH:mm"),  # 7 Dec 2026, 14:30
    "short_weekday_year_time": _date_pattern("EEE d MMM y, HH:mm"),  # Mon 7 Dec 2026, 14:30
    "weekday": _date_pattern("EEEE"),  # Monday
    "weekday_day": _date_pattern("EEEE d MMMM"),  # Monday 7 December
    "weekday_long": _date_pattern("EEEE d MMMM y"),  # Monday 7 December 2026
    "time": _date_pattern("HH:mm"),  # 14:30
    "short_moment": _date_pattern("EEE d MMM HH:mm"),  # Mon 7 Dec 14:30
    "short_moment_year": _date_pattern("EEE d MMM y HH:mm"),  # Mon 7 Dec 2026 14:30
    "moment": _date_pattern("EEEE d MMMM y 'at' HH:mm"),  # Monday 7 December 2026 at 14:30
}
# How Slack is asked to write a moment in each reader's own zone (`<!date^…^{…}|…>`): its
# tokens stay as they are; the words between them are translated.
SLACK_DATE = _date_pattern("{date_long_pretty} at {time}")

_default: ContextVar[str] = ContextVar("mentorbot_default_language", default=SOURCE)
_reader: ContextVar[_Reader | None] = ContextVar("mentorbot_language", default=None)
# Catalogues that are not files (the tests' pseudo-language).
_added: dict[str, _gettext.NullTranslations] = {}

_CODE = re.compile(r"^([A-Za-z]{2,3})(?:[-_]([A-Za-z0-9]{2,8}))?$")


class _Reader:
    """A reader's language, looked up the first time a word is rendered for them (a request
    that renders nothing costs no query)."""

    def __init__(self, code: str | Callable[[], str]) -> None:
        self._code = code

    @property
    def code(self) -> str:
        if callable(self._code):
            self._code = self._code()
        return self._code


@contextmanager
def speaking(code: str | Callable[[], str]) -> Iterator[None]:
    """Render in this language (a code, or a function that finds it when first needed)."""
    token = _reader.set(_Reader(code))
    try:
        yield
    finally:
        _reader.reset(token)


@contextmanager
def by_default(code: str) -> Iterator[None]:
    """Speak `code` wherever no reader's language is set (the workspace default)."""
    token = _default.set(code)
    try:
        yield
    finally:
        _default.reset(token)


def default() -> str:
    """The workspace default language in effect."""
    return _default.get()


def current() -> str:
    """The language being rendered now."""
    reader = _reader.get()
    return reader.code if reader is not None else _default.get()


def available() -> tuple[str, ...]:
    """Every language with a catalogue, English first."""
    found = sorted(
        path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")
    )
    return (SOURCE, *found, *sorted(_added))


def supported(code: str | None) -> str | None:
    """The catalogue for a language code as Slack or a person writes it (`es-ES`, `de`,
    `pt_BR`), or None when mentorbot does not speak it. A regional variant falls back to its
    language (`es-MX` is `es`)."""
    found = _CODE.match((code or "").strip())
    if not found:
        return None
    language, region = found.group(1).lower(), (found.group(2) or "")
    codes = available()
    for candidate in (f"{language}_{region.upper()}" if region else "", language):
        if candidate and candidate in codes:
            return candidate
    return None


def add_catalogue(code: str, translations: _gettext.NullTranslations) -> None:
    """Speak a language whose catalogue is not a file (the tests' pseudo-language)."""
    _added[code] = translations
    catalogue.cache_clear()


@cache
def catalogue(code: str) -> _gettext.NullTranslations:
    """The translations of one language (none for English, the templates' own)."""
    if code in _added:
        return _added[code]
    if code == SOURCE:
        return _gettext.NullTranslations()
    return Translations.load(LOCALE_DIR, [code], DOMAIN)


def gettext(message: str) -> str:
    return catalogue(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalogue(current()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return catalogue(current()).pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return catalogue(current()).npgettext(context, singular, plural, n)


@cache
def babel_locale(code: str) -> Locale:
    """Babel's locale data for a language (English for one Babel does not know)."""
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(SOURCE)


def date_pattern(style: str) -> str:
    """The pattern of a named date style in the language being rendered."""
    return pgettext(DATE_CONTEXT, DATE_PATTERNS[style])


def format_day(value: date | datetime | time, style: str) -> str:
    """A day, a time or a moment written in the language being rendered (`DATE_PATTERNS`).

    A moment is written as it is, in its own zone: convert it to the reader's first.
    """
    pattern, locale = date_pattern(style), babel_locale(current())
    if isinstance(value, datetime):
        return format_datetime(value, pattern, tzinfo=value.tzinfo, locale=locale)
    if isinstance(value, time):
        return format_time(value, pattern, locale=locale)
    return format_date(value, pattern, locale=locale)


def format_number(value: float, pattern: str = "#,##0") -> str:
    """A number written in the language being rendered ("1,234.5", "1.234,5")."""
    return str(format_decimal(value, pattern, locale=babel_locale(current())))


def slack_date_tokens() -> str:
    """The words around Slack's date tokens, in the language being rendered."""
    return pgettext(DATE_CONTEXT, SLACK_DATE)


def language_name(code: str, *, in_language: str | None = None) -> str:
    """A language's own name ("español"), or its name in another language; the code
    itself for one Babel does not know."""
    try:
        named = Locale.parse(str(code))
    except (UnknownLocaleError, ValueError, TypeError):
        return str(code)
    name: Any = named.get_display_name(babel_locale(str(in_language or code)))
    return str(name or code)
