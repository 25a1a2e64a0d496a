"""Phases, closing and alumni over a simulated programme, through signed Slack requests:
heads-ups to coordinators, the midpoint survey, the closing flow, gratitude, the end, and
alumni check-ins for those who chose them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.models import CheckIn, Cohort, Goal, OutboundMessage, Pair, Reflection
from mentorbot.bot.tick import run_tick
from mentorbot.bot.timeutil import add_months
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.programme import (
    CAT,
    COORD,
    DAN,
    EVE,
    OUTSIDER,
    mention,
    mentoring,
    mentoring_shown,
)
from tests.rhythm import Clock, chosen, form, sent, ticked

DAY, WEEK = timedelta(days=1), timedelta(weeks=1)
# Spring 2027 runs 12 weeks from Monday 1 March; the workspace's zone is UTC. Cat mentors
# Dan; both are in London, as is the coordinator, so a daily tick at noon reaches everyone.
NOON = datetime(2027, 2, 22, 12, tzinfo=UTC)
THE_END = datetime(2027, 5, 24, 12, tzinfo=UTC)  # the first tick on the cohort's last day
CREATE = "cohort create Spring 2027 <#C0SPRING|mentoring-spring> starts 2027-03-01"
GOALS = ("Give a talk at the guild", "Write a design doc", "Learn Rust")


pytestmark = pytest.mark.usefixtures("people")


def start_spring(slack: SignedSlackClient, extra: str = "") -> None:
    """Spring 2027 with Cat mentoring Dan, and Dan's three goals."""
    assert "is set up" in mentoring(slack, f"{CREATE} {extra}")
    assert "mentors" in mentoring(slack, f"pair {mention(CAT)} {mention(DAN)}")
    for goal in GOALS:
        assert slack.command("/checkin", f"goal {goal}", user_id=DAN).status == 200


def the_cohort(sessions: sessionmaker[Session]) -> Cohort:
    with sessions() as session:
        return session.scalars(select(Cohort)).one()


def the_pair(sessions: sessionmaker[Session]) -> Pair:
    with sessions() as session:
        return session.scalars(select(Pair).where(Pair.mentee_id == DAN)).one()


def tick_daily(
    runtime: Runtime, clock: Clock, start: datetime, end: datetime, step: timedelta = DAY
) -> list[tuple[str, str]]:
    """Tick every `step` after `start` up to `end`; returns (day, phase) at each change."""
    changes: list[tuple[str, str]] = []
    moment, phase = start, the_cohort(runtime.sessions).phase
    while moment < end:
        moment = min(moment + step, end)
        clock.move_to(moment)
        run_tick(runtime.sessions, runtime.client, moment)
        now = the_cohort(runtime.sessions).phase
        if now != phase:
            changes.append((moment.date().isoformat(), now))
            phase = now
    return changes


def days(messages: list[Any]) -> list[tuple[str, str]]:
    return [(m.to, m.at.date().isoformat()) for m in messages]


def opened_view(standin: SlackStandin) -> dict[str, Any]:
    view = standin.calls_to("views.open")[-1].args["view"]
    return dict(json.loads(view) if isinstance(view, str) else view)


def blocks_of(view: dict[str, Any]) -> list[str]:
    return [str(block.get("block_id")) for block in view["blocks"] if block.get("block_id")]


def reflect(slack: SignedSlackClient, user_id: str, pair_id: int, **fields: Any) -> dict[str, Any]:
    """Submit the closing modal; returns Bolt's answer."""
    answer = slack.view_submission(user_id, "closing", form(**fields), str(pair_id))
    assert answer.status == 200, answer.body
    return dict(answer.json()) if answer.body else {}


