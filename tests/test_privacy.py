"""Privacy: each kind of content against each kind of reader, on every surface.

A check-in's text is its author's; a mentee's shared check-in reaches their mentor too;
another mentee and the coordinators never read any of it. Survey answers are read only as a
closed round's results: nothing while the round is open, averages of 3 people or more once
it has closed (comments for coordinators only), and nothing given later changes them.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from freezegun import freeze_time
from slack_bolt import App
from sqlalchemy import select

from mentorbot.bot.models import CheckIn, Pair
from mentorbot.bot.services.own_data.export import export
from mentorbot.bot.services.privacy import readable_by
from mentorbot.bot.settings import Settings
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.web import WebApp
from tests.conftest import settings_for
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
)
from tests.rhythm import agree, chosen, form, pair_ana_and_ben, run_until, sent, the_pair, ticked
from tests.test_mentor_directory import profile
from tests.test_mentor_requests import OPEN, ask, dm, press

START = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
CONTENT = {
    "MENTEE-PRIVATE": {BEN},
    "MENTEE-SHARED": {BEN, ANA},
    "MENTOR-OWN": {ANA},
}
READERS = (BEN, ANA, DAN, COORD)
# Spring 2027 runs 12 weeks from 1 March: its midpoint survey round opens on 12 April at
# midnight UTC and closes a week later.
MIDPOINT = datetime(2027, 4, 12, tzinfo=UTC)
# Each survey comment, and who reads it once its round has closed.
COMMENTS = {
    "FEEDBACK-BEN": {COORD},
    "FEEDBACK-DAN": {COORD},
    "FEEDBACK-EVE": {COORD},
    "FEEDBACK-OLLY-EARLY": {COORD},  # given before the round: it joined the round
    "FEEDBACK-ANA": set(),  # the only mentor who answered: a group of one
    "FEEDBACK-OLLY-LATE": set(),  # given after the round closed: it waits for the next one
}
SURVEY_READERS = (BEN, DAN, EVE, OUTSIDER, ANA, CAT, COORD)
# Any feedback average, as any surface shows one.
AVERAGE = re.compile(r"trust \*?\d\.\d", re.IGNORECASE)


pytestmark = pytest.mark.usefixtures("people")


@pytest.fixture
def settings(standin: SlackStandin, database_url: str) -> Settings:
    """The usual test settings, with calendar feeds and metrics on (surfaces of their own)."""
    return settings_for(
        standin,
        database_url,
        MENTORBOT_PUBLIC_URL="https://mentorbot.example.com",
        MENTORBOT_METRICS="on",
    )


def calendar_feed_of(slack: SignedSlackClient, web: FlaskClient, user_id: str) -> str:
    """The person's calendar feed, through the link `/checkin calendar` gives them."""
    reply = slack.command("/checkin", "calendar", user_id=user_id).json()["text"]
    found = re.search(r"https://mentorbot\.example\.com(/calendar/[\w-]+\.ics)", reply)
    assert found, reply
    answer = web.get(found.group(1))
    assert answer.status_code == 200
    return answer.data.decode()


def dashboard_seen_by(slack: SignedSlackClient, web: FlaskClient) -> str:
    """Every dashboard page a coordinator can open, signed in with their link."""
    reply = slack.command("/mentoring", "dashboard", user_id=COORD).json()["text"]
    found = re.search(r"https://mentorbot\.example\.com(/dashboard/sign-in/[\w-]+)", reply)
    assert found, reply
    assert web.post(found.group(1)).status_code == 303
    seen = []
    to_visit, visited = ["/dashboard"], set()
    while to_visit:  # every page linked from the programme, as a person clicking through
        path = to_visit.pop()
        if path in visited:
            continue
        visited.add(path)
        page = web.get(path)
        assert page.status_code == 200, path
        html = page.get_data(as_text=True)
        seen.append(html)
        to_visit += re.findall(r'href="(/dashboard/(?:cohorts|pairs)/\d+)"', html)
    assert any("/pairs/" in path for path in visited)  # a pair's page was among them
    for path in [p for p in visited if "/cohorts/" in p]:
        seen.append(web.get(f"{path}/pairs.csv").get_data(as_text=True))
    return "".join(seen)


