"""The mentoring rhythm over simulated weeks: prompts at the right local times, nudges,
escalation, pauses, and silence for ended pairs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.programme import ANA, BEN, CAT, COORD, DAN, add_people, mention, mentoring
from tests.rhythm import (
    agree,
    chosen,
    form,
    pair_ana_and_ben,
    run_until,
    sent,
    the_pair,
    ticked,
)

TOKYO, NEW_YORK = ZoneInfo("Asia/Tokyo"), ZoneInfo("America/New_York")
START = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)  # a Monday; US clocks go forward on 14 March
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


@pytest.fixture(autouse=True)
def people(standin: SlackStandin) -> None:
    add_people(standin)


def local(moments: list[datetime], zone: ZoneInfo) -> list[str]:
    return [f"{m.astimezone(zone):%a %d %H:%M %Z}" for m in moments]


def test_weekly_meetings_prompt_both_people_in_their_own_hours_across_a_dst_change(
    slack: SignedSlackClient, runtime: Runtime
) -> None:
    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        pair_id = the_pair(runtime.sessions).id
        # Wednesdays at 19:00 in New York: Thursday 09:00 in Tokyo, 08:00 once the US is on DST.
        agree(slack, pair_id, weekday="2", at="19:00", cadence="weekly")
        moment = run_until(runtime, clock, START, START + 7 * DAY - 4 * HOUR, HOUR)

        shared = form(rating=chosen("4"), went_well="SHARED-ANSWER", share=ticked("share"))
        assert slack.view_submission(BEN, "checkin", shared, str(pair_id)).status == 200
        slack.command("/checkin", "PRIVATE-NOTE about my manager", user_id=BEN)
        run_until(runtime, clock, moment, datetime(2027, 3, 19, tzinfo=UTC), HOUR)

    prompts = sent(runtime.sessions, "prompt")
    assert {p.to for p in prompts} == {ANA}
    assert local([p.at for p in prompts], TOKYO) == [
        "Wed 03 09:00 JST",
        "Wed 10 09:00 JST",
        "Wed 17 09:00 JST",
    ]
    assert "Thursday 4 March 2027 at 09:00 JST" in prompts[0].text
    assert "Thursday 18 March 2027 at 08:00 JST" in prompts[2].text  # New York's DST moved it
    assert "Ship the search feature" in prompts[1].text
    assert "SHARED-ANSWER" in prompts[1].text and "SHARED-ANSWER" not in prompts[0].text
    assert all("PRIVATE-NOTE" not in p.text for p in sent(runtime.sessions))

    preps = sent(runtime.sessions, "prep")
    assert {p.to for p in preps} == {BEN}
    assert local([p.at for p in preps], NEW_YORK) == [
        "Wed 03 09:00 EST",
        "Wed 10 09:00 EST",
        "Wed 17 09:00 EDT",
    ]
    follow_ups = sent(runtime.sessions, "followup")
    # 20:00 after each meeting is outside Ben's hours: the question waits for his morning.
    assert local([f.at for f in follow_ups], NEW_YORK) == [
        "Thu 04 09:00 EST",
        "Thu 11 09:00 EST",
        "Thu 18 09:00 EDT",
    ]
    assert all('"action_id": "checkin_open"' in f.text for f in follow_ups)
    # Ben's last check-in was on the 8th: weekly cadence plus 3 days' grace, one nudge.
    nudges = sent(runtime.sessions, "nudge")
    assert [(n.to, n.at.date().isoformat()) for n in nudges] == [(BEN, "2027-03-18")]


def test_meeting_prompts_name_the_other_person(slack: SignedSlackClient, runtime: Runtime) -> None:
    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        agree(slack, the_pair(runtime.sessions).id, weekday="2", at="19:00", cadence="weekly")
        run_until(runtime, clock, START, datetime(2027, 3, 4, 15, tzinfo=UTC), HOUR)

    [prompt] = sent(runtime.sessions, "prompt")
    [prep] = sent(runtime.sessions, "prep")
    [follow_up] = sent(runtime.sessions, "followup")
    assert f"Your next meeting with <@{BEN}> is " in prompt.text
    assert f"You meet <@{ANA}> " in prep.text and f"<@{ANA}> can prepare" in prep.text
    assert f"How did your meeting with <@{ANA}> go?" in follow_up.text
    for message in (prompt, prep, follow_up):
        assert "your mentee" not in message.text and "your mentor " not in message.text


def test_a_quiet_pair_is_nudged_once_then_coordinators_hear_without_content(
    slack: SignedSlackClient, runtime: Runtime
) -> None:
    with freeze_time(START - 2 * HOUR, tick=True) as clock:
        mentoring(slack, "cohort create Spring 2027 <#C0SPRING|spring> starts 2027-03-01")
        mentoring(slack, f"pair {mention(CAT)} {mention(DAN)}")  # biweekly, no agreement
        clock.move_to(START + DAY - HOUR)
        slack.command("/checkin", "MY-SECRET-WORRY about the reorg", user_id=DAN)
        moment = run_until(runtime, clock, START, datetime(2027, 4, 6, 14, tzinfo=UTC), DAY)

        nudges = sent(runtime.sessions, "nudge")
        assert [(n.to, n.at.date().isoformat()) for n in nudges] == [(DAN, "2027-03-19")]
        escalations = sent(runtime.sessions, "escalations")
        assert [(e.to, e.at.date().isoformat()) for e in escalations] == [(COORD, "2027-04-02")]
        assert CAT in escalations[0].text and DAN in escalations[0].text
        assert "MY-SECRET-WORRY" not in escalations[0].text
        # Without an agreement the pair meets on the cohort's rhythm: Mondays 10:00, biweekly.
        prompts = sent(runtime.sessions, "prompt")
        # Monday meetings: the prompt comes at the same time on the workday before, Friday.
        assert [p.at.date().isoformat() for p in prompts] == [
            "2027-03-05",
            "2027-03-19",
            "2027-04-02",
        ]
        assert "Monday 8 March 2027 at 10:00 GMT" in prompts[0].text

        before_end = len(sent(runtime.sessions))
        mentoring(slack, f"unpair {mention(DAN)}")
        run_until(runtime, clock, moment, moment + 6 * 7 * DAY, DAY)
    after = [m for m in sent(runtime.sessions)[before_end:] if m.to != COORD]  # not heads-ups
    assert [m.kind for m in after] == ["farewell"]  # no prompt, nudge or follow-up any more


def test_a_pause_stops_every_prompt_tells_both_and_resumes_by_itself(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        pair_id = the_pair(runtime.sessions).id
        agree(slack, pair_id, weekday="2", at="12:00", cadence="weekly")
        for forever in ("forever", "until someday", "20 weeks", "0 days"):
            reply = slack.command("/checkin", f"pause {forever}", user_id=BEN).json()["text"]
            assert "For example: `/checkin pause" in reply, reply
            assert the_pair(runtime.sessions).status == "active"

        reply = slack.command("/checkin", "pause 2 weeks", user_id=BEN).json()["text"]
        assert "Paused until" in reply
        paused = the_pair(runtime.sessions)
        assert paused.status == "paused" and paused.paused_until
        assert abs(paused.paused_until - (START + 14 * DAY)) < HOUR
        moment = run_until(runtime, clock, START, START + 21 * DAY, 6 * HOUR)

    told = [m for m in sent(runtime.sessions) if m.kind in ("paused", "resumed")]
    assert [(m.kind, m.to) for m in told] == [
        ("paused", f"{BEN},{ANA}"),
        ("resumed", f"{BEN},{ANA}"),
    ]
    meetings = [m for m in sent(runtime.sessions) if m.kind in ("prompt", "prep", "followup")]
    assert meetings and min(m.at for m in meetings) >= START + 14 * DAY
    assert the_pair(runtime.sessions).status == "active"

    with freeze_time(moment, tick=True):
        slack.command("/checkin", "pause until 2027-04-20", user_id=ANA)  # the mentor may too
        assert the_pair(runtime.sessions).status == "paused"
        reply = slack.command("/checkin", "resume", user_id=BEN).json()["text"]
        assert "running again" in reply
        assert the_pair(runtime.sessions).status == "active"
        again = slack.command("/checkin", "resume", user_id=BEN).json()["text"]
        assert "not paused" in again


def test_a_pause_ended_before_the_meeting_brings_its_prompts_back(
    slack: SignedSlackClient, runtime: Runtime
) -> None:
    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        agree(slack, the_pair(runtime.sessions).id, weekday="2", at="12:00", cadence="weekly")
        # Ben's prep goes on Tuesday 12:00 in New York; Ana's prompt waits for 09:00 in Tokyo.
        moment = run_until(runtime, clock, START, datetime(2027, 3, 2, 18, tzinfo=UTC), HOUR)
        assert [p.kind for p in sent(runtime.sessions) if p.kind in ("prep", "prompt")] == ["prep"]
        slack.command("/checkin", "pause 1 week", user_id=BEN)
        clock.move_to(moment + HOUR)
        slack.command("/checkin", "resume", user_id=BEN)
        run_until(runtime, clock, moment + HOUR, datetime(2027, 3, 3, 12, tzinfo=UTC), HOUR)
    prompts = [(p.kind, p.to, p.at) for p in sent(runtime.sessions) if p.kind in ("prep", "prompt")]
    assert prompts == [
        ("prep", BEN, datetime(2027, 3, 2, 17, tzinfo=UTC)),
        ("prompt", ANA, datetime(2027, 3, 3, 0, tzinfo=UTC)),
    ]
