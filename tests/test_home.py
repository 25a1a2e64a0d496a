"""The App Home: what each person sees first."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.models import OutboundMessage
from mentorbot.handlers.events.home import home_view
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.standin.contract import check_view
from tests.factories import TEAM, seed_pair
from tests.programme import ANA, BEN, COORD
from tests.rhythm import agree, chosen, form, pair_ana_and_ben, the_pair
from tests.weeks import START, view_of

NOW = datetime(2027, 3, 3, 10, tzinfo=UTC)


def shown(view: dict[str, Any]) -> list[str]:
    """The words of each block, in order."""
    return [json.dumps(block, ensure_ascii=False) for block in view["blocks"]]


def test_a_coordinators_home_leads_with_their_cohorts(
    sessions: sessionmaker[Session],
) -> None:
    seed_pair(sessions, now=NOW, mentor="U0MENTOR", mentee="U0MENTEE")
    with sessions() as session:
        view = home_view(session, team_id=TEAM, user_id=COORD, coordinator=True, now=NOW)
        mentee = home_view(session, team_id=TEAM, user_id="U0NEW", coordinator=False, now=NOW)
    assert check_view(view, "home") == []
    blocks = shown(view)
    assert "Cohort health" in blocks[0] and "*Spring*" in blocks[1]
    # Not in a pair themselves: nothing tells them they will be paired by "the coordinators".
    everything = "".join(blocks)
    assert "not in a mentoring pair" not in everything
    assert "coordinators will pair you" not in everything
    assert 'Your mentoring"' not in everything  # no header over an empty part
    # Someone who is not a coordinator still hears they will be paired.
    assert "You are not in a mentoring pair yet" in "".join(shown(mentee))


def test_a_coordinator_who_mentors_sees_their_cohorts_then_their_pairs(
    sessions: sessionmaker[Session],
) -> None:
    seed_pair(sessions, now=NOW, mentor=COORD, mentee="U0MENTEE")
    with sessions() as session:
        view = home_view(session, team_id=TEAM, user_id=COORD, coordinator=True, now=NOW)
    assert check_view(view, "home") == []
    blocks = shown(view)
    health = next(i for i, text in enumerate(blocks) if "Cohort health" in text)
    mine = next(i for i, text in enumerate(blocks) if 'Your mentoring"' in text)
    mentee = next(i for i, text in enumerate(blocks) if "*You mentor* <@U0MENTEE>" in text)
    assert health == 0 < mine < mentee


@pytest.mark.usefixtures("people")
def test_app_home_shows_the_pair_the_next_meeting_goals_and_own_checkins(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True):
        pair_ana_and_ben(slack, "2027-03-01")
        pair_id = the_pair(runtime.sessions).id
        agree(slack, pair_id, weekday="2", at="16:00", cadence="weekly")
        slack.command("/checkin", "Our first talk went well", user_id=BEN)
        for user_id in (BEN, ANA, COORD):
            event = {"type": "app_home_opened", "user": user_id, "channel": "D0", "tab": "home"}
            slack.event(event)
        ben, ana = standin.home_view(BEN), standin.home_view(ANA)
        coord = json.dumps(standin.home_view(COORD))
        ben_text, ana_text = json.dumps(ben), json.dumps(ana)
        assert f"Your mentor:* <@{ANA}>" in ben_text and "Ship the search feature" in ben_text
        assert "Our first talk went well" in ben_text and "Our first talk" not in ana_text
        meeting = datetime(2027, 3, 3, 21, tzinfo=UTC)  # Wednesday 3 March, 16:00 in New York
        assert f"<!date^{int(meeting.timestamp())}^" in ben_text
        actions = {
            e["action_id"]
            for b in (ben or {})["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
        }
        assert actions == {"checkin_open", "goal_add_open", "pause_open", "agreement_open"}
        concern = next(
            b for b in (ben or {})["blocks"] if b.get("block_id", "").startswith("concern_")
        )
        assert concern["accessory"]["action_id"] == "concern_open"  # raised privately
        assert "Cohort health" in coord and "/mentoring help" in coord
        assert "not in a mentoring pair" not in coord  # a coordinator's Home leads with cohorts

        slack.block_action(BEN, "pause_open", value=str(pair_id), view=ben)
        assert view_of(standin)["callback_id"] == "pause"
        pause = form(length=chosen("3 weeks"))
        done = slack.view_submission(BEN, "pause", pause, str(pair_id)).json()
        assert done["response_action"] == "update" and the_pair(runtime.sessions).status == "paused"
        slack.block_action(BEN, "pause_resume", value=str(pair_id), view=ben)
        assert the_pair(runtime.sessions).status == "active"
        assert "pause_open" in json.dumps(standin.calls_to("views.publish")[-1].args["view"])
        queued = len(standin.calls_to("views.open"))
        slack.block_action(BEN, "checkin_open", value=str(pair_id), view=ben)
        assert len(standin.calls_to("views.open")) == queued + 1
        assert view_of(standin)["callback_id"] == "checkin"
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboundMessage)) > 0
