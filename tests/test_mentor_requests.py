"""Mentor requests: a mentee asks a mentor from the directory in their own words; the mentor
accepts (the pair and its kickoff follow, in both people's working hours), says not now
kindly, or suggests someone; unanswered requests expire; in an approval cohort a coordinator
confirms. Nobody but the two people reads a request, and nobody else learns of a "not now"."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from mentorbot.bot.models import Cohort, Goal, MentorRequest, OutboundMessage, Pair
from mentorbot.bot.reports import report_data, requests_csv
from mentorbot.bot.tick import run_tick
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.programme import (
    ANA,
    BEN,
    CAT,
    COORD,
    DAN,
    EVE,
    OUTSIDER,
    create_spring,
    mention,
    mentoring,
    mentoring_shown,
    words_of,
)
from tests.rhythm import chosen, form, opened, run_until, sent, ticked
from tests.test_mentor_directory import directory, listed, profile
from tests.weeks import DAY, HOUR, START

pytestmark = pytest.mark.usefixtures("people")
WHY = "Your talk on growing search teams is why I'm here"
HOPE = "The confidence to lead a team of my own"
GOAL = "Run my first team retrospective by May"
ZONES = {BEN: "America/New_York", CAT: "Europe/London", ANA: "Asia/Tokyo", DAN: "Europe/London"}


OPEN = {"open_to_requests": ticked("open")}


def set_up(slack: SignedSlackClient, mode: str = "open") -> None:
    """Spring, self-serve; Ben looks for search and leadership; Ana, Cat and Dan mentor."""
    create_spring(slack, f"starts 2027-03-01 weeks 12 self-serve {mode}")
    profile(slack, BEN, "mentee", "search, leadership")
    profile(slack, ANA, "mentor", "search, leadership", **OPEN)
    profile(slack, CAT, "mentor", "leadership", how_i_help="Teams and first-time leads", **OPEN)
    profile(slack, DAN, "mentor", "leadership, search", **OPEN)


def cohort_id(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        return int(session.scalars(select(Cohort.id)).one())


def ask(
    slack: SignedSlackClient,
    standin: SlackStandin,
    runtime: Runtime,
    mentor: str,
    mentee: str = BEN,
    **fields: Any,
) -> dict[str, Any]:
    """Press *Ask <mentor>* and submit the modal (these words unless others are given); when
    the button opens no modal, the polite refusal it answered instead."""
    value = f"{cohort_id(runtime)}:{mentor}"
    modals, answers = len(standin.calls_to("views.open")), len(standin.responses)
    assert slack.block_action(mentee, "mentor_request_open", value=value, message={}).status == 200
    if len(standin.calls_to("views.open")) == modals:
        refusal: dict[str, Any] = standin.responses[answers:][-1][1]
        return refusal
    modal = opened(standin)
    values = {
        "why": WHY,
        "hope": HOPE,
        "first_goal": GOAL,
        "cadence": chosen("weekly"),
        **fields,
    }
    answer: dict[str, Any] = slack.view_submission(
        mentee, "mentor_request", form(**values), modal["private_metadata"]
    ).json()
    return answer


def the_request(runtime: Runtime, mentor: str) -> MentorRequest:
    with runtime.sessions() as session:
        return session.scalars(select(MentorRequest).where(MentorRequest.mentor_id == mentor)).one()


def dm(standin: SlackStandin, user: str) -> dict[str, Any]:
    """The latest DM the bot posted to the person."""
    messages = standin.messages_in(user)
    assert messages, f"no DM to {user}"
    return messages[-1]


def press(
    slack: SignedSlackClient, standin: SlackStandin, user: str, action: str, message: dict[str, Any]
) -> dict[str, Any]:
    """Press a button of a DM; returns the message as the bot replaced it."""
    value = next(
        element["value"]
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == action
    )
    channel = standin.dm_channel_for(user)
    before = len(standin.responses)
    answer = slack.block_action(user, action, value=value, message=message, channel_id=channel)
    assert answer.status == 200
    answers = standin.responses[before:]
    return answers[-1][1] if answers else {}


def in_working_hours(user: str, moment: Any) -> bool:
    local = moment.astimezone(ZoneInfo(ZONES[user]))
    return local.weekday() < 5 and 9 <= local.hour < 18


def test_a_mentee_finds_a_mentor_by_area_asks_and_the_kickoff_reaches_both_in_their_hours(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START) as clock:
        set_up(slack)
        found = directory(slack, "leadership")
        assert listed(found) == [DAN, ANA, CAT]  # two areas (Dan shares hours), then one
        assert "mentor_request_open" in json.dumps(found) and "Ask cat" in json.dumps(found)

        # Every field is the mentee's to write: an empty one is refused next to it.
        empty = ask(slack, standin, runtime, CAT, why="  ")
        assert empty["response_action"] == "errors" and "why" in empty["errors"]
        no_rhythm = ask(slack, standin, runtime, CAT, cadence={"type": "static_select"})
        assert "cadence" in no_rhythm["errors"]
        with runtime.sessions() as session:
            assert session.scalars(select(MentorRequest)).all() == []

        done = ask(slack, standin, runtime, CAT)
        assert done["response_action"] == "update"
        assert "on its way to <@U0CAT>" in json.dumps(done)
        # Asked, Cat shows as waiting in the directory, without a second *Ask*.
        again = json.dumps(directory(slack, "leadership"))
        assert "You asked on" in again and f":{CAT}" not in again

        run_tick(runtime.sessions, runtime.client, START)  # noon in London: Cat's hours
        request = dm(standin, CAT)
        shown = words_of(request)
        assert WHY in shown and HOPE in shown and GOAL in shown and "every week" in shown
        assert "Only you and <@U0BEN> see this" in shown

        replaced = press(slack, standin, CAT, "mentor_request_accept", request)
        assert "You are <@U0BEN>'s mentor" in words_of(replaced)
        with runtime.sessions() as session:
            pair = session.scalars(select(Pair)).one()
            assert (pair.mentor_id, pair.mentee_id, pair.cadence) == (CAT, BEN, "weekly")
            assert session.scalars(select(Goal.title)).all() == [GOAL]
        assert the_request(runtime, CAT).pair_id == pair.id

        # A second press changes nothing: one pair, one kickoff.
        press(slack, standin, CAT, "mentor_request_accept", request)
        run_until(runtime, clock, START, START + DAY, timedelta(minutes=30))
        kickoffs = sent(runtime.sessions, "kickoff")
        assert len(kickoffs) == 1 and kickoffs[0].to == f"{BEN},{CAT}"
        assert in_working_hours(BEN, kickoffs[0].at) and in_working_hours(CAT, kickoffs[0].at)
        told = [s for s in sent(runtime.sessions, "requestanswer") if s.to == BEN]
        assert len(told) == 1 and in_working_hours(BEN, told[0].at)
        assert "is your mentor" in told[0].text
        # Ben has a mentor now: no more directory for him there.
        assert "You have a mentor in Spring 2027" in directory(slack)["text"]


def test_not_now_with_a_note_and_a_suggestion_reaches_only_the_mentee(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START):
        set_up(slack)
        ask(slack, standin, runtime, CAT)
        run_tick(runtime.sessions, runtime.client, START)
        request = dm(standin, CAT)

        # *Suggest someone* offers the mentee's directory without Cat: Ana and Dan.
        press(slack, standin, CAT, "mentor_request_suggest", request)
        suggest = opened(standin)
        options = json.dumps(suggest)
        assert f'"{ANA}"' in options and f'"{DAN}"' in options and f'"{CAT}"' not in options
        rid = suggest["private_metadata"]
        bad = slack.view_submission(
            CAT, "mentor_request_suggest", form(suggested=chosen(EVE)), rid
        ).json()
        assert bad["response_action"] == "errors" and "suggested" in bad["errors"]
        values = form(suggested=chosen(DAN), note="I'm full this quarter; Dan is great")
        answer = slack.view_submission(CAT, "mentor_request_suggest", values, rid).json()
        assert "hears your answer kindly" in json.dumps(answer)
        assert the_request(runtime, CAT).status == "declined"
        # Cat's DM now says how it stands, without buttons.
        update = standin.calls_to("chat.update")[-1].args
        assert "You said not now" in json.dumps(update) and "mentor_request_accept" not in (
            json.dumps(update)
        )

        run_tick(runtime.sessions, runtime.client, START + 3 * HOUR)  # 9:00 in New York
        answer_dm = dm(standin, BEN)
        shown = words_of(answer_dm)
        assert "can't take you on right now" in shown and "Dan is great" in shown
        assert "They suggest you ask <@U0DAN>" in shown
        ask_dan = next(
            block["accessory"]["value"] for block in answer_dm["blocks"] if "accessory" in block
        )
        assert ask_dan.endswith(f":{DAN}")

        # Cat is not listed for Ben any more, nor asked again by him in this cohort.
        assert CAT not in listed(directory(slack, "leadership"))
        refused = slack.block_action(
            BEN, "mentor_request_open", value=f"{cohort_id(runtime)}:{CAT}", message={}
        )
        assert refused.status == 200
        assert "said not now" in json.dumps(standin.responses[-1][1])

        # Nobody else learns of it: no message about it to anyone but Ben and Cat.
        with runtime.sessions() as session:
            readers = set(
                session.scalars(
                    select(OutboundMessage.target_id).where(
                        OutboundMessage.kind.in_(("mentorrequest", "requestanswer"))
                    )
                )
            )
        assert readers == {BEN, CAT}
        health = mentoring_shown(slack, "status")
        assert "1 made · 0 accepted · 1 declined" in health
        assert "Dan is great" not in health and WHY not in health


def test_a_request_not_answered_in_a_week_expires_kindly_for_both(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START) as clock:
        set_up(slack)
        ask(slack, standin, runtime, ANA)
        ask(slack, standin, runtime, CAT)
        # Two requests wait: a third is refused politely, and stores nothing.
        third = ask(slack, standin, runtime, DAN)
        assert "2 requests waiting already" in json.dumps(third)
        with runtime.sessions() as session:
            assert len(session.scalars(select(MentorRequest)).all()) == 2

        run_until(runtime, clock, START, START + 7 * DAY + 2 * HOUR, HOUR)
        assert the_request(runtime, CAT).status == "expired"
        assert the_request(runtime, ANA).status == "expired"
        notes = [s for s in sent(runtime.sessions, "requestanswer") if "expired" in s.text]
        assert {s.to for s in notes} <= {BEN, CAT, ANA}
        run_until(runtime, clock, START + 7 * DAY + 2 * HOUR, START + 9 * DAY, HOUR)
        notes = [s for s in sent(runtime.sessions, "requestanswer") if "expired" in s.text]
        assert sorted(s.to for s in notes) == sorted([BEN, BEN, CAT, ANA])
        assert all(in_working_hours(s.to, s.at) for s in notes if s.to in ZONES)
        # No request reached its mentor after it expired.
        with runtime.sessions() as session:
            for row in session.scalars(
                select(OutboundMessage).where(OutboundMessage.kind == "mentorrequest")
            ):
                assert row.sent_at is None or row.sent_at < START + 7 * DAY
        # An expiry is not a no: Ben may ask Cat again.
        assert ask(slack, standin, runtime, CAT)["response_action"] == "update"


def test_in_an_approval_cohort_a_coordinator_confirms_the_pair(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START) as clock:
        set_up(slack, "approval")
        ask(slack, standin, runtime, CAT)
        run_tick(runtime.sessions, runtime.client, START)
        replaced = press(slack, standin, CAT, "mentor_request_accept", dm(standin, CAT))
        assert "A coordinator confirms" in words_of(replaced)
        with runtime.sessions() as session:
            assert session.scalars(select(Pair)).all() == []

        run_tick(runtime.sessions, runtime.client, START)  # noon in London: Priya's hours
        to_confirm = dm(standin, COORD)
        shown = words_of(to_confirm)
        assert "<@U0BEN> asked <@U0CAT>" in shown
        assert WHY not in json.dumps(to_confirm) and GOAL not in json.dumps(to_confirm)
        # Cat cannot confirm her own pairing; Priya's App Home lists it too.
        assert (
            slack.block_action(
                CAT, "mentor_request_confirm", value=str(the_request(runtime, CAT).id), message={}
            ).status
            == 200
        )
        assert the_request(runtime, CAT).status == "confirming"
        home = {"type": "app_home_opened", "user": COORD, "channel": "D0HOME", "tab": "home"}
        assert slack.event(home).status == 200
        assert "Pairings to confirm" in json.dumps(standin.home_view(COORD))

        replaced = press(slack, standin, COORD, "mentor_request_confirm", to_confirm)
        assert "Confirmed by <@U0COORD>" in words_of(replaced)
        with runtime.sessions() as session:
            pair = session.scalars(select(Pair)).one()
            assert (pair.mentor_id, pair.mentee_id) == (CAT, BEN)
        run_until(runtime, clock, START, START + DAY, timedelta(minutes=30))
        assert len(sent(runtime.sessions, "kickoff")) == 1
        answers = sent(runtime.sessions, "requestanswer")
        assert {s.to for s in answers if "confirmed it" in s.text} == {CAT}
        assert {s.to for s in answers if "is your mentor" in s.text} == {BEN}
        assert "1 made · 1 accepted" in mentoring_shown(slack, "status")


def test_capacity_past_pairs_and_people_outside_the_cohort(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START):
        set_up(slack)
        # Dan mentored Ben before: he is not in Ben's directory, and cannot be asked.
        mentoring(slack, f"pair {mention(DAN)} {mention(BEN)}")
        mentoring(slack, f"unpair {mention(BEN)}")
        assert DAN not in listed(directory(slack))
        assert "not open to requests" in json.dumps(ask(slack, standin, runtime, DAN))

        ask(slack, standin, runtime, CAT)
        run_tick(runtime.sessions, runtime.client, START)
        request = dm(standin, CAT)
        # Cat fills her last place before she answers: *Accept* says so, the request waits.
        capacity = {"type": "number_input", "value": "1"}
        profile(slack, CAT, "mentor", "leadership", capacity=capacity, **OPEN)
        mentoring(slack, f"pair {mention(CAT)} {mention(EVE)}")
        press(slack, standin, CAT, "mentor_request_accept", request)
        assert "your capacity" in json.dumps(standin.responses[-1][1])
        assert the_request(runtime, CAT).status == "waiting"

        # Someone with no mentee's profile, or another mentor, sees and changes nothing.
        outsider = slack.command("/checkin", "find-mentor", user_id=OUTSIDER).json()
        assert "/checkin profile" in outsider["text"]
        forged = slack.block_action(
            OUTSIDER, "mentor_request_open", value=f"{cohort_id(runtime)}:{CAT}", message={}
        )
        assert forged.status == 200 and "/checkin profile" in json.dumps(standin.responses[-1][1])
        press(slack, standin, ANA, "mentor_request_accept", request)
        assert "someone else" in json.dumps(standin.responses[-1][1])
        assert the_request(runtime, CAT).status == "waiting"
        # And a mentee of a cohort where coordinators pair people has no directory.
        mentoring(slack, "cohort self-serve Spring 2027 off")
        assert "the coordinators pair people" in directory(slack)["text"]


def test_deleting_ones_data_takes_the_requests_words_and_closes_them_kindly(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START) as clock:
        set_up(slack)
        ask(slack, standin, runtime, CAT)
        run_tick(runtime.sessions, runtime.client, START)
        request = dm(standin, CAT)
        offer = slack.command("/checkin", "delete-my-data", user_id=BEN).json()
        assert "1 request to mentors" in words_of(offer)
        press(slack, standin, BEN, "own_data_delete", offer)
        with runtime.sessions() as session:
            row = session.scalars(select(MentorRequest)).one()
            assert (row.status, row.why, row.hope, row.first_goal) == (
                "withdrawn",
                None,
                None,
                None,
            )
            stored = json.dumps(
                [m.payload for m in session.scalars(select(OutboundMessage))], default=str
            )
        assert WHY not in stored and HOPE not in stored
        run_until(runtime, clock, START, START + DAY, HOUR)
        note = words_of(dm(standin, CAT))
        assert "the person who asked is no longer in the programme" in note
        assert "U0BEN" not in note
        # Cat's old DM's buttons find nothing to answer.
        replaced = press(slack, standin, CAT, "mentor_request_accept", request)
        assert "nothing to answer" in words_of(replaced)


def test_a_coordinators_not_this_time_and_asking_from_the_app_homes_directory(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START) as clock:
        set_up(slack, "approval")
        # From the App Home's *Find a mentor* modal, *Ask* opens the request over it.
        home = {"type": "app_home_opened", "user": BEN, "channel": "D0HOME", "tab": "home"}
        assert slack.event(home).status == 200
        view = standin.home_view(BEN)
        assert view is not None
        slack.block_action(BEN, "mentor_directory_open", value="directory", view=view)
        directory_modal = {**opened(standin), "id": "V0DIRECTORY"}
        value = f"{cohort_id(runtime)}:{CAT}"
        slack.block_action(BEN, "mentor_request_open", value=value, view=directory_modal)
        pushed = standin.calls_to("views.push")[-1].args["view"]
        pushed = json.loads(pushed) if isinstance(pushed, str) else pushed
        assert pushed["callback_id"] == "mentor_request"
        values = form(why=WHY, hope=HOPE, first_goal=GOAL, cadence=chosen("monthly"))
        slack.view_submission(BEN, "mentor_request", values, pushed["private_metadata"])

        run_tick(runtime.sessions, runtime.client, START)
        press(slack, standin, CAT, "mentor_request_accept", dm(standin, CAT))
        run_tick(runtime.sessions, runtime.client, START)
        replaced = press(slack, standin, COORD, "mentor_request_refuse", dm(standin, COORD))
        assert "Not confirmed, by <@U0COORD>" in words_of(replaced)
        assert the_request(runtime, CAT).status == "declined"
        run_until(runtime, clock, START, START + DAY, HOUR)
        refused = [
            s for s in sent(runtime.sessions, "requestanswer") if "did not confirm" in s.text
        ]
        assert sorted(s.to for s in refused) == sorted([BEN, CAT])
        with runtime.sessions() as session:
            assert session.scalars(select(Pair)).all() == []
        # A second coordinator's press on an old copy changes nothing.
        press(slack, standin, COORD, "mentor_request_confirm", dm(standin, COORD))
        with runtime.sessions() as session:
            assert session.scalars(select(Pair)).all() == []


def test_suggest_someone_with_nobody_else_to_suggest_says_so(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START):
        create_spring(slack, "starts 2027-03-01 weeks 12 self-serve open")
        profile(slack, BEN, "mentee", "search")
        profile(slack, CAT, "mentor", "search", **OPEN)
        ask(slack, standin, runtime, CAT)
        run_tick(runtime.sessions, runtime.client, START)
        modals = len(standin.calls_to("views.open"))
        answer = press(slack, standin, CAT, "mentor_request_suggest", dm(standin, CAT))
        assert "Nobody else is open to requests" in json.dumps(answer)
        assert len(standin.calls_to("views.open")) == modals
        assert the_request(runtime, CAT).status == "waiting"


def test_the_report_counts_requests_by_status_without_their_words(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START):
        set_up(slack)
        ask(slack, standin, runtime, CAT)
        ask(slack, standin, runtime, ANA)
        run_tick(runtime.sessions, runtime.client, START)
        press(slack, standin, CAT, "mentor_request_accept", dm(standin, CAT))
        with runtime.sessions() as session:
            cohort = session.scalars(select(Cohort)).one()
            counts = report_data(session, cohort=cohort, now=START).requests
    assert counts is not None
    # Cat's yes closed Ben's other request (to Ana): he has a mentor now.
    assert requests_csv(counts).decode().splitlines() == [
        "status,requests",
        "made,2",
        "accepted,1",
        "declined,0",
        "expired,0",
        "waiting,0",
        "withdrawn,1",
    ]
