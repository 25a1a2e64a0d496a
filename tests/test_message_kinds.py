"""Outbox rows carry typed columns beside their keys: every kind's constructor in
`message_kinds` keeps the key its producer always made and sets what the row is about."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Flag, auto

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot import message_kinds
from mentorbot.bot.message_kinds import Kind, MessageKey
from mentorbot.bot.models import (
    Announcement,
    Cohort,
    Concern,
    Goal,
    MentorRequest,
    Milestone,
    OutboundMessage,
    Pair,
)
from mentorbot.bot.outbox import Outgoing, enqueue_many
from tests.factories import TEAM

NOW = datetime(2027, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
MEETING = datetime(2027, 3, 9, 10, 0, tzinfo=UTC)
MENTOR, MENTEE, COORD = "U0MENTOR", "U0MENTEE", "U0COORD"


@dataclass(frozen=True)
class World:
    """What messages are about, with fixed ids (the outbox refers to them by id only)."""

    cohort: Cohort
    pair: Pair
    concern: Concern
    announcement: Announcement
    goal: Goal
    milestone: Milestone
    request: MentorRequest

    @classmethod
    def make(cls) -> World:
        return cls(
            cohort=Cohort(id=3, team_id=TEAM),
            pair=Pair(
                id=7,
                team_id=TEAM,
                cohort_id=3,
                mentor_id=MENTOR,
                mentee_id=MENTEE,
                quiet_since=datetime(2027, 3, 1, 12, 0, tzinfo=UTC),
            ),
            concern=Concern(id=11, team_id=TEAM, pair_id=7, raised_by=MENTEE),
            announcement=Announcement(id=13, team_id=TEAM, cohort_id=3),
            goal=Goal(id=17, team_id=TEAM, pair_id=7),
            milestone=Milestone(id=19, team_id=TEAM, pair_id=7),
            request=MentorRequest(
                id=23, team_id=TEAM, cohort_id=3, mentor_id=MENTOR, mentee_id=MENTEE
            ),
        )


class About(Flag):
    """What a row is about, besides its kind."""

    NOTHING = 0
    PAIR = auto()  # pair_id, and cohort_id from the pair
    COHORT = auto()  # cohort_id, without a pair
    CONCERN = auto()
    WORDS = auto()  # quotes_words


PAIR, COHORT, CONCERN, WORDS = About.PAIR, About.COHORT, About.CONCERN, About.WORDS


@dataclass(frozen=True)
class Case:
    """A constructor, the key its producer has always made (its first part is the kind), what
    the row is about, and whose words it quotes."""

    make: Callable[[World], MessageKey]
    key: str
    about: About = About.NOTHING
    whose: str | None = None

    def expected(self, world: World) -> tuple[object, ...]:
        return (
            self.key,
            Kind(self.key.split(":")[0]),
            world.pair.id if PAIR in self.about else None,
            world.cohort.id if self.about & (PAIR | COHORT) else None,
            world.concern.id if CONCERN in self.about else None,
            self.whose,
            WORDS in self.about,
        )


M = message_kinds
CASES = {
    "agreement": Case(lambda w: M.agreement(w.pair, 2), "agreement:pair7:v2", PAIR | WORDS),
    "alumni": Case(lambda w: M.alumni(w.pair, MENTEE, 3), "alumni:pair7:U0MENTEE:3", PAIR),
    "celebration": Case(
        lambda w: M.celebration(w.pair, w.milestone), "celebrate:pair7:m19", PAIR | WORDS, MENTEE
    ),
    "closing": Case(lambda w: M.closing(w.pair, MENTOR), "closing:pair7:U0MENTOR", PAIR),
    "farewell": Case(lambda w: M.farewell(w.pair), "farewell:pair7", PAIR),
    "followup": Case(
        lambda w: M.followup(w.pair, MEETING), "followup:pair7:2027-03-09T10:00", PAIR
    ),
    "goal_due": Case(
        lambda w: M.goal_due(w.pair, w.goal), "goaldue:pair7:goal17", PAIR | WORDS, MENTEE
    ),
    "gratitude": Case(
        lambda w: M.gratitude(w.pair, MENTOR), "gratitude:pair7:U0MENTOR", PAIR | WORDS, MENTOR
    ),
    "kickoff": Case(lambda w: M.kickoff(w.pair), "kickoff:pair7", PAIR),
    "moved": Case(lambda w: M.moved(w.pair, MEETING), "moved:pair7:2027-03-09T10:00", PAIR),
    "nudge": Case(lambda w: M.nudge(w.pair), "nudge:pair7:20270301T1200", PAIR),
    "coordinator_nudge": Case(
        lambda w: M.coordinator_nudge(w.pair, date(2027, 3, 2)), "nudge:pair7:asked20270302", PAIR
    ),
    "paused": Case(lambda w: M.paused(w.pair, MEETING), "paused:pair7:20270309T1000", PAIR),
    "prep": Case(lambda w: M.prep(w.pair, MEETING), "prep:pair7:2027-03-09T10:00", PAIR),
    "prompt": Case(
        lambda w: M.prompt(w.pair, MEETING), "prompt:pair7:2027-03-09T10:00", PAIR | WORDS, MENTEE
    ),
    "resumed": Case(lambda w: M.resumed(w.pair, NOW), "resumed:pair7:20270301T1200", PAIR),
    "survey": Case(
        lambda w: M.survey(w.pair, "midpoint", MENTEE), "survey:pair7:midpoint:U0MENTEE", PAIR
    ),
    "win_share": Case(
        lambda w: M.win_share(w.pair, w.milestone), "winshare:pair7:m19", PAIR | WORDS, MENTEE
    ),
    "announcement": Case(
        lambda w: M.announcement(w.announcement), "announcement:13", COHORT | WORDS
    ),
    "announcement_refused": Case(
        lambda w: M.announcement_refused(w.announcement), "announcement:13:refused", WORDS
    ),
    "phase_soon": Case(
        lambda w: M.phase_soon(w.cohort, "midpoint", COORD),
        "phasesoon:cohort3:midpoint:U0COORD",
        COHORT,
    ),
    "concern": Case(
        lambda w: M.concern(w.concern, COORD), "concern:11:U0COORD", CONCERN | WORDS, MENTEE
    ),
    "concern_handled": Case(
        lambda w: M.concern_handled(w.concern), "concernhandled:11", CONCERN | WORDS, MENTEE
    ),
    "mentor_request": Case(
        lambda w: M.mentor_request(w.request), "mentorrequest:req23", COHORT | WORDS, MENTEE
    ),
    "request_declined": Case(
        lambda w: M.request_answer(w.request, "declined", MENTEE),
        "requestanswer:req23:declined:U0MENTEE",
        COHORT | WORDS,
        MENTOR,
    ),
    "request_expired": Case(
        lambda w: M.request_answer(w.request, "expired", MENTOR),
        "requestanswer:req23:expired:U0MENTOR",
        COHORT | WORDS,
    ),
    "request_confirm": Case(
        lambda w: M.request_confirm(w.request, COORD), "requestconfirm:req23:U0COORD", COHORT
    ),
    "coordinator_added": Case(
        lambda w: M.coordinator_added(COORD, NOW), "coordinator:U0COORD:20270301T120000.123456"
    ),
    "digest": Case(lambda w: M.digest(COORD, "2027-W10"), "digest:U0COORD:2027-W10"),
    "escalations": Case(
        lambda w: M.escalations(COORD, date(2027, 3, 2)), "escalations:U0COORD:2027-03-02"
    ),
    "installed": Case(
        lambda w: M.installed(COORD, NOW), "installed:U0COORD:20270301T120000.123456"
    ),
}


def stored(session: Session, key: str) -> tuple[object, ...]:
    """A row's key and typed columns, as the database holds them."""
    return tuple(
        session.execute(
            select(
                OutboundMessage.dedupe_key,
                OutboundMessage.kind,
                OutboundMessage.pair_id,
                OutboundMessage.cohort_id,
                OutboundMessage.concern_id,
                OutboundMessage.about_user_id,
                OutboundMessage.quotes_words,
            ).where(OutboundMessage.team_id == TEAM, OutboundMessage.dedupe_key == key)
        ).one()
    )


def test_every_kind_but_the_retired_one_has_a_constructor() -> None:
    kinds = {case.make(World.make()).kind for case in CASES.values()}
    assert kinds == set(Kind) - {Kind.ESCALATE}
    assert len({case.key for case in CASES.values()}) == len(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_kind_keeps_its_key_and_stores_what_it_is_about(session: Session, name: str) -> None:
    case, world = CASES[name], World.make()
    key = case.make(world)
    assert enqueue_many(session, [Outgoing(TEAM, key, "user", COORD, {"text": "hi"}, NOW)], now=NOW)
    assert stored(session, case.key) == case.expected(world)
    # The same key again is still a no-op, whichever way it comes.
    assert enqueue_many(session, [Outgoing(TEAM, case.key, "user", COORD, {}, NOW)], now=NOW) == 0


def test_a_key_made_elsewhere_stores_no_columns(session: Session) -> None:
    enqueue_many(session, [Outgoing(TEAM, "moved:pair7:x", "user", COORD, {}, NOW)], now=NOW)
    assert stored(session, "moved:pair7:x") == (
        "moved:pair7:x",
        None,
        None,
        None,
        None,
        None,
        False,
    )
