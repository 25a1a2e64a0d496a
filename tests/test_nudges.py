"""Nudges for a quiet pair: the mentee once, then coordinators without content; none once ended."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from freezegun import freeze_time

from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient
from tests.programme import CAT, COORD, DAN, mention, mentoring
from tests.rhythm import run_until, sent
from tests.weeks import DAY, HOUR, START

pytestmark = pytest.mark.usefixtures("people")


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