def everything_seen_by(slack: SignedSlackClient, standin: SlackStandin, user_id: str) -> str:
    """All the bot showed this person: replies, App Home, DMs, group DMs, ephemerals."""
    seen: list[Any] = [slack.command("/checkin", "history", user_id=user_id).json()]
    seen.append(slack.command("/checkin", "goals", user_id=user_id).body)
    seen.append(slack.command("/checkin", "find-mentor", user_id=user_id).body)
    seen.append(slack.command("/mentoring", "cohort show Spring 2027", user_id=user_id).body)
    home = {"type": "app_home_opened", "user": user_id, "channel": "D0HOME", "tab": "home"}
    assert slack.event(home).status == 200
    seen.append(standin.home_view(user_id))
    for text in ("feedback", "status", "report"):
        seen.append(slack.command("/mentoring", text, user_id=user_id).body)
    dm = standin.dm_channel_for(user_id)
    for file in standin.uploaded_files:
        if dm in file.channels and file.filename.endswith(".csv") and file.data is not None:
            seen.append(file.data.decode())
    seen.append(standin.messages_in(user_id))
    seen.append(standin.ephemerals_for(user_id))
    for call in standin.calls_to("chat.postMessage"):
        members = str(call.args.get("channel"))
        if members.startswith("G") and user_id in json.dumps(call.args):
            seen.append(call.args)
    return json.dumps(seen)


