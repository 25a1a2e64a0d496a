"""Who is asking, resolved once per request by middleware: the actor of a command, a button, a
form and an event, and what it reads only when a listener asks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event

from mentorbot.handlers import middleware
from mentorbot.handlers.actor import Actor
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.conftest import TEAM
from tests.programme import BEN, COORD, add_people

NOW = datetime(2027, 3, 10, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def people(standin: SlackStandin) -> None:
    add_people(standin)


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
