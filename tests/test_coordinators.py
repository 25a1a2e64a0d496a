"""Coordinators: only they run `/mentoring`, malformed commands explained, adding and removing."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.programme import ANA, BEN, COORD, OUTSIDER, counts, create_spring, mention, mentoring

pytestmark = pytest.mark.usefixtures("people")

COORDINATOR_ONLY = [
    "coordinators",
    "coordinator add <@U0OUT|olly>",
    "coordinator remove <@U0COORD>",
    "cohort create Sneaky <#C0SPRING|x>",
    "cohort list",
    "cohort show Spring 2027",
    "cohort end Spring 2027",
    "pair <@U0ANA> <@U0BEN>",
    "unpair <@U0BEN>",
    "capacity <@U0ANA> 9",
    "import cohort Spring 2027",
    "announce",
    "announcements",
]


def test_everyone_but_coordinators_is_refused_and_nothing_changes(
    slack: SignedSlackClient, sessions: sessionmaker[Session], standin: SlackStandin
) -> None:
    create_spring(slack)
    mentoring(slack, f"pair {mention(ANA)} {mention(BEN)}")
    before = counts(sessions)
    calls = len(standin.calls)
    for text in COORDINATOR_ONLY:
        reply = mentoring(slack, text, user_id=OUTSIDER)
        assert "only programme coordinators" in reply, text
    assert counts(sessions) == before
    assert len(standin.calls) == calls  # no modal opened, no message sent
    assert "/mentoring cohort create" in mentoring(slack, "help", user_id=OUTSIDER)


@pytest.mark.parametrize(
    ("text", "explains"),
    [
        ("cohort", "say `create`, `list`, `show`, `extend`, `end` or `self-serve`"),
        ("cohort create", "a cohort needs a name and a channel"),
        ("cohort create Spring", "a cohort needs a name and a channel"),
        ("cohort create <#C0SPRING|x>", "the cohort's name comes before its channel"),
        ("cohort create Spring #mentoring", "pick the channel from Slack's list"),
        ("cohort create Spring <#C0SPRING|x> weeks twelve", "`weeks` must be a whole number"),
        ("cohort create Spring <#C0SPRING|x> weeks 500", "`weeks` must be a whole number"),
        ("cohort create Spring <#C0SPRING|x> starts 01/03/2027", "is not a date"),
        ("cohort create Spring <#C0SPRING|x> cadence daily", "is not a cadence"),
        ("cohort create Spring <#C0SPRING|x> colour blue", "I don't understand `colour`"),
        ("cohort create Spring <#C0SPRING|x> weeks", "`weeks` needs a value"),
        ("cohort show", "say which cohort"),
        ("cohort show Autumn", "there is no cohort called *Autumn*"),
        ("pair", "name the mentor first, then the mentee"),
        ("pair @ana @ben", "pick the person from Slack's list"),
        ("pair <@U0ANA|ana> ben", "`ben` is not a person"),
        ("unpair", "name the mentee"),
        ("capacity <@U0ANA|ana> lots", "a capacity must be a whole number"),
        ("coordinator promote <@U0ANA>", "say `add`, `remove` or `list`"),
        ("coordinator add", "name one person"),
        ("frobnicate", "I don't know the `/mentoring` command `frobnicate`"),
    ],
)
def test_malformed_commands_say_what_was_wrong_with_an_example(
    slack: SignedSlackClient, sessions: sessionmaker[Session], text: str, explains: str
) -> None:
    before = counts(sessions)
    reply = mentoring(slack, text)
    assert explains in reply, reply
    assert "For example: `/mentoring" in reply or "cohorts:" in reply, reply
    assert counts(sessions) == before


def test_coordinators_add_list_and_remove_each_other(
    slack: SignedSlackClient, sessions: sessionmaker[Session]
) -> None:
    assert "only programme coordinators" in mentoring(slack, "cohort list", user_id=OUTSIDER)
    added = mentoring(slack, f"coordinator add {mention(OUTSIDER, 'olly')}")
    assert f"<@{OUTSIDER}> is now a coordinator" in added
    assert f"<@{COORD}>" in added and f"<@{OUTSIDER}>" in added
    assert "is a coordinator already" in mentoring(slack, f"coordinator add <@{OUTSIDER}>")
    assert "no cohorts yet" in mentoring(slack, "cohort list", user_id=OUTSIDER)

    configured = mentoring(slack, f"coordinator remove <@{COORD}>", user_id=OUTSIDER)
    assert "MENTORBOT_COORDINATORS" in configured
    removed = mentoring(slack, f"coordinator remove <@{OUTSIDER}>")
    assert "is no longer a coordinator" in removed
    assert counts(sessions)["coordinators"] == []
    assert "only programme coordinators" in mentoring(slack, "cohort list", user_id=OUTSIDER)
    assert f"<@{COORD}>" in mentoring(slack, "coordinator list")
