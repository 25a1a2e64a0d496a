"""Pairs: made and ended by coordinators, kicked off in a group DM."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.tick import run_tick
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.pairing import delivered, next_monday, the_pair
from tests.programme import (
    ANA,
    BEN,
    CAT,
    DAN,
    EVE,
    ROBOT,
    counts,
    create_spring,
    mention,
    mentoring,
)

LONDON = ZoneInfo("Europe/London")


pytestmark = pytest.mark.usefixtures("people")


def test_pairing_accepts_both_mention_forms_and_kicks_off_in_a_group_dm(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    create_spring(slack)
    reply = mentoring(slack, f"pair <@{CAT}|cat> <@{DAN}>")
    assert f"<@{CAT}> now mentors <@{DAN}> in *Spring 2027*" in reply
    pair = the_pair(runtime.sessions, DAN)
    assert (pair.mentor_id, pair.status, pair.cadence) == (CAT, "active", "biweekly")

    run_tick(runtime.sessions, runtime.client, next_monday(10, LONDON))
    [opened] = [c for c in standin.calls_to("conversations.open") if "," in c.args["users"]]
    assert set(opened.args["users"].split(",")) == {CAT, DAN}
    kickoff = delivered(runtime.sessions, f"kickoff:pair{pair.id}")
    assert kickoff.status == "sent"
    [message] = standin.messages_in(str(kickoff.slack_channel))
    assert "You are a mentoring pair in Spring 2027" in message["text"]
    body = " ".join(b["text"]["text"] for b in message["blocks"] if b["type"] == "section")
    for practice in ("Trust", "Confidentiality", "Expectations", "Goals"):
        assert practice in body
    [button] = message["blocks"][-1]["elements"]
    assert (button["action_id"], button["value"]) == ("agreement_open", str(pair.id))


def test_a_kickoff_waits_for_hours_that_suit_both_or_else_the_mentee(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    create_spring(slack)
    mentoring(slack, f"pair {mention(CAT)} {mention(DAN)}")  # both in London
    mentoring(slack, f"pair {mention(ANA)} {mention(BEN)}")  # Tokyo and New York: no overlap
    friday_night = next_monday(23, LONDON) + timedelta(days=4)  # a Friday, 23:00 London
    run_tick(runtime.sessions, runtime.client, friday_night)
    assert [c for c in standin.calls_to("chat.postMessage") if c.args["channel"][0] != "C"] == []
    london = delivered(runtime.sessions, f"kickoff:pair{the_pair(runtime.sessions, DAN).id}")
    assert london.not_before == next_monday(9, LONDON) + timedelta(weeks=1)
    far = delivered(runtime.sessions, f"kickoff:pair{the_pair(runtime.sessions, BEN).id}")
    local = far.not_before.astimezone(ZoneInfo("America/New_York"))
    assert (local.weekday(), local.time()) == (0, time(9))  # the mentee's Monday morning


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        (f"pair {mention(ANA)} {mention(ANA)}", "cannot mentor themselves"),
        (f"pair {mention(ANA)} {mention(ROBOT)}", "is an app, not a person"),
        (f"pair {mention(ANA)} <@U0NOBODY>", "I don't know <@U0NOBODY> in this workspace"),
    ],
)
def test_pairs_that_cannot_be_are_refused(
    slack: SignedSlackClient, sessions: sessionmaker[Session], text: str, refusal: str
) -> None:
    create_spring(slack)
    before = counts(sessions)
    assert refusal in mentoring(slack, text)
    assert counts(sessions) == before


def test_one_mentor_per_mentee_and_a_capacity_per_mentor(
    slack: SignedSlackClient, sessions: sessionmaker[Session]
) -> None:
    create_spring(slack)
    for mentee in (BEN, CAT, DAN):
        assert "now mentors" in mentoring(slack, f"pair {mention(ANA)} {mention(mentee)}")
    assert "already mentors <@U0BEN>" in mentoring(slack, f"pair {mention(ANA)} {mention(BEN)}")
    taken = mentoring(slack, f"pair {mention(EVE)} {mention(BEN)}")
    assert "<@U0BEN> already has a mentor in *Spring 2027*, <@U0ANA>" in taken
    full = mentoring(slack, f"pair {mention(ANA)} {mention(EVE)}")
    assert "already mentors 3 people, their capacity" in full
    assert "/mentoring capacity @U0ANA 4" in full
    raised = mentoring(slack, f"capacity {mention(ANA)} 4")
    assert "may now mentor up to 4 people at once (they mentor 3 now)" in raised
    assert "now mentors" in mentoring(slack, f"pair {mention(ANA)} {mention(EVE)}")
    assert counts(sessions)["pair_status"] == ["active"] * 4


def test_two_people_cannot_mentor_each_other(
    slack: SignedSlackClient, sessions: sessionmaker[Session]
) -> None:
    create_spring(slack)
    assert "now mentors" in mentoring(slack, f"pair {mention(ANA)} {mention(BEN)}")
    before = counts(sessions)
    refused = mentoring(slack, f"pair {mention(BEN)} {mention(ANA)}")
    assert "<@U0ANA> already mentors <@U0BEN> in *Spring 2027*" in refused
    assert "cannot mentor each other" in refused and "were the two swapped?" in refused
    assert counts(sessions) == before


def test_the_only_running_cohort_is_the_default(slack: SignedSlackClient) -> None:
    assert "there is no running cohort yet" in mentoring(
        slack, f"pair {mention(ANA)} {mention(BEN)}"
    )
    create_spring(slack)
    mentoring(slack, "cohort create Autumn <#C0SPRING|x> cadence weekly")
    ambiguous = mentoring(slack, f"pair {mention(ANA)} {mention(BEN)}")
    assert "there are 2 running cohorts (*Autumn*, *Spring 2027*); say which one" in ambiguous
    chosen = mentoring(slack, f"pair {mention(ANA)} {mention(BEN)} cohort autumn cadence monthly")
    assert "in *Autumn*, meeting monthly" in chosen


def test_unpair_ends_gracefully_and_keeps_the_data(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    create_spring(slack)
    mentoring(slack, f"pair {mention(CAT)} {mention(DAN)}")
    slack.command("/checkin", "We met and planned a lot", user_id=DAN)
    pair = the_pair(runtime.sessions, DAN)
    assert "has no mentor right now" in mentoring(slack, f"unpair {mention(EVE)}")
    reply = mentoring(slack, f"unpair {mention(DAN)}")
    assert "has ended" in reply and "everything they recorded is kept" in reply
    ended = the_pair(runtime.sessions, DAN)
    assert ended.status == "ended" and ended.ended_at is not None
    run_tick(runtime.sessions, runtime.client, next_monday(10, LONDON))
    farewell = delivered(runtime.sessions, f"farewell:pair{pair.id}")
    texts = [m["text"] for m in standin.messages_in(str(farewell.slack_channel))]
    assert any("Thank you, <@U0CAT> and <@U0DAN>" in text for text in texts)
    assert "now mentors" in mentoring(slack, f"pair {mention(EVE)} {mention(DAN)}")
