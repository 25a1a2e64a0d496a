"""Keep the translation catalogues (`mentorbot/locale/`) in step with the templates.

    python scripts/languages.py extract      # templates -> mentorbot/locale/messages.pot
    python scripts/languages.py extract --only home help --output part.pot  # some folders
    python scripts/languages.py update       # messages.pot -> every <code>/LC_MESSAGES/messages.po
    python scripts/languages.py compile      # every messages.po -> its messages.mo
    python scripts/languages.py new pt_BR    # start a catalogue for another language
    python scripts/languages.py missing es   # what a catalogue has yet to translate

After editing templates: extract, update, translate what `missing` lists, compile, then run
the tests (tests/test_languages.py fails while any of these steps is left undone).
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "mentorbot"
TEMPLATES = PACKAGE / "templates"
LOCALE = PACKAGE / "locale"
POT = LOCALE / "messages.pot"
DATES = PACKAGE / "bot" / "languages.py"
# The options the bot's own environment parses with (see bot/rendering.py).
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trimmed": "true", "newstyle_gettext": "true"}
HEADER = "Translations of mentorbot's messages."
# A fixed date, so an extraction that finds nothing new changes no file.
CREATED = datetime(2026, 12, 7, tzinfo=UTC)


def extracted(only: tuple[str, ...] = ()) -> Catalog:
    """Every message of the templates and the date patterns, as Babel extracts them; with
    `only`, those of the template folders named (`errors/goals`, `home`) alone."""
    catalog = Catalog(
        project="mentorbot", header_comment=f"# {HEADER}", creation_date=CREATED, fuzzy=False
    )
    found = extract_from_dir(
        TEMPLATES,
        method_map=[("**.j2", "jinja2")],
        options_map={"**.j2": JINJA_OPTIONS},
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        if only and not any(filename.startswith(f"{folder.rstrip('/')}/") for folder in only):
            continue
        catalog.add(
            message,
            locations=[(f"templates/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    if only:
        return catalog
    from mentorbot.bot.languages import DATE_CONTEXT

    patterns = extract_from_file("python", DATES, keywords={"_date_pattern": None})
    for lineno, message, _, _ in patterns:
        catalog.add(message, locations=[("bot/languages.py", lineno)], context=DATE_CONTEXT)
    return catalog


def po_files() -> Iterator[Path]:
    yield from sorted(LOCALE.glob("*/LC_MESSAGES/messages.po"))


def read(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file)


def write(catalog: Catalog, path: Path) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, sort_output=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def missing(catalog: Catalog) -> list[Message]:
    """The messages of a catalogue that are untranslated or marked fuzzy."""
    found = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            found.append(message)
    return found


def extract(only: tuple[str, ...] = (), output: Path = POT) -> None:
    catalog = extracted(only)
    write(catalog, output)
    print(f"{output}: {len(catalog)} messages")


def update() -> None:
    template = read(POT)
    for path in po_files():
        catalog = read(path)
        catalog.update(template, update_header_comment=False, update_creation_date=False)
        catalog.obsolete.clear()
        write(catalog, path)
        print(f"{path.relative_to(REPO)}: {len(missing(catalog))} to translate")


def compile_all() -> None:
    for path in po_files():
        path.with_suffix(".mo").write_bytes(compiled(read(path)))
        print(f"{path.with_suffix('.mo').relative_to(REPO)} written")


def new(code: str) -> None:
    path = LOCALE / code / "LC_MESSAGES" / "messages.po"
    if path.exists():
        sys.exit(f"{path.relative_to(REPO)} exists already")
    template = read(POT)
    catalog = Catalog(locale=code, project="mentorbot", header_comment=f"# {HEADER}")
    catalog.update(template)
    write(catalog, path)
    print(f"{path.relative_to(REPO)}: {len(catalog)} messages to translate")


def show_missing(code: str) -> None:
    catalog = read(LOCALE / code / "LC_MESSAGES" / "messages.po")
    for message in missing(catalog):
        where = ", ".join(f"{file}:{line}" for file, line in message.locations)
        print(f"{where}\n  {message.id!r}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    steps = parser.add_subparsers(dest="step", required=True)
    extracting = steps.add_parser("extract")
    extracting.add_argument("--only", nargs="+", default=(), help="template folders alone")
    extracting.add_argument("--output", type=Path, default=POT)
    for step in ("update", "compile"):
        steps.add_parser(step)
    steps.add_parser("new").add_argument("code")
    steps.add_parser("missing").add_argument("code")
    arguments = parser.parse_args()
    if arguments.step == "extract":
        extract(tuple(arguments.only), arguments.output)
    elif arguments.step == "update":
        update()
    elif arguments.step == "compile":
        compile_all()
    elif arguments.step == "new":
        new(arguments.code)
    else:
        show_missing(arguments.code)


if __name__ == "__main__":
    main()