def test_each_kind_of_content_reaches_only_its_readers(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin, bolt_app: App
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
        with WebApp(bolt_app, runtime).test_client() as web:
            feeds = {reader: calendar_feed_of(slack, web, reader) for reader in READERS}
            seen[COORD] += dashboard_seen_by(slack, web)
            metrics = web.get("/metrics").get_data(as_text=True)
    # The operator's metrics name no one and quote nothing: counts by kind only.
    assert "mentorbot_sends_total" in metrics
    assert not [marker for marker in CONTENT if marker in metrics]
    assert not [person for person in READERS if person in metrics]
    # A calendar feed carries no one's words, not even to their author.
    assert "Mentoring with" in feeds[BEN] and "Mentoring with" in feeds[ANA]
    for reader, feed in feeds.items():
        assert not [marker for marker in CONTENT if marker in feed], reader
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


def test_survey_answers_are_read_only_as_a_closed_rounds_results(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin, bolt_app: App
) -> None:
    """Ana mentors Ben, Dan and Eve; Cat mentors Olly. Olly gives feedback before the
    midpoint, the others answer the midpoint survey. While the round is open nobody reads
    anything of it on any surface (report, status, App Homes, the digest, the report file);
    once it has closed coordinators read the averages and comments, Ana the averages of her
    own mentees' answers, and the others nothing. Olly's answer after the close waits for the
    next round: nothing shown changes."""
    eve = MIDPOINT - timedelta(hours=12)
    with freeze_time(eve, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        for mentor, mentee in ((ANA, DAN), (ANA, EVE), (CAT, OUTSIDER)):
            mentoring(slack, f"pair {mention(mentor)} {mention(mentee)}")
        with runtime.sessions() as session:
            pairs = {
                mentee: pair_id
                for mentee, pair_id in session.execute(select(Pair.mentee_id, Pair.id))
            }

        def answer(user_id: str, mentee: str, value: str, comment: str, phase: str) -> None:
            values = form(
                trust=chosen(value),
                communication=chosen(value),
                usefulness=chosen(value),
                comment=comment,
            )
            metadata = f"{pairs[mentee]}:{phase}"
            done = slack.view_submission(user_id, "feedback", values, metadata).json()
            assert done["response_action"] == "update", done

        answer(OUTSIDER, OUTSIDER, "3", "FEEDBACK-OLLY-EARLY", "anytime")
        moment = run_until(runtime, clock, eve, MIDPOINT + timedelta(hours=6), timedelta(hours=6))
        for mentee, value in ((BEN, "5"), (DAN, "4"), (EVE, "2")):
            answer(mentee, mentee, value, f"FEEDBACK-{mentee[2:]}", "midpoint")
        answer(ANA, BEN, "4", "FEEDBACK-ANA", "midpoint")
        # The round is open (Monday's digest went out meanwhile): nothing of it anywhere.
        moment = run_until(
            runtime, clock, moment, MIDPOINT + timedelta(hours=12), timedelta(hours=6)
        )
        assert len(sent(runtime.sessions, "digest")) == 1
        web = WebApp(bolt_app, runtime).test_client()
        while_open = {
            reader: everything_seen_by(slack, standin, reader) for reader in SURVEY_READERS
        }
        while_open[COORD] += dashboard_seen_by(slack, web)
        for reader, seen in while_open.items():
            assert not [marker for marker in COMMENTS if marker in seen], reader
            assert not AVERAGE.search(seen), (reader, AVERAGE.search(seen))

        # Closed a week after it opened (and Monday's digest went out again).
        run_until(
            runtime, clock, moment, MIDPOINT + timedelta(days=7, hours=12), timedelta(hours=6)
        )
        assert len(sent(runtime.sessions, "digest")) == 2
        closed = {reader: everything_seen_by(slack, standin, reader) for reader in SURVEY_READERS}
        assert AVERAGE.search(dashboard_seen_by(slack, web))  # the closed round, on the web too
        report = mentoring(slack, "feedback")
        assert "trust *3.5*" in report and "from 4 mentees" in report
        assert "Trust *3.7*" in json.dumps(standin.home_view(ANA))  # Ben, Dan and Eve

        answer(OUTSIDER, OUTSIDER, "1", "FEEDBACK-OLLY-LATE", "anytime")
        later = {reader: everything_seen_by(slack, standin, reader) for reader in SURVEY_READERS}
        assert mentoring(slack, "feedback") == report
    for seen in (closed, later):
        for marker, readers in COMMENTS.items():
            for reader in SURVEY_READERS:
                assert (marker in seen[reader]) == (reader in readers), (marker, reader)
        for reader in SURVEY_READERS:
            assert bool(AVERAGE.search(seen[reader])) == (reader in (COORD, ANA)), reader
    digest = sent(runtime.sessions, "digest")[-1].text
    assert "(4 mentees)" in digest and "FEEDBACK" not in digest


# A mentee's requests to mentors, and a mentor's kind note, and who reads each in Slack
# (the mentee reads their own words in their export; a first goal becomes the pair's goal).
REQUEST_WORDS = {
    "REQUEST-TO-CAT": {CAT},
    "REQUEST-TO-DAN": {BEN, DAN},
    "NOTE-FROM-CAT": {BEN},  # to the mentee; Cat has it in her own export
}
REQUEST_READERS = (BEN, CAT, DAN, ANA, EVE, COORD)


def test_a_request_is_read_by_the_mentee_and_that_mentor_only(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True) as clock:
        create_spring(slack, "starts 2027-03-01 weeks 12 self-serve open")
        profile(slack, BEN, "mentee", "search")
        profile(slack, EVE, "mentee", "search")
        for mentor in (CAT, DAN, ANA):
            profile(slack, mentor, "mentor", "search", **OPEN)
        ask(slack, standin, runtime, CAT, why="REQUEST-TO-CAT why", hope="REQUEST-TO-CAT hope")
        ask(slack, standin, runtime, DAN, why="REQUEST-TO-DAN", first_goal="REQUEST-TO-DAN goal")
        run_until(runtime, clock, START, START + timedelta(hours=1), timedelta(minutes=30))
        press(slack, standin, CAT, "mentor_request_decline", dm(standin, CAT))
        slack.view_submission(CAT, "mentor_request_decline", form(note="NOTE-FROM-CAT"), "1")
        press(slack, standin, DAN, "mentor_request_accept", dm(standin, DAN))
        run_until(runtime, clock, START, START + timedelta(days=2), timedelta(hours=1))
        seen = {reader: everything_seen_by(slack, standin, reader) for reader in REQUEST_READERS}
        with runtime.sessions() as session:
            exported = {
                reader: json.dumps(
                    export(session, team_id=slack.team_id, user_id=reader, now=START)
                )
                for reader in REQUEST_READERS
            }
    for marker, readers in REQUEST_WORDS.items():
        for reader in REQUEST_READERS:
            assert (marker in seen[reader]) == (reader in readers), (marker, reader)
    # The export holds one's own words: the mentee's requests, the mentor's own note.
    assert "REQUEST-TO-CAT hope" in exported[BEN] and "NOTE-FROM-CAT" in exported[CAT]
    assert "REQUEST-TO-CAT" not in exported[CAT]
    for reader in (DAN, ANA, EVE, COORD):
        assert "REQUEST-TO-CAT" not in exported[reader] and "NOTE-FROM-CAT" not in exported[reader]
