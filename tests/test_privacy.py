"""Privacy: each kind of check-in content against each kind of reader, on every surface.

A check-in's text is its author's; a mentee's shared check-in reaches their mentor too;
another mentee and the coordinators never read any of it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from mentorbot.bot.models import CheckIn, Pair
from mentorbot.bot.services.privacy import readable_by
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.programme import ANA, BEN, CAT, COORD, DAN, add_people, mention, mentoring
from tests.rhythm import agree, chosen, form, pair_ana_and_ben, run_until, the_pair, ticked

START = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
CONTENT = {
    "MENTEE-PRIVATE": {BEN},
    "MENTEE-SHARED": {BEN, ANA},
    "MENTOR-OWN": {ANA},
}
READERS = (BEN, ANA, DAN, COORD)


@pytest.fixture(autouse=True)
def people(standin: SlackStandin) -> None:
    add_people(standin)


def everything_seen_by(slack: SignedSlackClient, standin: SlackStandin, user_id: str) -> str:
    """All the bot showed this person: replies, App Home, DMs, group DMs, ephemerals."""
    seen: list[Any] = [slack.command("/checkin", "history", user_id=user_id).json()]
    seen.append(slack.command("/checkin", "goals", user_id=user_id).body)
    seen.append(slack.command("/mentoring", "cohort show Spring 2027", user_id=user_id).body)
    home = {"type": "app_home_opened", "user": user_id, "channel": "D0HOME", "tab": "home"}
    assert slack.event(home).status == 200
    seen.append(standin.home_view(user_id))
    seen.append(standin.messages_in(user_id))
    seen.append(standin.ephemerals_for(user_id))
    for call in standin.calls_to("chat.postMessage"):
        members = str(call.args.get("channel"))
        if members.startswith("G") and user_id in json.dumps(call.args):
            seen.append(call.args)
    return json.dumps(seen)


def test_each_kind_of_content_reaches_only_its_readers(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        mentoring(slack, f"pair {mention(CAT)} {mention(DAN)}")
        pair_id = the_pair(runtime.sessions).id
        agree(slack, pair_id, weekday="3", at="12:00", cadence="weekly")
        slack.command("/checkin", "MENTEE-PRIVATE worry", user_id=BEN)
        shared = form(rating=chosen("4"), went_well="MENTEE-SHARED win", share=ticked("share"))
        slack.view_submission(BEN, "checkin", shared, str(pair_id))
        # A mentor's check-in is theirs: the share box is a mentee's, even if forged.
        own = form(went_well="MENTOR-OWN reflection", share=ticked("share"))
        slack.view_submission(ANA, "checkin", own, str(pair_id))
        run_until(runtime, clock, START, START + timedelta(days=4), timedelta(hours=1))

        seen = {reader: everything_seen_by(slack, standin, reader) for reader in READERS}
    for marker, readers in CONTENT.items():
        for reader in READERS:
            assert (marker in seen[reader]) == (reader in readers), (marker, reader)
    # The mentor's prompt carried the shared check-in: the one place a mentor reads it.
    assert any("MENTEE-SHARED" in json.dumps(message) for message in standin.messages_in(ANA))

    with runtime.sessions() as session:
        pairs = {pair.id: pair for pair in session.scalars(select(Pair))}
        for checkin in session.scalars(select(CheckIn)):
            marker = next(m for m in CONTENT if (checkin.went_well or "").startswith(m))
            for reader in READERS:
                pair = pairs[checkin.pair_id]
                assert readable_by(checkin, pair, reader) == (reader in CONTENT[marker])
