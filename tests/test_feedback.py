"""Feedback: survey invitations, the survey modal (required scores, one answer per survey,
any time), and aggregates that stay anonymous: nothing below three people who still have
scores, for coordinators and for a mentor's own view alike, on every surface."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.db import unit_of_work
from mentorbot.bot.models import Cohort, Feedback, OutboundMessage, Pair, Workspace
from mentorbot.bot.outbox import enqueue_many
from mentorbot.bot.services import own_data
from mentorbot.bot.services.cohorts import create_cohort
from mentorbot.bot.services.feedback import (
    MIN_GROUP,
    FeedbackForm,
    cohort_feedback,
    mentor_feedback,
    record_feedback,
    survey_messages,
)
from mentorbot.bot.services.feedback_rounds import SurveyClosed, open_round
from mentorbot.bot.services.pairs import Planned, create_pairs, end_pairs
from mentorbot.bot.timeutil import utcnow
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.standin.contract import check_view
from tests.programme import (
    ANA,
    BEN,
    CAT,
    COORD,
    DAN,
    EVE,
    OUTSIDER,
    mention,
    mentoring,
)
from tests.rhythm import chosen, form, opened, pair_ana_and_ben, run_until, sent, the_pair
from tests.test_own_data import offer, press

START = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
TEAM = "T0MENTOR"
# Spring 2027 runs 12 weeks from 1 March: its midpoint is 12 April, at midnight UTC.
MIDPOINT = datetime(2027, 4, 12, tzinfo=UTC)
FAY, GUS = "U0FAY", "U0GUS"


pytestmark = pytest.mark.usefixtures("people")


def scores(trust: str = "4", communication: str = "4", usefulness: str = "4", **more: Any) -> Any:
    return form(
        trust=chosen(trust),
        communication=chosen(communication),
        usefulness=chosen(usefulness),
        **more,
    )


def answers(sessions: sessionmaker[Session]) -> list[tuple[str, int, str, int, int, int, Any]]:
    with sessions() as session:
        rows = session.scalars(select(Feedback).order_by(Feedback.id)).all()
    return [
        (f.author_id, f.pair_id, f.phase, f.trust, f.communication, f.usefulness, f.comment)
        for f in rows
    ]


def pair_of(sessions: sessionmaker[Session], mentee: str) -> Pair:
    with sessions() as session:
        return session.scalars(select(Pair).where(Pair.mentee_id == mentee)).one()


def spring(session: Session, name: str = "Spring") -> Cohort:
    """A cohort from 1 March 2027 (12 weeks), created at START."""
    return create_cohort(
        session,
        team_id=TEAM,
        name=name,
        channel_id="C0",
        starts_on=date(2027, 3, 1),
        created_by=COORD,
        now=START,
    )


# -- invitations --------------------------------------------------------------------------------


def test_survey_messages_invite_both_people_and_a_paused_pair_after_its_pause(
    session: Session,
) -> None:
    cohort = spring(session)
    active, paused, ended = create_pairs(
        session,
        cohort=cohort,
        now=START,
        kickoff=False,
        planned=[Planned(ANA, BEN), Planned(CAT, DAN), Planned(OUTSIDER, EVE)],
    )
    paused.status, paused.paused_until = "paused", START + timedelta(days=5)
    ended.status = "ended"
    midpoint = open_round(session, cohort=cohort, phase="midpoint", now=START)
    assert midpoint.closes_at == START + timedelta(days=7)
    pairs = [active, paused, ended]
    messages = survey_messages(session, pairs=pairs, survey=midpoint, now=START)

    # Each invitation expires when the round closes: it is never delivered after that.
    assert {m.expires_at for m in messages} == {midpoint.closes_at}
    assert sorted((m.dedupe_key, m.target_id, m.not_before) for m in messages) == sorted(
        [
            (f"survey:pair{active.id}:midpoint:{BEN}", BEN, START),
            (f"survey:pair{active.id}:midpoint:{ANA}", ANA, START),
            (f"survey:pair{paused.id}:midpoint:{DAN}", DAN, START + timedelta(days=5)),
            (f"survey:pair{paused.id}:midpoint:{CAT}", CAT, START + timedelta(days=5)),
        ]
    )
    closes = f"<!date^{int(midpoint.closes_at.timestamp())}^"
    for message in messages:
        assert message.target_kind == "user"
        [button] = [
            e for b in message.payload["blocks"] if b["type"] == "actions" for e in b["elements"]
        ]
        pair_id = active.id if message.target_id in (ANA, BEN) else paused.id
        assert (button["action_id"], button["value"]) == ("feedback_open", f"{pair_id}:midpoint")
        assert closes in json.dumps(message.payload)  # the survey says when it closes
    to_ben = json.dumps(next(m.payload for m in messages if m.target_id == BEN))
    to_ana = json.dumps(next(m.payload for m in messages if m.target_id == ANA))
    assert "halfway" in to_ben and f"mentoring you receive from <@{ANA}>" in to_ben
    assert "nobody sees anything of it before then" in to_ben
    assert f"relationship with <@{BEN}>" in to_ana
    # A pause that lasts beyond the round's close: no invitation at all.
    paused.paused_until = midpoint.closes_at
    later = survey_messages(session, pairs=pairs, survey=midpoint, now=START)
    assert {m.target_id for m in later} == {ANA, BEN}
    closing = open_round(session, cohort=cohort, phase="closing", now=START + timedelta(days=1))
    invites = survey_messages(session, pairs=[active], survey=closing, now=START)
    assert "coming to a close" in json.dumps(invites[0].payload)
    with pytest.raises(ValueError):
        open_round(session, cohort=cohort, phase="anytime", now=START)

    # Ending a pair withdraws its invitations not sent yet.
    enqueue_many(session, messages, now=START)
    end_pairs(session, pairs=[paused], cohort=cohort, reason="unpaired", now=START)
    keys = session.scalars(
        select(OutboundMessage.dedupe_key).where(OutboundMessage.dedupe_key.like("survey:%"))
    ).all()
    assert sorted(keys) == sorted(
        [f"survey:pair{active.id}:midpoint:{BEN}", f"survey:pair{active.id}:midpoint:{ANA}"]
    )


# -- the survey modal ---------------------------------------------------------------------------


def test_the_survey_needs_three_scores_and_answering_again_replaces_the_answer(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        pair = the_pair(runtime.sessions)
        with unit_of_work(runtime.sessions) as session:
            found = session.get(Pair, pair.id)
            assert found is not None
            cohort = session.get(Cohort, found.cohort_id)
            assert cohort is not None
            midpoint = open_round(session, cohort=cohort, phase="midpoint", now=START)
            invites = survey_messages(session, pairs=[found], survey=midpoint, now=START)
            enqueue_many(session, invites, now=START)
        run_until(runtime, clock, START, START + timedelta(days=1), timedelta(hours=1))
        assert sorted(s.to for s in sent(runtime.sessions, "survey")) == [ANA, BEN]
        [invite] = [m for m in standin.messages_in(BEN) if "feedback_open" in json.dumps(m)]

        value = f"{pair.id}:midpoint"
        slack.block_action(BEN, "feedback_open", value=value, message=invite)
        modal = opened(standin)
        assert check_view(modal, "modal") == []
        assert modal["callback_id"] == "feedback" and modal["private_metadata"] == value
        text = json.dumps(modal)
        assert "I can speak openly with my mentor" in text and "Halfway through" in text
        assert "Nobody sees your answers alone" in text

        # Missing or impossible scores and an overlong comment are shown next to their field.
        for values, wrong in (
            (form(), "trust"),
            (form(trust=chosen("4")), "communication"),
            (form(trust=chosen("4"), communication=chosen("3")), "usefulness"),
            (scores(usefulness="9"), "usefulness"),
            (scores(comment="x" * 2001), "comment"),
        ):
            refused = slack.view_submission(BEN, "feedback", values, value).json()
            assert refused["response_action"] == "errors", refused
            assert list(refused["errors"]) == [wrong]
        assert answers(runtime.sessions) == []

        done = slack.view_submission(BEN, "feedback", scores("5", "4", "3"), value).json()
        assert done["response_action"] == "update"
        shown = json.dumps(done["view"])
        assert "Who sees it" in shown and "without your name" in shown
        assert "replaces" not in shown

        # Opening it again shows the answer given; sending again replaces it.
        slack.block_action(BEN, "feedback_open", value=value, message=invite)
        again = opened(standin)
        assert check_view(again, "modal") == []
        assert "sending it again replaces that answer" in json.dumps(again)
        [trust] = [b for b in again["blocks"] if b.get("block_id") == "trust"]
        assert trust["element"]["initial_option"]["value"] == "5"
        second = scores("2", "2", "2", comment="Better now")
        redone = slack.view_submission(BEN, "feedback", second, value).json()
        assert "This replaces your earlier answer" in json.dumps(redone["view"])
        assert answers(runtime.sessions) == [(BEN, pair.id, "midpoint", 2, 2, 2, "Better now")]

        # The closing survey is not open yet: it takes no answer.
        views = len(standin.calls_to("views.open"))
        slack.block_action(ANA, "feedback_open", value=f"{pair.id}:closing", message=invite)
        assert len(standin.calls_to("views.open")) == views
        assert "That survey is not open" in standin.responses[-1][1]["text"]
        refused = slack.view_submission(ANA, "feedback", scores(), f"{pair.id}:closing").json()
        assert "That survey is not open" in json.dumps(refused)

        # The closing round opens (and the midpoint one closes): the midpoint survey takes
        # no more answers; the mentor's survey speaks of the relationship.
        with unit_of_work(runtime.sessions) as session:
            cohort = session.get(Cohort, pair.cohort_id)
            assert cohort is not None
            open_round(session, cohort=cohort, phase="closing", now=utcnow())
        slack.block_action(BEN, "feedback_open", value=value, message=invite)
        assert "The midpoint survey closed" in standin.responses[-1][1]["text"]
        late = slack.view_submission(BEN, "feedback", scores("1", "1", "1"), value).json()
        assert "The midpoint survey closed" in json.dumps(late)
        slack.block_action(ANA, "feedback_open", value=f"{pair.id}:closing")
        assert "our meetings help my mentee" in json.dumps(opened(standin))
        slack.view_submission(ANA, "feedback", scores("4", "4", "4"), f"{pair.id}:closing")

        # Nobody outside the pair answers for it, even with a forged form.
        views = len(standin.calls_to("views.open"))
        slack.block_action(CAT, "feedback_open", value=value, message=invite)
        assert len(standin.calls_to("views.open")) == views
        assert "only the mentor and mentee" in standin.responses[-1][1]["text"]
        forged = slack.view_submission(CAT, "feedback", scores(), value)
        assert "only the mentor and mentee" in json.dumps(forged.json())
    assert answers(runtime.sessions) == [
        (BEN, pair.id, "midpoint", 2, 2, 2, "Better now"),
        (ANA, pair.id, "closing", 4, 4, 4, None),
    ]


def test_feedback_any_time_and_a_mentor_of_several_picks_whom_it_is_about(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True):
        pair_ana_and_ben(slack, "2027-03-01")
        slack.command("/mentoring", f"pair {mention(ANA)} {mention(CAT)}", user_id=COORD)
        ben_pair, cat_pair = pair_of(runtime.sessions, BEN), pair_of(runtime.sessions, CAT)

        reply = slack.command("/checkin", "feedback", user_id=BEN)
        assert reply.status == 200 and not reply.body
        modal = opened(standin)
        assert check_view(modal, "modal") == []
        assert modal["private_metadata"] == f"{ben_pair.id}:anytime"
        assert not any(b.get("block_id") == "pair" for b in modal["blocks"])
        for comment in ("First", "Second"):  # any time means any number of times
            done = slack.view_submission(
                BEN, "feedback", scores(comment=comment), modal["private_metadata"]
            )
            assert done.json()["response_action"] == "update"

        slack.command("/checkin", "feedback", user_id=ANA)
        modal = opened(standin)
        assert check_view(modal, "modal") == []
        [choice] = [b for b in modal["blocks"] if b.get("block_id") == "pair"]
        options = {o["text"]["text"]: o["value"] for o in choice["element"]["options"]}
        assert options == {"ben": str(ben_pair.id), "cat": str(cat_pair.id)}
        picked = scores("3", "3", "3", pair=chosen(options["cat"]))
        slack.view_submission(ANA, "feedback", picked, modal["private_metadata"])

        # Ben cannot answer about Ana and Cat by forging the pick.
        forged = scores("1", "1", "1", pair=chosen(options["cat"]))
        refused = slack.view_submission(BEN, "feedback", forged, modal["private_metadata"])
        assert "only the mentor and mentee" in json.dumps(refused.json())

        lonely = slack.command("/checkin", "feedback", user_id=OUTSIDER).json()["text"]
        assert "not in a mentoring pair" in lonely
    assert answers(runtime.sessions) == [
        (BEN, ben_pair.id, "anytime", 4, 4, 4, "First"),
        (BEN, ben_pair.id, "anytime", 4, 4, 4, "Second"),
        (ANA, cat_pair.id, "anytime", 3, 3, 3, None),
    ]
    with runtime.sessions() as session:
        roles = session.execute(select(Feedback.author_id, Feedback.author_role)).all()
    assert set(roles) == {(BEN, "mentee"), (ANA, "mentor")}


# -- anonymity ----------------------------------------------------------------------------------


def _answer(
    session: Session,
    pair: Pair,
    author: str,
    value: int,
    comment: str = "",
    *,
    phase: str = "midpoint",
    at: datetime = START,
) -> None:
    form = FeedbackForm(trust=value, communication=value, usefulness=value, comment=comment)
    record_feedback(session, pair=pair, author_id=author, phase=phase, form=form, now=at)


def test_aggregates_are_withheld_until_three_distinct_people_answered(session: Session) -> None:
    assert MIN_GROUP == 3
    cohort = spring(session)
    m1, m2, m3 = "U0M1", "U0M2", "U0M3"
    e1, e2, e3, e4, e5 = "U0E1", "U0E2", "U0E3", "U0E4", "U0E5"
    p1, p2, p3, p4, p5 = create_pairs(
        session,
        cohort=cohort,
        now=START,
        kickoff=False,
        planned=[
            Planned(m1, e1),
            Planned(m1, e2),
            Planned(m1, e3),
            Planned(m2, e4),
            Planned(m3, e5),
        ],
    )
    survey = open_round(session, cohort=cohort, phase="midpoint", now=START)
    closed = survey.closes_at

    def report() -> tuple[Any, Any]:
        [found] = cohort_feedback(session, cohorts=[cohort], now=closed)
        [results] = found.rounds
        return results.mentees, results.mentors

    def own(mentor: str) -> Any:
        results = mentor_feedback(session, team_id=TEAM, mentor_id=mentor, now=closed)
        return None if results is None else results.mentees

    # Two mentees, one of them answering twice: still two people, so nothing at all.
    _answer(session, p1, e1, 5, "Zeal <!channel>")
    _answer(session, p1, e1, 4, phase="anytime", at=START + timedelta(days=1))
    _answer(session, p2, e2, 2, "Anxious about pace")
    mentees, mentors = report()
    assert mentees.withheld and mentees.answered is None
    assert mentees.averages == {} and mentees.comments == []
    assert mentors.withheld
    assert own(m1) is None

    # The third person: numbers (each person's latest answer per pair) and sorted comments.
    _answer(session, p3, e3, 3, "good listener")
    mentees, _ = report()
    assert not mentees.withheld and mentees.answered == 3
    assert mentees.averages == {"trust": 3.0, "communication": 3.0, "usefulness": 3.0}
    assert mentees.comments == ["Anxious about pace", "good listener", "Zeal <!channel>"]
    mine = own(m1)
    assert not mine.withheld and mine.answered == 3 and mine.averages["trust"] == 3.0
    assert mine.comments == []  # a mentor never reads comments: they could tell who wrote them

    # Another mentor's view is about their own mentees only: one answered, so nothing.
    _answer(session, p4, e4, 1)
    assert own(m2) is None
    mentees, _ = report()
    assert mentees.answered == 4 and mentees.averages["trust"] == 2.5

    # Mentors: one mentor about three pairs is one person; three mentors make a group.
    for pair in (p1, p2, p3):
        _answer(session, pair, m1, 4, "Mentor note")
    assert report()[1].withheld
    _answer(session, p4, m2, 2)
    assert report()[1].withheld
    _answer(session, p5, m3, 3)
    mentors = report()[1]
    assert not mentors.withheld and mentors.answered == 3
    assert mentors.averages["trust"] == 3.4  # (4 + 4 + 4 + 2 + 3) / 5 pairs
    assert mentors.comments == ["Mentor note"]
    # A mentor's own answers never count as their mentees' view of them.
    assert own(m3) is None


def test_a_round_shows_results_only_once_closed_and_later_answers_join_the_next(
    session: Session,
) -> None:
    """Feedback before the midpoint joins the midpoint round; nothing shows until it closes;
    what comes after the close waits for the closing round, and opening that closes an
    earlier round still open. Deleted scores only take people out."""
    workspace = Workspace(team_id=TEAM, settings={"survey_days": 3}, installed_at=START)
    session.add(workspace)
    cohort = spring(session)
    mentees = ["U0E1", "U0E2", "U0E3", "U0E4"]
    pairs = create_pairs(
        session,
        cohort=cohort,
        now=START,
        kickoff=False,
        planned=[Planned(f"U0M{n}", mentee) for n, mentee in enumerate(mentees)],
    )
    _answer(session, pairs[0], mentees[0], 5, "Early", phase="anytime")
    midpoint = START + timedelta(days=40)
    survey = open_round(session, cohort=cohort, phase="midpoint", now=midpoint)
    assert (survey.opens_at, survey.closes_at) == (midpoint, midpoint + timedelta(days=3))
    assert open_round(session, cohort=cohort, phase="midpoint", now=midpoint) is survey
    for pair, mentee, value in zip(pairs[1:3], mentees[1:3], (4, 3), strict=True):
        _answer(session, pair, mentee, value, f"From {mentee}", at=midpoint + timedelta(hours=1))

    def shown(now: datetime) -> list[Any]:
        [found] = cohort_feedback(session, cohorts=[cohort], now=now)
        return [(r.round.phase, r.mentees.answered, r.mentees.averages) for r in found.rounds]

    [found] = cohort_feedback(session, cohorts=[cohort], now=survey.closes_at - timedelta(1))
    assert found.rounds == [] and found.open is survey  # three answered, but it is open
    after = survey.closes_at
    assert shown(after) == [
        ("midpoint", 3, {s: 4.0 for s in ("trust", "communication", "usefulness")})
    ]
    [results] = cohort_feedback(session, cohorts=[cohort], now=after)[0].rounds
    assert results.mentees.comments == ["Early", "From U0E2", "From U0E3"]

    # After the close: the survey takes no answer; feedback any time waits for the next round.
    with pytest.raises(SurveyClosed):
        _answer(session, pairs[3], mentees[3], 1, at=after)
    _answer(session, pairs[3], mentees[3], 1, "Late", phase="anytime", at=after)
    assert shown(after + timedelta(days=30)) == shown(after)
    closing = open_round(session, cohort=cohort, phase="closing", now=after + timedelta(days=5))
    late = session.scalars(select(Feedback).where(Feedback.comment == "Late")).one()
    assert late.round_id == closing.id
    # Opening a round closes one still open: at most one takes answers at a time.
    other = spring(session, "Autumn")
    first = open_round(session, cohort=other, phase="midpoint", now=midpoint)
    second = open_round(session, cohort=other, phase="closing", now=midpoint + timedelta(days=1))
    assert first.closes_at == midpoint + timedelta(days=1) == second.opens_at

    # One of the three deletes their data: the group drops below 3 and is hidden.
    own_data.delete(session, team_id=TEAM, user_id=mentees[1], now=after + timedelta(days=6))
    [found] = cohort_feedback(session, cohorts=[cohort], now=after + timedelta(days=6))
    assert found.rounds[0].mentees.withheld and found.rounds[0].mentees.comments == []


def test_mentoring_feedback_reports_per_cohort_and_a_mentor_sees_their_own_on_app_home(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        for mentee in (DAN, EVE):
            slack.command("/mentoring", f"pair {mention(ANA)} {mention(mentee)}", user_id=COORD)
        pairs = {mentee: pair_of(runtime.sessions, mentee).id for mentee in (BEN, DAN, EVE)}
        with unit_of_work(runtime.sessions) as session:
            [cohort] = session.scalars(select(Cohort)).all()
            closes = open_round(session, cohort=cohort, phase="midpoint", now=START).closes_at

        refused = slack.command("/mentoring", "feedback", user_id=BEN).json()["text"]
        assert "only programme coordinators" in refused

        def home(user_id: str) -> str:
            event = {"type": "app_home_opened", "user": user_id, "channel": "D0", "tab": "home"}
            assert slack.event(event).status == 200
            return json.dumps(standin.home_view(user_id))

        comments = {BEN: "Ana is <!channel> great", DAN: "Helpful sessions", EVE: ""}
        for mentee, value in ((BEN, "5"), (DAN, "4"), (EVE, "3")):
            values = scores(value, value, value, comment=comments[mentee])
            slack.view_submission(mentee, "feedback", values, f"{pairs[mentee]}:midpoint")
            # While the round is open nothing shows, however many have answered.
            report = slack.command("/mentoring", "feedback", user_id=COORD).json()["text"]
            ana_home = home(ANA)
            assert "The midpoint survey is open until" in report
            assert "trust *" not in report and "Helpful" not in report
            assert "Shown when a survey round closes, if 3 or more of your mentees" in ana_home
            assert "Trust *" not in ana_home

        clock.move_to(closes)
        report = slack.command("/mentoring", "feedback", user_id=COORD).json()["text"]
        ana_home = home(ANA)
        assert "_The midpoint survey, closed <!date^" in report
        assert "trust *4.0* · communication *4.0* · usefulness *4.0*" in report
        assert "from 3 mentees" in report
        assert "Ana is &lt;!channel&gt; great" in report and "<!channel>" not in report
        assert report.index("Ana is") < report.index("Helpful sessions")
        assert "not shown: fewer than 3 mentors" in report
        assert "Trust *4.0*" in ana_home and "from 3 mentees" in ana_home
        assert "Helpful sessions" not in ana_home and "Ana is" not in ana_home
        assert "What your mentees say" not in home(BEN)

        named = slack.command("/mentoring", "feedback cohort spring 2027", user_id=COORD).json()
        assert "*Spring 2027*" in named["text"] and "from 3 mentees" in named["text"]
        unknown = slack.command("/mentoring", "feedback cohort Autumn", user_id=COORD).json()
        assert "no cohort called" in unknown["text"]
        wrong = slack.command("/mentoring", "feedback everyone", user_id=COORD).json()
        assert "I don't understand" in wrong["text"]
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Feedback)) == 3
        assert session.scalar(select(func.count()).select_from(Cohort)) == 1


def home_text(slack: SignedSlackClient, standin: SlackStandin, user_id: str) -> str:
    """The person's App Home, as published when they open it."""
    event = {"type": "app_home_opened", "user": user_id, "channel": "D0", "tab": "home"}
    assert slack.event(event).status == 200
    return json.dumps(standin.home_view(user_id), ensure_ascii=False)


