"""Meeting prompts over simulated weeks: each person's in their own hours, naming the other."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient
from tests.programme import ANA, BEN
from tests.rhythm import agree, chosen, form, pair_ana_and_ben, run_until, sent, the_pair, ticked
from tests.weeks import DAY, HOUR, START

pytestmark = pytest.mark.usefixtures("people")

TOKYO, NEW_YORK = ZoneInfo("Asia/Tokyo"), ZoneInfo("America/New_York")


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


def test_a_meeting_on_a_holiday_is_flagged_to_both_people(
    slack: SignedSlackClient, runtime: Runtime
) -> None:
    """Ben keeps Texas's holidays: their first meeting, Tuesday 2 March at 19:00 in New
    York, is on Texas Independence Day for him. Both prompts say so, each in its own words,
    beside *Move this meeting*; the next week's do not."""
    with freeze_time(START, tick=True) as clock:
        slack.command("/checkin", "holidays US-TX", user_id=BEN)
        pair_ana_and_ben(slack, "2027-03-01")
        agree(slack, the_pair(runtime.sessions).id, weekday="1", at="19:00", cadence="weekly")
        run_until(runtime, clock, START, datetime(2027, 3, 10, tzinfo=UTC), HOUR)

    prompts = sent(runtime.sessions, "prompt")
    preps = sent(runtime.sessions, "prep")
    assert len(prompts) == len(preps) == 2
    assert f"Tuesday 2 March is Texas Independence Day for <@{BEN}>." in prompts[0].text
    assert "Tuesday 2 March is Texas Independence Day for you." in preps[0].text
    assert "meeting_move_open" in prompts[0].text and "meeting_move_open" in preps[0].text
    assert "Independence Day" not in prompts[1].text + preps[1].text


def test_the_mentees_holidays_do_not_count_towards_a_nudge(
    slack: SignedSlackClient, runtime: Runtime
) -> None:
    """As above, Ben last checks in on the 8th: weekly plus 3 days' grace would nudge him on
    the 18th, but he keeps Ireland's holidays and St Patrick's Day (the 17th) does not
    count: the nudge comes a day later."""
    with freeze_time(START, tick=True) as clock:
        slack.command("/checkin", "holidays IE", user_id=BEN)
        pair_ana_and_ben(slack, "2027-03-01")
        agree(slack, the_pair(runtime.sessions).id, weekday="2", at="19:00", cadence="weekly")
        # Every 3 hours: a nudge is a day's matter, and Ben's hours come round each day.
        moment = run_until(runtime, clock, START, START + 7 * DAY - 4 * HOUR, 3 * HOUR)
        slack.command("/checkin", "a quick note", user_id=BEN)
        run_until(runtime, clock, moment, datetime(2027, 3, 21, tzinfo=UTC), 3 * HOUR)

    nudges = sent(runtime.sessions, "nudge")
    assert [(n.to, n.at.date().isoformat()) for n in nudges] == [(BEN, "2027-03-19")]
