"""The directory of mentors: in a self-serve cohort, a mentee finds the mentors open to
requests with room, best fit first; capacity, breaks and past pairs are respected, and
anyone else is told politely why there is no list."""

from __future__ import annotations

import json
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from mentorbot.bot.models import Cohort
from mentorbot.bot.services.mentor_directory import mentor_directory
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.factories import TEAM
from tests.programme import ANA, BEN, CAT, DAN, EVE, OUTSIDER, create_spring, mention, mentoring
from tests.rhythm import chosen, form, opened, ticked
from tests.weeks import START

pytestmark = pytest.mark.usefixtures("people")
HELP = "I led search at a startup: happy to talk ranking, teams & <b>careers</b>"


def profile(
    slack: SignedSlackClient, user_id: str, role: str, areas: str, **more: Any
) -> dict[str, Any]:
    """`/checkin profile`, filled in and submitted."""
    assert slack.command("/checkin", "profile", user_id=user_id).status == 200
    fields: dict[str, Any] = {
        "role": {"type": "radio_buttons", "selected_option": {"value": role}},
        "areas": areas,
        **more,
    }
    answer: dict[str, Any] = slack.view_submission(user_id, "profile", form(**fields)).json()
    assert answer.get("response_action") == "update", answer
    return answer


def directory(slack: SignedSlackClient, words: str = "") -> dict[str, Any]:
    answer: dict[str, Any] = slack.command("/checkin", f"find-mentor {words}", user_id=BEN).json()
    return answer


def listed(message: dict[str, Any]) -> list[str]:
    """The mentors a directory message lists, in order."""
    return [
        user
        for block in message.get("blocks", [])
        for user in (ANA, CAT, DAN, EVE, OUTSIDER)
        if block.get("type") == "section" and f"*<@{user}>*" in block["text"]["text"]
    ]


def test_a_mentee_finds_the_mentors_open_to_requests_best_fit_first(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START):
        create_spring(slack, "starts 2027-03-01 weeks 12")
        no_profile = directory(slack)["text"]
        assert "/checkin profile" in no_profile and "find a mentor" in no_profile

        profile(slack, BEN, "mentee", "search, leadership")
        opened_up = {"open_to_requests": ticked("open")}
        profile(slack, ANA, "mentor", "Search, leadership, go", how_i_help=HELP, **opened_up)
        profile(slack, CAT, "mentor", "leadership", **opened_up)
        profile(slack, EVE, "mentor", "search, leadership")  # not open to requests
        profile(slack, DAN, "mentor", "search, leadership", **opened_up)
        profile(
            slack,
            OUTSIDER,
            "mentor",
            "search",
            capacity={"type": "number_input", "value": "1"},
            **opened_up,
        )
        # Dan mentored Ben before; Olly's one place is taken.
        mentoring(slack, f"pair {mention(DAN)} {mention(BEN)}")
        mentoring(slack, f"unpair {mention(BEN)}")
        mentoring(slack, f"pair {mention(OUTSIDER)} {mention(EVE)}")

        off = directory(slack)["text"]
        assert "the coordinators pair people" in off
        reply = mentoring(slack, "cohort self-serve Spring 2027 open")
        assert "a mentor's yes makes the pair" in reply

        found = directory(slack)
        assert listed(found) == [ANA, CAT]  # two areas shared, then one
        shown = json.dumps(found)
        assert "you share search, leadership" in shown
        assert "happy to talk ranking, teams &amp; &lt;b&gt;careers&lt;/b&gt;" in shown
        assert "Asia/Tokyo" in shown and "no working hours in common" in shown  # Ana and Ben
        assert "2 mentors open to requests" in shown

        assert listed(directory(slack, "search")) == [ANA]
        assert listed(directory(slack, "Leadership")) == [ANA, CAT]
        assert listed(directory(slack, "knitting")) == []
        assert "No mentor with *knitting*" in json.dumps(directory(slack, "knitting"))

        # A mentor who pauses (on a break) is not listed while the pause lasts.
        mentoring(slack, f"pair {mention(CAT)} {mention(DAN)}")
        slack.command("/checkin", "pause 2 weeks", user_id=CAT)
        assert listed(directory(slack)) == [ANA]


def test_the_app_home_opens_the_directory_and_pages_turn_in_place(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START):
        create_spring(slack, "starts 2027-03-01 weeks 12 self-serve approval")
        with runtime.sessions() as session:
            assert session.scalars(select(Cohort.self_serve)).one() == "approval"
        profile(slack, BEN, "mentee", "search")
        for mentor in (ANA, CAT, DAN):
            profile(slack, mentor, "mentor", "search", open_to_requests=ticked("open"))
        home = {"type": "app_home_opened", "user": BEN, "channel": "D0HOME", "tab": "home"}
        assert slack.event(home).status == 200
        view = standin.home_view(BEN)
        assert view is not None and "mentor_directory_open" in json.dumps(view)
        slack.block_action(BEN, "mentor_directory_open", value="directory", view=view)
        assert set(listed(opened(standin))) == {ANA, CAT, DAN}
        # Ana's App Home (a mentor) has no such button.
        assert slack.event({**home, "user": ANA}).status == 200
        assert "mentor_directory_open" not in json.dumps(standin.home_view(ANA))

        with runtime.sessions() as session:
            first = mentor_directory(session, team_id=TEAM, mentee_id=BEN, now=START, page=2)
        assert first.total == 3 and len(first.mentors) == 2 and first.next_offset == 2
        message = {"blocks": [], "text": "directory"}
        answer = slack.block_action(BEN, "mentor_directory_page", value="2:", message=message)
        assert answer.status == 200
        turned = standin.responses[-1][1]
        assert len(listed(turned)) == 1 and "(3\u20133)" in turned["blocks"][0]["text"]["text"]
        stale = slack.block_action(BEN, "mentor_directory_page", value="x:", message=message)
        assert stale.status == 200
        assert "out of date" in json.dumps(standin.responses[-1][1])


def test_a_mentee_with_a_mentor_or_outside_self_serve_cohorts_gets_no_list(
    slack: SignedSlackClient, runtime: Runtime
) -> None:
    with freeze_time(START):
        create_spring(slack, "starts 2027-03-01 weeks 12 self-serve open")
        mentoring(slack, "cohort create Autumn 2027 <#C0AUTUMN|autumn> starts 2027-09-01")
        with runtime.sessions() as session:
            autumn = session.scalars(select(Cohort.id).where(Cohort.name == "Autumn 2027")).one()
        profile(slack, BEN, "mentee", "search", cohort=chosen(str(autumn)))
        assert "the coordinators pair people" in directory(slack)["text"]
        profile(slack, BEN, "mentee", "search")  # any cohort
        mentoring(slack, f"pair {mention(ANA)} {mention(BEN)} cohort Spring 2027")
        assert "You have a mentor in Spring 2027 already" in directory(slack)["text"]

        bad = mentoring(slack, "cohort self-serve Spring 2027 sometimes")
        assert "is not a way to find a mentor" in bad and "`approval`" in bad
        assert "Which cohort" in mentoring(slack, "cohort self-serve open")
        with runtime.sessions() as session:
            modes = dict(session.execute(select(Cohort.name, Cohort.self_serve)).all())
        assert modes == {"Spring 2027": "open", "Autumn 2027": "off"}
