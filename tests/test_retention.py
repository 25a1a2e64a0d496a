"""Retention (MENTORBOT_RETENTION_DAYS): the words people wrote go that many days after their
pair or cohort ended, in small batches of the tick; the anonymous counts stay, and nothing
else changes."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.app import create_app
from mentorbot.bot.db import unit_of_work
from mentorbot.bot.migrate import upgrade
from mentorbot.bot.models import (
    Announcement,
    CheckIn,
    Cohort,
    Concern,
    Feedback,
    Goal,
    Member,
    MentorRequest,
    OutboundMessage,
    Pair,
    Reflection,
)
from mentorbot.bot.services.cohorts import create_cohort
from mentorbot.bot.services.pairs import Planned, create_pairs, end_pairs
from mentorbot.bot.services.retention import forget_old_words
from mentorbot.bot.settings import Settings
from mentorbot.bot.timeutil import utcnow
from mentorbot.runtime import Runtime, build_runtime, identify, record_workspace
from mentorbot.standin import InProcess, SignedSlackClient, SlackStandin
from mentorbot.web import WebApp
from tests.conftest import SIGNING_SECRET, settings_for
from tests.factories import TEAM
from tests.programme import ANA, BEN, COORD, DAN
from tests.rhythm import run_until
from tests.test_own_data import (
    ANA_CHECKIN,
    ANA_CONCERN,
    BENS,
    DAN_CHECKIN,
    START,
    a_programme,
    checkins_per_cohort,
    texts_stored,
)

pytestmark = pytest.mark.usefixtures("people")

DAYS = 30
THANKS = "BENTHANKS for every Thursday"


@pytest.fixture
def settings(standin: SlackStandin, database_url: str) -> Settings:
    return settings_for(standin, database_url, MENTORBOT_RETENTION_DAYS=str(DAYS))


@pytest.fixture
def clock() -> Any:
    with freeze_time(START, tick=True) as frozen:
        yield frozen


def stored(sessions: sessionmaker[Session]) -> str:
    return json.dumps(texts_stored(sessions))


def counts(sessions: sessionmaker[Session]) -> dict[str, Any]:
    """The anonymous figures that must survive: rows per table, ratings, scores, goals."""
    with sessions() as session:
        return {
            "checkins": checkins_per_cohort(sessions),
            "ratings": sorted(session.scalars(select(CheckIn.rating).where(CheckIn.rating > 0))),
            "scores": sorted(
                tuple(row)
                for row in session.execute(
                    select(Feedback.trust, Feedback.communication, Feedback.usefulness)
                )
            ),
            "goals": sorted(session.scalars(select(Goal.status))),
            "concerns": session.scalar(select(func.count()).select_from(Concern)),
        }


def test_a_pairs_words_go_thirty_days_after_it_ended_and_nothing_else_does(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin, clock: Any
) -> None:
    a_programme(slack, standin, runtime, clock)
    with unit_of_work(runtime.sessions) as session:
        pair = session.scalars(select(Pair).where(Pair.mentee_id == BEN)).one()
        session.add(Reflection(team_id=TEAM, pair_id=pair.id, user_id=BEN, gratitude=THANKS))
        cohort = session.get(Cohort, pair.cohort_id)
        assert cohort is not None
        ended = datetime.now(UTC)
        end_pairs(session, pairs=[pair], cohort=cohort, reason="done", now=ended)
    ana_and_ben = (*BENS, ANA_CHECKIN, ANA_CONCERN, THANKS)
    assert all(words in stored(runtime.sessions) for words in ana_and_ben)

    moment = run_until(runtime, clock, ended, ended + timedelta(days=DAYS - 1), timedelta(hours=6))
    assert all(words in stored(runtime.sessions) for words in ana_and_ben)
    before = counts(runtime.sessions)

    run_until(runtime, clock, moment, ended + timedelta(days=DAYS, hours=1), timedelta(hours=6))

    left = stored(runtime.sessions)
    assert [words for words in ana_and_ben if words in left] == []
    assert DAN_CHECKIN in left  # Cat and Dan's pair goes on: its words stay
    assert counts(runtime.sessions) == before  # every count and rating is still there
    with runtime.sessions() as session:
        pair = session.scalars(select(Pair).where(Pair.mentee_id == BEN)).one()
        assert pair.words_deleted_at is not None
        assert (pair.mentor_id, pair.mentee_id) == (ANA, BEN)  # not a deletion of the people
        other = session.scalars(select(Pair).where(Pair.mentee_id == DAN)).one()
        assert other.words_deleted_at is None
        concern = session.scalars(select(Concern).where(Concern.raised_by == ANA)).one()
        assert concern.text == "(the words of this concern were deleted)"
        copies = session.scalars(
            select(OutboundMessage).where(
                OutboundMessage.pair_id == pair.id, OutboundMessage.quotes_words
            )
        ).all()
        # The messages stay, for the delivery figures, without their words.
        assert copies and all(copy.payload == {} for copy in copies)
        assert {copy.status for copy in copies} <= {"sent", "cancelled", "expired", "failed"}


def test_retention_off_keeps_every_word(sessions: sessionmaker[Session]) -> None:
    ended_at = datetime(2027, 1, 1, tzinfo=UTC)
    pair_id = _ended_pair_with_words(sessions, ended_at)
    with unit_of_work(sessions) as session:
        done = forget_old_words(session, now=ended_at + timedelta(days=3650), days=None)
    assert not done
    with sessions() as session:
        assert session.scalars(select(CheckIn.went_well).where(CheckIn.pair_id == pair_id)).all()
        assert session.get(Pair, pair_id).words_deleted_at is None  # type: ignore[union-attr]


def test_a_cohorts_requests_and_announcements_go_after_it_ended_in_batches(
    sessions: sessionmaker[Session],
) -> None:
    ended_at = datetime(2027, 1, 1, tzinfo=UTC)
    first = _ended_pair_with_words(sessions, ended_at, mentee="U0MENTEE1", cohort="One")
    second = _ended_pair_with_words(sessions, ended_at, mentee="U0MENTEE2", cohort="Two")
    running = _ended_pair_with_words(sessions, None, mentee="U0MENTEE3", cohort="Three")
    with unit_of_work(sessions) as session:
        for pair_id in (first, second, running):
            pair = session.get(Pair, pair_id)
            assert pair is not None
            session.add_all(
                [
                    MentorRequest(
                        team_id=TEAM,
                        cohort_id=pair.cohort_id,
                        mentee_id="U0ASKER",
                        mentor_id="U0MENTOR",
                        why=f"REQWHY{pair_id}",
                        hope="REQHOPE",
                        first_goal="REQGOAL",
                        status="declined",
                        note="REQNOTE",
                        expires_at=ended_at,
                    ),
                    Announcement(
                        team_id=TEAM,
                        cohort_id=pair.cohort_id,
                        channel_id="C0COHORT",
                        text=f"ANNOUNCE{pair_id}",
                        send_at=ended_at,
                        created_by="U0COORD",
                    ),
                ]
            )
    too_soon = ended_at + timedelta(days=DAYS) - timedelta(minutes=1)
    with unit_of_work(sessions) as session:
        assert not forget_old_words(session, now=too_soon, days=DAYS)
    due = ended_at + timedelta(days=DAYS, minutes=1)
    with unit_of_work(sessions) as session:
        one = forget_old_words(session, now=due, days=DAYS, batch=1)
    with unit_of_work(sessions) as session:
        two = forget_old_words(session, now=due, days=DAYS, batch=1)
    with unit_of_work(sessions) as session:
        three = forget_old_words(session, now=due, days=DAYS, batch=1)
    assert [(p.pairs, p.cohorts) for p in (one, two, three)] == [(1, 1), (1, 1), (0, 0)]

    left = stored(sessions)
    for pair_id in (first, second):
        assert f"REQWHY{pair_id}" not in left and f"ANNOUNCE{pair_id}" not in left
        assert f"WENTWELL{pair_id}" not in left
    assert f"REQWHY{running}" in left and f"ANNOUNCE{running}" in left
    assert f"WENTWELL{running}" in left
    with sessions() as session:
        statuses = sorted(session.scalars(select(MentorRequest.status)))
        ratings = sorted(session.scalars(select(CheckIn.rating)))
    assert statuses == ["declined"] * 3  # the requests' outcomes still count
    assert ratings == [4, 4, 4]


def _ended_pair_with_words(
    sessions: sessionmaker[Session],
    ended_at: datetime | None,
    *,
    mentee: str = "U0MENTEE",
    cohort: str = "Spring",
) -> int:
    """A pair in a cohort of its own with a check-in's words and a rating; ended (and its
    cohort) at `ended_at`, or still running when None."""
    start = datetime(2026, 10, 1, tzinfo=UTC)
    with unit_of_work(sessions) as session:
        made = create_cohort(
            session,
            team_id=TEAM,
            name=cohort,
            channel_id="C0COHORT",
            starts_on=start.date(),
            weeks=12,
            cadence="biweekly",
            created_by="U0COORD",
            now=start,
        )
        session.add(Member(team_id=TEAM, user_id=mentee, name=mentee.lower()))
        if session.scalar(select(Member).where(Member.user_id == "U0MENTOR")) is None:
            session.add(Member(team_id=TEAM, user_id="U0MENTOR", name="mentor"))
        [pair] = create_pairs(
            session, cohort=made, planned=[Planned("U0MENTOR", mentee)], now=start, kickoff=False
        )
        session.add(
            CheckIn(
                team_id=TEAM,
                pair_id=pair.id,
                author_id=mentee,
                rating=4,
                went_well=f"WENTWELL{pair.id}",
                created_at=start,
            )
        )
        if ended_at is not None:
            pair.status, pair.ended_at = "ended", ended_at
            made.phase, made.phase_changed_at = "ended", ended_at
        session.flush()
        return pair.id


def test_a_concern_about_no_pair_goes_thirty_days_after_it_was_handled(
    sessions: sessionmaker[Session],
) -> None:
    handled = datetime(2027, 2, 1, tzinfo=UTC)
    with unit_of_work(sessions) as session:
        for text, at in (("OLDCONCERN", handled), ("NEWCONCERN", handled + timedelta(days=2))):
            session.add(
                Concern(
                    team_id=TEAM,
                    raised_by="U0MENTEE",
                    text=text,
                    status="handled",
                    handled_at=at,
                    reply=f"{text}-REPLY",
                )
            )
    with unit_of_work(sessions) as session:
        done = forget_old_words(session, now=handled + timedelta(days=DAYS, hours=1), days=DAYS)
    assert done.concerns == 1
    left = stored(sessions)
    assert "OLDCONCERN" not in left and "NEWCONCERN" in left and "NEWCONCERN-REPLY" in left


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({"MENTORBOT_RETENTION_DAYS": "30"}, "are deleted 30 days after their pair or cohort ends"),
        ({}, "no period is set, so the words people write are kept until they delete"),
    ],
)
def test_status_and_the_dashboard_state_the_policy(
    standin: SlackStandin, database_url: str, env: dict[str, str], said: str
) -> None:
    settings = settings_for(
        standin, database_url, MENTORBOT_PUBLIC_URL="https://mentorbot.example.com", **env
    )
    runtime = build_runtime(settings)
    try:
        upgrade(runtime.engine)
        record_workspace(runtime, identify(runtime), utcnow())
        app = create_app(runtime)
        slack = SignedSlackClient(
            InProcess(app), SIGNING_SECRET, standin=standin, team_id=TEAM, settle=runtime.settle
        )
        status = slack.command("/mentoring", "status", user_id=COORD).json()["text"]
        assert said in status
        reply = slack.command("/mentoring", "dashboard", user_id=COORD).json()["text"]
        link = re.search(r"https://mentorbot\.example\.com(/dashboard/sign-in/[\w-]+)", reply)
        assert link, reply
        with WebApp(app, runtime).test_client() as web:
            assert web.post(link.group(1)).status_code == 303
            page = web.get("/dashboard").get_data(as_text=True)
        assert said in page
    finally:
        runtime.close()