def goal_ids(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return {goal.title: goal.id for goal in session.scalars(select(Goal))}


def statuses(sessions: sessionmaker[Session]) -> dict[str, str]:
    with sessions() as session:
        return {goal.title: goal.status for goal in session.scalars(select(Goal))}


def reflections(sessions: sessionmaker[Session]) -> dict[str, Reflection]:
    with sessions() as session:
        return {r.user_id: r for r in session.scalars(select(Reflection))}


def gratitude_notes(sessions: sessionmaker[Session]) -> list[tuple[str, str]]:
    with sessions() as session:
        rows = session.execute(
            select(OutboundMessage.dedupe_key, OutboundMessage.target_id).where(
                OutboundMessage.dedupe_key.like("gratitude:%")
            )
        )
        return [(key, target) for key, target in rows]


def radio(value: str) -> dict[str, Any]:
    return {"type": "radio_buttons", "selected_option": {"value": value}}


def test_a_twelve_week_cohort_from_kickoff_to_alumni(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(NOON, tick=True) as clock:
        start_spring(slack)
        pair_id = the_pair(runtime.sessions).id
        reflecting = datetime(2027, 5, 11, 12, tzinfo=UTC)
        phases = tick_daily(runtime, clock, NOON, reflecting)

        # Dan opens the closing modal from his DM: each open goal, a note, keeping in touch.
        closing = sent(runtime.sessions, "closing")
        assert days(closing) == [(DAN, "2027-05-10"), (CAT, "2027-05-10")]
        assert all('"action_id": "closing_open"' in m.text for m in closing)
        assert all(f'"value": "{pair_id}:closing"' in m.text for m in closing)
        assert slack.block_action(DAN, "closing_open", value=str(pair_id)).status == 200
        goals = goal_ids(runtime.sessions)
        view = opened_view(standin)
        assert view["callback_id"] == "closing"
        assert [f"goal_{goals[title]}" for title in GOALS] == [
            b for b in blocks_of(view) if b.startswith("goal_")
        ]
        answer = reflect(
            slack,
            DAN,
            pair_id,
            **{
                f"goal_{goals['Give a talk at the guild']}": radio("done"),
                f"goal_{goals['Write a design doc']}": radio("open"),
                f"goal_{goals['Learn Rust']}": radio("drop"),
            },
            gratitude="Thank you <!channel> & <@U0CAT|cat>, for *everything*",
            keep=ticked("keep"),
        )
        assert answer["response_action"] == "update"
        assert "1 done, 1 still in progress, 1 dropped" in json.dumps(answer["view"])
        # Cat, the mentor, sees no goals to mark; she thanks Dan and does not keep in touch.
        slack.block_action(CAT, "closing_open", value=str(pair_id))
        assert not [b for b in blocks_of(opened_view(standin)) if b.startswith("goal_")]
        reflect(slack, CAT, pair_id, gratitude="It was a joy, Dan.")
        phases += tick_daily(runtime, clock, reflecting, THE_END)

    assert phases == [
        ("2027-03-08", "active"),
        ("2027-04-12", "midpoint"),
        ("2027-05-10", "closing"),
        ("2027-05-24", "ended"),
    ]
    heads_ups = sent(runtime.sessions, "phasesoon")
    assert days(heads_ups) == [
        (COORD, "2027-03-01"),
        (COORD, "2027-04-05"),
        (COORD, "2027-05-03"),
        (COORD, "2027-05-17"),
    ]
    assert "becomes *active*" in heads_ups[0].text and "reaches its *midpoint*" in heads_ups[1].text
    assert "starts *closing*" in heads_ups[2].text and "*ends*" in heads_ups[3].text
    assert all("2 people in 1 pair" in h.text for h in heads_ups)
    assert all('"action_id": "cohort_extend"' in h.text and "confirm" in h.text for h in heads_ups)
    assert "cohort extend Spring 2027 weeks N" in heads_ups[0].text
    assert "<!date^1807488000^" in heads_ups[1].text  # midnight on 12 April, UTC
    surveys = sent(runtime.sessions, "survey")
    assert sorted(days(surveys)) == [(CAT, "2027-04-12"), (DAN, "2027-04-12")]

    assert statuses(runtime.sessions) == {
        "Give a talk at the guild": "done",
        "Write a design doc": "open",
        "Learn Rust": "dropped",
    }
    mine = reflections(runtime.sessions)
    assert (mine[DAN].goals_done, mine[DAN].goals_in_progress, mine[DAN].goals_dropped) == (1, 1, 1)
    assert (mine[DAN].keep_in_touch, mine[CAT].keep_in_touch) == (True, False)
    thanks = sent(runtime.sessions, "gratitude")
    assert days(thanks) == [(CAT, "2027-05-12"), (DAN, "2027-05-12")]
    assert "&lt;!channel&gt; &amp; &lt;@U0CAT|cat&gt;" in thanks[0].text
    delivered = json.dumps(standin.messages_in(CAT))
    assert "<!channel>" not in delivered and "&lt;!channel&gt;" in delivered
    assert "It was a joy, Dan." in thanks[1].text

    with freeze_time(THE_END, tick=True) as clock:
        tick_daily(runtime, clock, THE_END, datetime(2027, 12, 1, 12, tzinfo=UTC))
    pair = the_pair(runtime.sessions)
    assert pair.status == "ended"
    with runtime.sessions() as session:
        after_end = session.scalars(
            select(OutboundMessage).where(OutboundMessage.created_at >= THE_END)
        ).all()
    to_the_pair = [m for m in after_end if {CAT, DAN} & set(m.target_id.split(","))]
    assert sorted(m.dedupe_key for m in to_the_pair) == [
        f"alumni:pair{pair_id}:{DAN}:3",
        f"alumni:pair{pair_id}:{DAN}:6",
        f"farewell:pair{pair_id}",
    ]
    alumni = sent(runtime.sessions, "alumni")
    assert days(alumni) == [(DAN, "2027-08-24"), (DAN, "2027-11-24")]
    assert "It has been 3 months" in alumni[0].text and "6 months" in alumni[1].text
    assert '"action_id": "alumni_open"' in alumni[0].text
    assert '"action_id": "alumni_stop"' in alumni[0].text


def test_extending_moves_the_closing_and_the_end_and_phases_never_go_back(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(NOON, tick=True) as clock:
        start_spring(slack)
        heads_up_day = datetime(2027, 5, 3, 12, tzinfo=UTC)
        tick_daily(runtime, clock, NOON, heads_up_day)
        [heads_up] = [h for h in sent(runtime.sessions, "phasesoon") if "*closing*" in h.text]
        cohort = the_cohort(runtime.sessions)
        message = {"ts": "1.000001", "blocks": json.loads(heads_up.text)["blocks"]}

        slack.block_action(OUTSIDER, "cohort_extend", value=str(cohort.id), message=message)
        assert "only programme coordinators" in standin.responses[-1][1]["text"]
        assert the_cohort(runtime.sessions).ends_on == date(2027, 5, 24)
        slack.block_action(COORD, "cohort_extend", value=str(cohort.id), message=message)
        replaced = standin.responses[-1][1]
        assert replaced["replace_original"]
        assert "now runs 14 weeks and ends on Monday 7 June 2027" in replaced["text"]
        assert "closing from 24 May 2027" in replaced["text"]

        reply = mentoring(slack, "cohort extend spring 2027 weeks 1")
        assert "has 1 more week: it now runs 15 weeks and ends on Monday 14 June 2027" in reply
        shown = mentoring_shown(slack, "cohort show Spring 2027")
        assert "1 March 2027 to 14 June 2027" in shown
        assert "Phase: midpoint; closing from 31 May 2027." in shown
        assert "Phase: midpoint; closing from 31 May 2027." in mentoring(slack, "cohorts")

        phases = tick_daily(runtime, clock, heads_up_day, datetime(2027, 6, 1, 12, tzinfo=UTC))
        assert phases == [("2027-05-31", "closing")]
        # Closing already: four more weeks move its end, not its phase.
        assert "ends on Monday 12 July 2027" in mentoring(
            slack, "cohort extend Spring 2027 weeks 4"
        )
        cohort = the_cohort(runtime.sessions)
        assert cohort.phase == "closing"
        assert cohort.next_phase_at == datetime(2027, 7, 12, tzinfo=UTC)
        phases = tick_daily(
            runtime,
            clock,
            datetime(2027, 6, 1, 12, tzinfo=UTC),
            datetime(2027, 7, 13, 12, tzinfo=UTC),
        )
        assert phases == [("2027-07-12", "ended")]

    assert days(sent(runtime.sessions, "closing")) == [(DAN, "2027-05-31"), (CAT, "2027-05-31")]
    heads_ups = [(h.to, h.at.date().isoformat()) for h in sent(runtime.sessions, "phasesoon")]
    assert heads_ups == [
        (COORD, "2027-03-01"),
        (COORD, "2027-04-05"),
        (COORD, "2027-05-03"),  # closing: once, not again when it moved
        (COORD, "2027-07-05"),  # the end, a week before it as it finally stands
    ]
    assert [m.at.date().isoformat() for m in sent(runtime.sessions, "farewell")] == ["2027-07-12"]


def test_a_cohort_from_before_phases_catches_up_silently(
    slack: SignedSlackClient, runtime: Runtime
) -> None:
    """As migration 0005 leaves a running cohort: kickoff, due now, no heads-up planned."""
    now = datetime(2027, 3, 17, 12, tzinfo=UTC)
    with freeze_time(now, tick=True) as clock:
        mentoring(slack, "cohort create Winter <#C0SPRING|mentoring-spring> starts 2027-01-04")
        mentoring(slack, f"pair {mention(CAT)} {mention(DAN)}")
        with runtime.sessions.begin() as session:
            session.execute(
                update(Cohort).values(phase="kickoff", next_phase_at=now, heads_up_at=None)
            )
        phases = tick_daily(runtime, clock, now - timedelta(hours=1), now)
        assert phases == [("2027-03-17", "closing")]
        with runtime.sessions() as session:
            keys = session.scalars(select(OutboundMessage.dedupe_key)).all()
        assert not [key for key in keys if key.startswith(("survey:", "phasesoon:"))]
        assert len([key for key in keys if key.startswith("closing:")]) == 2
        phases = tick_daily(runtime, clock, now, datetime(2027, 3, 30, 12, tzinfo=UTC))
    assert phases == [("2027-03-29", "ended")]
    assert days(sent(runtime.sessions, "phasesoon")) == [(COORD, "2027-03-22")]
    assert not sent(runtime.sessions, "survey")


@pytest.mark.parametrize(
    ("text", "explains"),
    [
        ("cohort extend", "say which cohort to extend, then by how many weeks"),
        ("cohort extend weeks 2", "say which cohort to extend"),
        ("cohort extend Spring 2027", "say by how many weeks"),
        ("cohort extend Spring 2027 weeks", "`weeks` needs a number"),
        ("cohort extend Spring 2027 weeks two", "`weeks` must be a whole number from 1 to 104"),
        ("cohort extend Spring 2027 weeks 0", "`weeks` must be a whole number from 1 to 104"),
        ("cohort extend Spring 2027 weeks 93", "runs 12, so it can get up to 92 more"),
        ("cohort extend Autumn weeks 2", "there is no cohort called *Autumn*"),
    ],
)
def test_a_bad_extension_is_explained_and_changes_nothing(
    slack: SignedSlackClient, runtime: Runtime, text: str, explains: str
) -> None:
    mentoring(slack, CREATE)
    before = the_cohort(runtime.sessions)
    reply = mentoring(slack, text)
    assert explains in reply, reply
    assert "For example: `/mentoring cohort extend" in reply or "cohorts:" in reply, reply
    after = the_cohort(runtime.sessions)
    assert (after.ends_on, after.next_phase_at, after.heads_up_at) == (
        before.ends_on,
        before.next_phase_at,
        before.heads_up_at,
    )


def test_only_coordinators_extend_and_an_ended_cohort_stays_ended(
    slack: SignedSlackClient, runtime: Runtime
) -> None:
    mentoring(slack, CREATE)
    refused = mentoring(slack, "cohort extend Spring 2027 weeks 2", user_id=OUTSIDER)
    assert "only programme coordinators" in refused
    assert the_cohort(runtime.sessions).ends_on == date(2027, 5, 24)
    mentoring(slack, "cohort end Spring 2027")
    ended = mentoring(slack, "cohort extend Spring 2027 weeks 2")
    assert "has ended, so it cannot be extended" in ended
    assert the_cohort(runtime.sessions).ends_on == date(2027, 5, 24)


def test_the_closing_modal_takes_only_good_answers_from_the_pair(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    mentoring(slack, CREATE)
    mentoring(slack, f"pair {mention(CAT)} {mention(DAN)}")
    slack.command("/checkin", "goal Give a talk at the guild", user_id=DAN)
    pair_id = the_pair(runtime.sessions).id
    [goal] = goal_ids(runtime.sessions).values()

    opened = len(standin.calls_to("views.open"))
    slack.block_action(EVE, "closing_open", value=str(pair_id), message={"ts": "1.0"})
    assert "only the mentor and mentee" in standin.responses[-1][1]["text"]
    assert len(standin.calls_to("views.open")) == opened
    outsider = reflect(slack, EVE, pair_id, gratitude="Hi", keep=ticked("keep"))
    assert "only the mentor and mentee" in json.dumps(outsider)

    too_long = reflect(slack, DAN, pair_id, gratitude="x" * 2001, **{f"goal_{goal}": radio("done")})
    assert list(too_long["errors"]) == ["gratitude"]
    odd = reflect(slack, DAN, pair_id, **{f"goal_{goal}": radio("finished")}, gratitude="Thanks")
    assert odd["errors"] == {f"goal_{goal}": "Pick done, still in progress or dropped."}
    stale = slack.view_submission(DAN, "closing", form(gratitude="Thanks"), "not-a-pair").json()
    assert "out of date" in json.dumps(stale)
    assert reflections(runtime.sessions) == {}
    assert statuses(runtime.sessions) == {"Give a talk at the guild": "open"}
    assert not gratitude_notes(runtime.sessions)

    # Saved twice: one reflection, updated; the note goes once, and stays as it was sent.
    reflect(slack, DAN, pair_id, gratitude="Thanks, Cat!", keep=ticked("keep"))
    slack.block_action(DAN, "closing_open", value=str(pair_id))
    again = opened_view(standin)
    assert "gratitude" not in blocks_of(again) and "Thanks, Cat!" in json.dumps(again)
    assert again["blocks"][-1]["element"]["initial_options"][0]["value"] == "keep"
    reflect(slack, DAN, pair_id, gratitude="Changed my mind", **{f"goal_{goal}": radio("done")})
    [mine] = reflections(runtime.sessions).values()
    assert (mine.gratitude, mine.keep_in_touch, mine.goals_done) == ("Thanks, Cat!", False, 1)
    assert gratitude_notes(runtime.sessions) == [(f"gratitude:pair{pair_id}:{DAN}", CAT)]


def test_alumni_count_from_an_early_end_take_a_private_note_and_can_be_stopped(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(NOON, tick=True) as clock:
        start_spring(slack)
        pair_id = the_pair(runtime.sessions).id
        reflect(slack, DAN, pair_id, keep=ticked("keep"))
        reflect(slack, CAT, pair_id, keep=ticked("keep"))
        ended_at = datetime(2027, 4, 1, 12, tzinfo=UTC)
        clock.move_to(ended_at)
        assert "has ended" in mentoring(slack, "cohort end Spring 2027")
        run_tick(runtime.sessions, runtime.client, ended_at)
        really_ended = the_pair(runtime.sessions).ended_at
        assert really_ended is not None and really_ended - ended_at < timedelta(minutes=1)
        assert {r.alumni_at for r in reflections(runtime.sessions).values()} == {
            add_months(really_ended, 3)
        }
        almost = datetime(2027, 6, 30, 13, tzinfo=UTC)
        tick_daily(runtime, clock, ended_at, almost, timedelta(days=10))
        assert not sent(runtime.sessions, "alumni")
        three_months = datetime(2027, 7, 1, 13, tzinfo=UTC)
        tick_daily(runtime, clock, almost, three_months)
        assert sorted(days(sent(runtime.sessions, "alumni"))) == [
            (CAT, "2027-07-01"),
            (DAN, "2027-07-01"),
        ]

        slack.block_action(DAN, "alumni_open", value=str(pair_id))
        assert opened_view(standin)["callback_id"] == "alumni_checkin"
        empty = slack.view_submission(DAN, "alumni_checkin", form(), str(pair_id)).json()
        assert list(empty["errors"]) == ["rating"]
        note = form(rating=chosen("4"), went_well="Promoted! <!here>")
        answer = slack.view_submission(DAN, "alumni_checkin", note, str(pair_id)).json()
        assert answer["response_action"] == "update"
        history = slack.command("/checkin", "history", user_id=DAN).json()["text"]
        assert "Promoted!" in history and "<!here>" not in history
        assert "Promoted!" not in slack.command("/checkin", "history", user_id=CAT).json()["text"]

        slack.block_action(CAT, "alumni_stop", value=str(pair_id), message={"ts": "1.0"})
        assert "no more alumni check-ins" in standin.responses[-1][1]["text"]
        almost = datetime(2027, 9, 30, 13, tzinfo=UTC)
        tick_daily(runtime, clock, three_months, almost, WEEK)
        tick_daily(runtime, clock, almost, datetime(2027, 10, 6, 13, tzinfo=UTC))

    with runtime.sessions() as session:
        [checkin] = session.scalars(select(CheckIn).where(CheckIn.source == "alumni")).all()
    assert (checkin.author_id, checkin.pair_id, checkin.rating) == (DAN, pair_id, 4)
    assert checkin.shared_with_mentor is False
    later = [(m.to, m.at.date().isoformat()) for m in sent(runtime.sessions, "alumni")][2:]
    assert later == [(DAN, "2027-10-01")]  # six months after 1 April; Cat stopped hers
