"""Milestone celebrations over simulated weeks: each arrives once, in the pair's group DM, in
wording that varies; wins are shared in the cohort channel only when the mentee says so; what
people type is escaped; paused pairs wait and ended pairs hear nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.models import Cohort, Goal, Milestone, OutboundMessage, Pair
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.standin.objects import conversation_id
from tests.programme import ANA, BEN, CAT, CHANNEL, COORD, DAN, mention, mentoring
from tests.rhythm import Sent, agree, pair_ana_and_ben, run_until, sent, the_pair

START = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)  # a Monday
HOUR, DAY, WEEK = timedelta(hours=1), timedelta(days=1), timedelta(weeks=1)
PAIR_DM = f"{BEN},{ANA}"  # the pair's group DM, the mentee first
PING = "<!channel> we did it"


pytestmark = pytest.mark.usefixtures("people")


def checkin(slack: SignedSlackClient, user_id: str, text: str) -> dict[str, Any]:
    reply = slack.command("/checkin", text, user_id=user_id)
    assert reply.status == 200 and "Checked in" in reply.json()["text"], reply.body
    return dict(reply.json())


def log_win(slack: SignedSlackClient, text: str, user_id: str = BEN) -> dict[str, Any]:
    reply = slack.command("/checkin", f"win {text}", user_id=user_id)
    assert reply.status == 200, reply.body
    return dict(reply.json())


def button(reply: dict[str, Any], action_id: str) -> str:
    [value] = [
        element["value"]
        for block in reply.get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == action_id
    ]
    return str(value)


def finish_goal(slack: SignedSlackClient, runtime: Runtime, title: str) -> None:
    """Ben presses Done on a goal (as on its due-date reminder)."""
    with runtime.sessions() as session:
        goal_id = session.scalars(select(Goal.id).where(Goal.title == title)).one()
    message = {"ts": "1.0", "blocks": []}
    assert slack.block_action(BEN, "goal_done", value=str(goal_id), message=message).status == 200


def milestones(sessions: sessionmaker[Session], pair_id: int | None = None) -> list[Milestone]:
    """Milestones in the order they were celebrated (those waiting come last)."""
    with sessions() as session:
        query = select(Milestone).order_by(
            Milestone.celebrated_at.is_(None), Milestone.celebrated_at, Milestone.id
        )
        if pair_id is not None:
            query = query.where(Milestone.pair_id == pair_id)
        return list(session.scalars(query))


def celebrations(sessions: sessionmaker[Session]) -> list[Sent]:
    return sent(sessions, "celebrate")


def test_a_cohort_celebrates_each_milestone_once_in_the_pairs_group_dm(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")  # a weekly cohort of 12 weeks
        pair_id = the_pair(runtime.sessions).id
        agree(slack, pair_id, weekday="2", at="10:00", cadence="weekly")  # Wednesdays, New York
        checkin(slack, BEN, "Looking forward to our first meeting")  # no meeting has passed
        slack.command("/checkin", "goal Give a talk at the guild", user_id=BEN)
        moment = START
        for week in range(1, 11):
            thursday = datetime(2027, 3, 4, 12, tzinfo=UTC) + (week - 1) * WEEK
            moment = run_until(runtime, clock, moment, thursday, 6 * HOUR)
            checkin(slack, BEN if week % 3 else ANA, f"Week {week}: a good talk")
            if week == 2:
                log_win(slack, PING)
            elif week == 3:
                finish_goal(slack, runtime, "Ship the search feature")  # the agreement's goal
            elif week == 6:
                log_win(slack, "Presented the roadmap to my team")
            elif week == 7:
                finish_goal(slack, runtime, "Give a talk at the guild")
        run_until(runtime, clock, moment, moment + 2 * DAY, 6 * HOUR)

    assert the_pair(runtime.sessions).meetings_checked_in == 10
    done = milestones(runtime.sessions)
    assert sorted(f"{m.kind}:{m.detail or m.key}" for m in done) == sorted(
        [
            "first_checkin:",
            "meetings:5",
            "meetings:10",
            "months:1",
            "goal:Ship the search feature",
            "goal:Give a talk at the guild",
            f"win:{PING}",
            "win:Presented the roadmap to my team",
        ]
    )
    assert all(m.celebrated_at is not None and m.variant is not None for m in done)

    said = celebrations(runtime.sessions)
    assert len(said) == len(done) == len({s.text for s in said})
    assert {s.to for s in said} == {PAIR_DM}
    with runtime.sessions() as session:
        keys = session.scalars(
            select(OutboundMessage.dedupe_key).where(OutboundMessage.dedupe_key.like("celebrate:%"))
        ).all()
    assert sorted(keys) == sorted(f"celebrate:pair{pair_id}:m{m.id}" for m in done)
    # In Slack: one message per milestone, all in the group DM of Ben, Ana and the bot.
    group = conversation_id("G", [BEN, ANA, standin.bot_user_id])
    delivered = [m.get("metadata", {}).get("event_payload", {}) for m in standin.messages_in(group)]
    posted = [str(p["dedupe_key"]) for p in delivered if "celebrate:" in str(p.get("dedupe_key"))]
    assert sorted(posted) == sorted(keys)

    def said_with(text: str) -> Sent:
        [found] = [s for s in said if text in s.text.lower()]
        return found

    def when(text: str) -> str:
        return f"{said_with(text).at:%Y-%m-%d}"

    assert when("first check-in") == "2027-03-01"
    assert when("5 meetings") == "2027-04-01"  # the 5th meeting (31 March) was checked in
    assert when("10 meetings") == "2027-05-06"
    assert when("one month") == "2027-04-01"  # Ben's hours on the day, a month after pairing
    assert when("ship the search feature") == "2027-03-18"
    assert when("give a talk at the guild") == "2027-04-15"
    assert when("presented the roadmap") == "2027-04-08"
    assert "&lt;!channel&gt; we did it" in said_with("we did it").text


def test_variants_differ_between_consecutive_celebrations_of_a_kind(
    slack: SignedSlackClient, runtime: Runtime
) -> None:
    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        moment = START
        wins = [f"Win number {n}" for n in range(1, 6)]
        for win in wins:
            log_win(slack, win)
            moment = run_until(runtime, clock, moment, moment + DAY, 6 * HOUR)
    done = [m for m in milestones(runtime.sessions) if m.kind == "win"]
    assert [m.detail for m in done] == wins
    variants = [m.variant for m in done]
    assert all(a != b for a, b in pairwise(variants)), variants
    assert len(set(variants)) >= 3
    wording = [
        s.text.replace(win, "WIN")
        for win, s in zip(wins, celebrations(runtime.sessions), strict=True)
    ]
    assert all(a != b for a, b in pairwise(wording))


def test_three_months_together_in_a_longer_cohort(
    slack: SignedSlackClient, runtime: Runtime
) -> None:
    with freeze_time(START, tick=True) as clock:
        mentoring(
            slack, f"cohort create Spring 2027 <#{CHANNEL}|spring> starts 2027-03-01 weeks 16"
        )
        mentoring(slack, f"pair {mention(ANA)} {mention(BEN)}")
        run_until(runtime, clock, START + HOUR, datetime(2027, 6, 10, 13, tzinfo=UTC), DAY)
    months = [m for m in milestones(runtime.sessions) if m.kind == "months"]
    assert [(m.key, f"{m.celebrated_at:%Y-%m-%d}") for m in months] == [
        ("1", "2027-04-01"),
        ("3", "2027-06-01"),
    ]
    assert months[0].variant != months[1].variant
    said = celebrations(runtime.sessions)
    assert [s.to for s in said] == [PAIR_DM, PAIR_DM]
    assert "one month" in said[0].text.lower() and "three months" in said[1].text.lower()
    assert the_pair(runtime.sessions).anniversary_at is None


def test_a_paused_pair_waits_and_an_ended_pair_is_never_celebrated(
    slack: SignedSlackClient, runtime: Runtime
) -> None:
    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        mentoring(slack, f"pair {mention(CAT)} {mention(DAN)}")
        slack.command("/checkin", "pause 2 weeks", user_id=BEN)
        checkin(slack, BEN, "Resting, but thinking about my goals")
        log_win(slack, "Finished the certification")
        checkin(slack, DAN, "Our first chat was great")
        log_win(slack, "Fixed the flaky build", user_id=DAN)
        mentoring(slack, f"unpair {mention(DAN)}")
        run_until(runtime, clock, START, START + 6 * WEEK, 6 * HOUR)

    said = celebrations(runtime.sessions)
    assert {s.to for s in said} == {PAIR_DM}  # Cat and Dan never hear of theirs
    resumed = [s for s in sent(runtime.sessions, "resumed")]
    assert len(resumed) == 1
    kinds = [m.kind for m in milestones(runtime.sessions, the_pair(runtime.sessions).id)]
    assert kinds == ["first_checkin", "win", "months"]
    assert all(s.at >= START + 2 * WEEK for s in said)  # none while paused
    assert len(said) == 3 and min(s.at for s in said) >= resumed[0].at
    with runtime.sessions() as session:
        ended = session.scalars(select(Pair).where(Pair.mentee_id == DAN)).one()
        theirs = session.scalars(select(Milestone).where(Milestone.pair_id == ended.id)).all()
    assert ended.status == "ended"
    assert sorted(m.kind for m in theirs) == ["first_checkin", "win"]
    assert all(m.celebrated_at is None for m in theirs)


def test_a_meeting_counts_once_even_when_a_checkin_is_undone_and_redone(
    slack: SignedSlackClient, runtime: Runtime
) -> None:
    def counted() -> int:
        return the_pair(runtime.sessions).meetings_checked_in

    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        pair_id = the_pair(runtime.sessions).id
        agree(slack, pair_id, weekday="2", at="10:00", cadence="weekly")
        meeting = the_pair(runtime.sessions).next_meeting_at
        assert meeting == datetime(2027, 3, 3, 15, tzinfo=UTC)
        checkin(slack, BEN, "Before we ever met")
        assert counted() == 0
        # Right after the meeting, before the bot has moved the pair on: it counts.
        moment = run_until(runtime, clock, START, meeting + timedelta(minutes=30), HOUR)
        assert the_pair(runtime.sessions).next_meeting_at == meeting
        first = checkin(slack, BEN, "We met!")
        assert counted() == 1
        slack.block_action(BEN, "checkin_undo", value=button(first, "checkin_undo"), message=first)
        assert counted() == 1
        again = checkin(slack, BEN, "We met, properly written this time")
        assert counted() == 1
        slack.block_action(BEN, "checkin_undo", value=button(again, "checkin_undo"), message=again)
        moment = run_until(runtime, clock, moment, meeting + 3 * HOUR, HOUR)
        assert the_pair(runtime.sessions).last_meeting_at == meeting
        checkin(slack, ANA, "The mentor's own note after the same meeting")
        assert counted() == 1
        run_until(runtime, clock, moment, meeting + WEEK + 2 * HOUR, HOUR)
        checkin(slack, ANA, "Second meeting")
        assert counted() == 2
    # Undone or not, the first check-in is a milestone once.
    assert [m.kind for m in milestones(runtime.sessions)] == ["first_checkin"]


def test_a_win_is_shared_in_the_cohort_channel_only_when_its_mentee_says_so(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        reply = log_win(slack, PING)
        shown = json.dumps(reply)
        assert PING not in shown and "&lt;!channel&gt; we did it" in shown
        assert f"<@{ANA}>" in shown and "nobody else" in shown and f"<#{CHANNEL}>" in shown
        win_id = button(reply, "win_share")
        moment = run_until(runtime, clock, START, START + 2 * DAY, 6 * HOUR)
        assert sent(runtime.sessions, "winshare") == []  # not pressed: not shared
        assert [s.to for s in celebrations(runtime.sessions)] == [PAIR_DM]

        answers = len(standin.responses)
        refused = slack.block_action(ANA, "win_share", value=win_id, message=reply)
        assert refused.status == 200
        assert f"only <@{BEN}>, who logged this win" in standin.responses[-1][1]["text"]
        assert len(standin.responses) == answers + 1
        assert milestones(runtime.sessions)[0].shared_at is None

        slack.block_action(BEN, "win_share", value=win_id, message=reply)
        answer = standin.responses[-1][1]
        assert answer["replace_original"] is True and f"Shared in <#{CHANNEL}>" in answer["text"]
        slack.block_action(BEN, "win_share", value=win_id, message=reply)
        assert "shared" in standin.responses[-1][1]["text"]
        assert "already" in standin.responses[-1][1]["text"]

        other = log_win(slack, "Closed my first big deal")  # asked again; not pressed
        assert button(other, "win_share") != win_id
        moment = run_until(runtime, clock, moment, moment + DAY, 6 * HOUR)

        # A cohort without a channel: nothing to share in, and nothing is posted.
        third = log_win(slack, "Ran my first retro")
        with runtime.sessions.begin() as session:
            session.execute(update(Cohort).values(channel_id=None))
        slack.block_action(BEN, "win_share", value=button(third, "win_share"), message=third)
        assert "no channel" in standin.responses[-1][1]["text"]
        without = log_win(slack, "Wrote the design doc")
        assert "win_share" not in json.dumps(without) and "no channel" in json.dumps(without)
        run_until(runtime, clock, moment, moment + DAY, 6 * HOUR)

    shares = sent(runtime.sessions, "winshare")
    assert [s.to for s in shares] == [CHANNEL]
    posts = [m for m in standin.messages_in(CHANNEL) if "A win from" in m["text"]]
    assert len(posts) == 1 and "&lt;!channel&gt; we did it" in json.dumps(posts[0])
    assert [m.detail for m in milestones(runtime.sessions) if m.shared_at] == [PING]
    # What Ben typed never reached Slack as a broadcast: not in a call, nor in an answer.
    for call in standin.calls:
        assert PING not in json.dumps(call.args), call.method
    for _url, body in standin.responses:
        assert PING not in json.dumps(body)


def test_bad_input_and_a_mentors_win_change_nothing(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True):
        pair_ana_and_ben(slack, "2027-03-01")
        before = len(standin.calls)
        for user_id, text, expected in (
            (BEN, "win", "tell me what the win is"),
            (BEN, "win    ", "tell me what the win is"),
            (BEN, "win \x00\x07", "tell me what the win is"),
            (BEN, "win " + "x" * 1001, "please keep it under 1000"),
            (ANA, "win Ben gave a great talk", "Wins are your mentee's to log"),
            (COORD, "win I am not in a pair", "not in an active mentoring pair"),
        ):
            reply = slack.command("/checkin", text, user_id=user_id)
            assert reply.status == 200
            assert expected in reply.json()["text"], (text, reply.json())
        example = slack.command("/checkin", "win", user_id=BEN).json()["text"]
        assert "For example: `/checkin win Gave my first talk" in example
        assert milestones(runtime.sessions) == []
        assert standin.calls[before:] == []  # no Slack call was made

        log_win(slack, "Gave my first talk")
        again = slack.command("/checkin", "win gave my  FIRST talk", user_id=BEN).json()["text"]
        assert "logged that win already" in again
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Milestone)) == 1
