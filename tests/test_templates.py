"""Every template, rendered with each of its branches taken and not taken: no sentence runs
into the next.

`trim_blocks` drops the line break after a block tag, so a sentence that ends before
`{% endif %}` and one that starts on the next line meet without a space ("…installed in this
workspace.You installed it…"). Each template is rendered in all its variants
(tests/branching.py) and searched for sentences that meet.
"""

from __future__ import annotations

import re

import pytest

from tests.branching import branching_environment, renderings, template_names

# A sentence's end directly followed by the next one's capital, bullet or leading emoji
# (markup may sit between), or a list's bullet or "…and N more" that does not start a line.
RUN_TOGETHER = re.compile(
    r"[a-z0-9)\]*_`'\u2019\u201d>][.!?][*_`]*(?:[A-Z•]|:[a-z0-9_+-]+:)" r'|[^\s"(\[_](?:•|…and )'
)


def test_every_template_is_checked() -> None:
    names = template_names()
    assert len(names) > 100 and "installs/welcome.md.j2" in names


@pytest.mark.parametrize("name", template_names())
def test_no_sentence_runs_into_the_next(name: str) -> None:
    env = branching_environment()
    found: dict[str, str] = {}
    for label, text in renderings(env, name):
        for hit in RUN_TOGETHER.finditer(text.replace("\\n", "\n")):  # JSON's line breaks
            start = max(0, hit.start() - 40)
            found.setdefault(text[start : hit.end() + 20], label)
    assert not found, "\n".join(f"{label}: …{words}…" for words, label in found.items())
