"""Who is asking, resolved once per request by middleware: the actor of a command, a button, a
form and an event, and what it reads only when a listener asks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select

from mentorbot.bot.models import Cohort
from mentorbot.handlers import middleware
from mentorbot.handlers.actor import Actor
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.conftest import TEAM
from tests.programme import ANA, BEN, COORD, counts, create_spring
from tests.rhythm import chosen, form

NOW = datetime(2027, 3, 10, 9, 30, tzinfo=UTC)


pytestmark = pytest.mark.usefixtures("people")


@pytest.fixture
def actors(monkeypatch: pytest.MonkeyPatch, runtime: Runtime) -> list[Actor]:
    """The actor the middleware made for each request, in order; the bot's clock says NOW."""
    made: list[Actor] = []

    def recorded(**fields: Any) -> Actor:
        made.append(Actor(**fields))
        return made[-1]

    monkeypatch.setattr(middleware, "Actor", recorded)
    monkeypatch.setattr(runtime, "clock", lambda: NOW)
    return made


@contextmanager
def role_reads(runtime: Runtime) -> Iterator[list[str]]:
    """The statements the bot runs inside the block that read who coordinates."""
    found: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if " ".join(statement.split()).startswith("SELECT member.is_coordinator FROM"):
            found.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", record)
    try:
        yield found
    finally:
        event.remove(runtime.engine, "before_cursor_execute", record)


def test_every_kind_of_request_gets_the_person_who_sent_it_as_its_actor(
    slack: SignedSlackClient, runtime: Runtime, actors: list[Actor]
) -> None:
    with role_reads(runtime) as reads:
        assert slack.command("/checkin", "help", user_id=BEN).status == 200
        assert slack.block_action(BEN, "own_data_cancel", message={"ts": "1.2"}).status == 200
        form = slack.view_submission(BEN, "checkin", {}, private_metadata="stale")
        assert form.status == 200 and "out of date" in form.body
        revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": []}}
        assert slack.event(revoked).status == 200
    # Nothing of theirs was read that the listeners did not need.
    assert reads == []

    assert [(actor.team_id, actor.user_id, actor.now) for actor in actors] == [
        (TEAM, BEN, NOW),  # the command
        (TEAM, BEN, NOW),  # the button
        (TEAM, BEN, NOW),  # the form
        (TEAM, "", NOW),  # an event no one in particular sent
    ]
    assert not actors[-1].coordinates  # and no query asks about no one


def test_an_event_from_a_person_reads_their_role_once_when_its_listener_asks(
    slack: SignedSlackClient, standin: SlackStandin, runtime: Runtime, actors: list[Actor]
) -> None:
    with role_reads(runtime) as reads:
        for user_id in (BEN, COORD):
            opened = {"type": "app_home_opened", "user": user_id, "channel": "D0H", "tab": "home"}
            assert slack.event(opened).status == 200
    assert [(actor.team_id, actor.user_id) for actor in actors] == [(TEAM, BEN), (TEAM, COORD)]
    assert [actor.coordinates for actor in actors] == [False, True]
    # Ben's role is looked up once; a coordinator through MENTORBOT_COORDINATORS needs none.
    assert len(reads) == 1
    assert "Cohort health" not in str(standin.home_view(BEN))
    assert "Cohort health" in str(standin.home_view(COORD))


# -- coordinators only: one guard, one refusal -------------------------------------------------

MENTORING_REFUSAL = "only programme coordinators can use `/mentoring` commands."
HEALTH_REFUSAL = "only programme coordinators can nudge a pair or see its figures."
# The buttons of `/mentoring`'s messages, each with a value that would work for a coordinator
# ({cohort} is Spring 2027's id).
GUARDED_BUTTONS = {
    "announcement_cancel": "1",
    "cohort_show_page": "{cohort}:1",
    "cohort_extend": "{cohort}",
    "match_row": "drop:1:U0BEN",
    "match_confirm": "confirm:1",
    "match_discard": "discard:1",
}


@pytest.mark.parametrize("action_id", sorted(GUARDED_BUTTONS))
def test_a_coordinators_button_refuses_anyone_else_and_changes_nothing(
    action_id: str, slack: SignedSlackClient, standin: SlackStandin, runtime: Runtime
) -> None:
    create_spring(slack)
    value = GUARDED_BUTTONS[action_id].format(cohort=spring_id(runtime))
    before, calls, answers = counts(runtime.sessions), len(standin.calls), len(standin.responses)

    pressed = slack.block_action(ANA, action_id, value=value, message={"ts": "1.000001"})

    assert pressed.status == 200
    [(_, refusal)] = standin.responses[answers:]
    assert MENTORING_REFUSAL in refusal["text"] and not refusal.get("replace_original")
    assert counts(runtime.sessions) == before
    assert standin.calls[calls:] == []


def test_the_announcement_form_refuses_anyone_else_in_a_modal(
    slack: SignedSlackClient, standin: SlackStandin, runtime: Runtime
) -> None:
    create_spring(slack)
    before = counts(runtime.sessions)
    values = form(cohort=chosen(str(spring_id(runtime))), text="Hello all", when=chosen("now"))
    answer = slack.view_submission(ANA, "announce", values).json()
    assert answer["response_action"] == "push" and MENTORING_REFUSAL in json.dumps(answer)
    assert counts(runtime.sessions) == before


@pytest.mark.parametrize("action_id", ["health_nudge", "health_open"])
def test_a_cohort_health_button_refuses_anyone_else_in_a_modal(
    action_id: str, slack: SignedSlackClient, standin: SlackStandin, runtime: Runtime
) -> None:
    before = counts(runtime.sessions)
    home = {"id": "V0HOME", "type": "home", "blocks": []}
    assert slack.block_action(ANA, action_id, value="1", view=home).status == 200
    [opened] = standin.calls_to("views.open")
    assert HEALTH_REFUSAL in json.dumps(opened.args)
    assert counts(runtime.sessions) == before


def test_mentoring_help_stays_open_to_everyone(slack: SignedSlackClient, runtime: Runtime) -> None:
    with role_reads(runtime) as reads:
        for text in ("", "help", "HELP"):
            reply = slack.command("/mentoring", text, user_id=ANA).json()["text"]
            assert "/mentoring cohort create" in reply and MENTORING_REFUSAL not in reply
    assert reads == []  # nobody's role is looked up to show the help
    assert MENTORING_REFUSAL in slack.command("/mentoring", "helpme", user_id=ANA).json()["text"]


def spring_id(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        return int(session.scalars(select(Cohort.id)).one())
