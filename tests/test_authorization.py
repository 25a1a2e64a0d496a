"""Who may do what: every `/mentoring` subcommand is for coordinators only, and a refusal
changes nothing. SECURITY.md's table of commands and roles is checked against this."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.handlers.commands import checkin_command as checkin
from mentorbot.handlers.commands import mentoring_command as mentoring
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.programme import ANA, BEN, COORD, add_people, counts, create_spring, mention

REPO = Path(__file__).resolve().parents[1]
REFUSAL = "only programme coordinators"
# A plausible use of each subcommand, as a coordinator would type it.
TYPED = {
    "coordinator": f"coordinator add {mention(BEN)}",
    "coordinators": "coordinators",
    "cohort": "cohort end Spring 2027",
    "cohorts": "cohorts",
    "pair": f"pair {mention(ANA)} {mention(BEN)}",
    "unpair": f"unpair {mention(BEN)}",
    "capacity": f"capacity {mention(ANA)} 2",
    "import": "import dry-run",
    "announce": "announce",
    "announcements": "announcements",
    "feedback": "feedback",
    "match": "match Spring 2027",
    "status": "status",
    "report": "report",
    "dashboard": "dashboard",
    "extend": "cohort extend Spring 2027 weeks 2",
}


def test_every_mentoring_subcommand_is_typed_here() -> None:
    assert set(mentoring.ROUTES) <= set(TYPED)


@pytest.mark.parametrize("word", sorted(mentoring.ROUTES))
def test_people_who_do_not_coordinate_are_refused_every_mentoring_command(
    word: str, slack: SignedSlackClient, standin: SlackStandin, sessions: sessionmaker[Session]
) -> None:
    add_people(standin)
    create_spring(slack)
    before = counts(sessions)
    calls = len(standin.calls)

    refused = slack.command("/mentoring", TYPED[word], user_id=ANA)

    assert refused.status == 200 and REFUSAL in refused.json()["text"]
    assert counts(sessions) == before  # nothing changed
    assert standin.calls[calls:] == []  # nothing was asked of Slack either
    allowed = slack.command("/mentoring", TYPED[word], user_id=COORD)
    assert allowed.status == 200
    assert REFUSAL not in (allowed.json().get("text", "") if allowed.body else "")


def test_security_md_lists_every_command_with_its_role() -> None:
    text = (REPO / "SECURITY.md").read_text()
    table = {
        match.group(1): match.group(2)
        for match in re.finditer(r"^\| `(/\w+(?: [\w-]+)?)[^`]*` \| (\w+) \|", text, re.M)
    }
    for word in mentoring.ROUTES:
        assert table.get(f"/mentoring {word}") == "coordinators", word
    for word in checkin.ROUTES:
        assert table.get(f"/checkin {word}") == "anyone", word


def test_every_test_security_md_cites_exists() -> None:
    text = (REPO / "SECURITY.md").read_text()
    cited = 0
    current = None
    for match in re.finditer(r"`(tests/\w+\.py)?(?:::(\w+))?`", text):
        path, name = match.groups()
        if path:
            current = path
            assert (REPO / path).exists(), path
        if name:
            assert current is not None
            assert f"def {name}(" in (REPO / current).read_text(), f"{current}::{name}"
            cited += 1
    assert cited >= 10
