"""The module map: each package's docstring names every module in it, one line each, and
docs/modules.md (written by scripts/module_map.py from the docstrings) is current."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import ModuleType

import pytest

from tests.scripts import load_script

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "mentorbot"
# A docstring's line for one module: "- `name`: what it holds." (`name/` for a package).
LISTED = re.compile(r"^- `([\w.]+/?)`", re.MULTILINE)


def module_map() -> ModuleType:
    return load_script("module_map")


def package_names() -> list[str]:
    return [folder.relative_to(REPO).as_posix() for folder in module_map().packages(PACKAGE)]


def contents(folder: Path) -> set[str]:
    """The modules (`name`) and packages (`name/`) directly inside a package."""
    modules = {path.stem for path in folder.glob("*.py") if path.name != "__init__.py"}
    packages = {f"{path.name}/" for path in folder.iterdir() if (path / "__init__.py").is_file()}
    return modules | packages


@pytest.mark.parametrize("name", package_names())
def test_each_package_docstring_names_every_module_in_it(name: str) -> None:
    folder = REPO / name
    docstring = ast.get_docstring(ast.parse((folder / "__init__.py").read_text())) or ""
    listed = set(LISTED.findall(docstring))
    missing = contents(folder) - listed
    assert not missing, (
        f"{name}/__init__.py: add a line `- `module`: what it holds.` to its docstring for "
        f"{sorted(missing)}"
    )
    # Beside modules, a docstring may name the package's data folders and files.
    gone = {entry for entry in listed - contents(folder) if not (folder / entry).exists()}
    assert not gone, f"{name}/__init__.py names what is not there: {sorted(gone)}"


def test_docs_modules_md_is_current() -> None:
    written = REPO / "docs" / "modules.md"
    text = written.read_text(encoding="utf-8") if written.is_file() else ""
    assert text == module_map().render(), (
        "docs/modules.md is out of date: run scripts/module_map.py"
    )


def test_the_map_refuses_a_module_without_a_docstring(tmp_path: Path) -> None:
    package = tmp_path / "mentorbot"
    package.mkdir()
    (package / "__init__.py").write_text('"""A package.\n\n- `described`: one.\n"""\n')
    (package / "described.py").write_text('"""What it holds,\nover two lines.\n\nMore."""\n')
    tool = module_map()
    assert "[`described.py`](../mentorbot/described.py): What it holds, over two lines." in (
        tool.render(package)
    )
    (package / "silent.py").write_text("x = 1\n")
    with pytest.raises(tool.MissingDocstring, match=r"silent\.py has no docstring"):
        tool.render(package)