def answer_survey(
    slack: SignedSlackClient, user_id: str, pair_id: int, value: str, comment: str = ""
) -> None:
    """Press the midpoint survey's button and send the modal."""
    slack.block_action(user_id, "feedback_open", value=f"{pair_id}:midpoint")
    values = scores(value, value, value, comment=comment)
    done = slack.view_submission(user_id, "feedback", values, f"{pair_id}:midpoint").json()
    assert done["response_action"] == "update", done


def delete_data(slack: SignedSlackClient, standin: SlackStandin, user_id: str) -> None:
    """The person deletes their own data (and their scores with it)."""
    said = press(slack, standin, user_id, "own_data_delete", offer(slack, user_id))
    assert said.startswith(":white_check_mark: Done"), said


def test_people_who_deleted_their_data_no_longer_count_on_any_surface(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    """Five mentees and three mentors answer the midpoint survey; a mentee (one of Ana's
    three) and a mentor delete their data. Every surface then counts the people who still
    have scores: the report, status, both App Homes and the next digest."""
    standin.add_user(FAY, "fay", tz="Europe/London")
    standin.add_user(GUS, "gus", tz="Europe/London")
    eve = MIDPOINT - timedelta(hours=12)
    with freeze_time(eve, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        for mentor, mentee in ((ANA, DAN), (ANA, EVE), (CAT, OUTSIDER), (FAY, GUS)):
            mentoring(slack, f"pair {mention(mentor)} {mention(mentee)}")
        pairs = {m: pair_of(runtime.sessions, m).id for m in (BEN, DAN, EVE, OUTSIDER, GUS)}
        moment = run_until(runtime, clock, eve, MIDPOINT + timedelta(hours=12), timedelta(hours=6))
        for mentee, value in ((BEN, "5"), (DAN, "4"), (EVE, "1"), (OUTSIDER, "3"), (GUS, "2")):
            answer_survey(slack, mentee, pairs[mentee], value)
        for mentor, mentee, value in ((ANA, BEN, "4"), (CAT, OUTSIDER, "2"), (FAY, GUS, "3")):
            answer_survey(slack, mentor, pairs[mentee], value)
        # A week on, the survey has closed: everyone counts.
        moment = run_until(runtime, clock, moment, moment + timedelta(days=7), timedelta(hours=6))
        report = mentoring(slack, "feedback")
        assert "trust *3.0*" in report and "from 5 mentees" in report
        assert "from 3 mentors" in report
        status = mentoring(slack, "status")
        assert "(5 mentees)" in status and "(3 mentors)" in status
        assert "(5 mentees)" in home_text(slack, standin, COORD)
        ana = home_text(slack, standin, ANA)
        assert "Trust *3.3*" in ana and "from 3 mentees" in ana
        digest = sent(runtime.sessions, "digest")[-1]
        assert "(5 mentees)" in digest.text and "(3 mentors)" in digest.text

        delete_data(slack, standin, EVE)
        delete_data(slack, standin, CAT)

        report = mentoring(slack, "feedback")
        assert "trust *3.5*" in report and "from 4 mentees" in report
        assert "from 3 mentors" not in report and "from 2 mentors" not in report
        assert report.count("trust *") == 1  # the mentors' numbers are gone
        status = mentoring(slack, "status")
        assert "(4 mentees)" in status and "mentors: not enough answers" in status
        coordinator = home_text(slack, standin, COORD)
        assert "(4 mentees)" in coordinator and "mentors: not enough answers" in coordinator
        # Ana has two mentees with scores left: her view shows no numbers at all.
        ana = home_text(slack, standin, ANA)
        assert "What your mentees say" in ana
        assert "Trust *" not in ana and "mentees)" not in ana
        run_until(runtime, clock, moment, moment + timedelta(days=7), timedelta(hours=6))
    digest = sent(runtime.sessions, "digest")[-1]
    assert "(4 mentees)" in digest.text and "mentors: not enough answers" in digest.text


def test_feedback_any_time_asks_its_question_with_a_capital_letter(
    slack: SignedSlackClient, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True):
        pair_ana_and_ben(slack, "2027-03-01")
        for user_id, question in (
            (BEN, f"How is the mentoring you receive from <@{ANA}> going?"),
            (ANA, f"How is your mentoring relationship with <@{BEN}> going?"),
        ):
            slack.command("/checkin", "feedback", user_id=user_id)
            [first, *_] = opened(standin)["blocks"]
            assert first["text"]["text"].startswith(question), first
