"""Deleting a person's data: their words out, their id replaced, their live pairs ended."""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, update
from sqlalchemy import delete as delete_rows
from sqlalchemy.orm import Session

from mentorbot.bot import message_kinds
from mentorbot.bot.delivery.conversations import forget_person
from mentorbot.bot.models import (
    CheckIn,
    Cohort,
    Concern,
    Feedback,
    Goal,
    Milestone,
    Pair,
    Profile,
    Reflection,
)
from mentorbot.bot.outbox import Outgoing, enqueue_many
from mentorbot.bot.rendering import render_json, render_text
from mentorbot.bot.services.calendar_feeds import forget_feed
from mentorbot.bot.services.cohorts import LIVE_PAIR
from mentorbot.bot.services.dashboard_sessions import forget_sessions
from mentorbot.bot.services.languages import speaking_to, speaking_to_all
from mentorbot.bot.services.members import get_or_create_member
from mentorbot.bot.services.mentor_requests import forget_requests
from mentorbot.bot.services.own_data.holdings import Holdings, holdings
from mentorbot.bot.services.own_data.messages import _withdraw_messages
from mentorbot.bot.services.own_data.pairs_of import _cohort_names, _pairs_of
from mentorbot.bot.services.own_data.placeholder import _replace_id
from mentorbot.bot.services.own_data.words import empty_agreement, erase_goals_and_wins
from mentorbot.bot.services.pairs import end_pairs, pairs_of_person

# What replaces a person's Slack id: never a Slack id (those have no hyphen), fits String(32).
PLACEHOLDER_PREFIX = "ERASED-"
# The farewell reason end_pairs is given; the other person gets a neutral note instead.
LEFT = "left"


@dataclass(frozen=True)
class DeletionSummary:
    """What a deletion took out: the person's holdings before, and the messages withdrawn or
    emptied."""

    holdings: Holdings
    messages: int
    deleted_at: datetime


def delete(session: Session, *, team_id: str, user_id: str, now: datetime) -> DeletionSummary:
    """Delete the person's content and put a placeholder in place of their id, in one go.

    Their live pairs end (the other person gets a neutral note); messages still queued to
    them are withdrawn, and those sent keep no words. Check-in, goal, feedback and
    reflection rows stay, without words, so cohorts' counts still add up. Ratings and
    feedback scores stay too: they are numbers that feed anonymous cohort figures and, once
    the id is gone, point at nobody.
    """
    before = holdings(session, team_id=team_id, user_id=user_id)
    placeholder = PLACEHOLDER_PREFIX + secrets.token_hex(4)
    pairs = _pairs_of(session, team_id, user_id)
    ended = _end_live_pairs(session, pairs, now=now)
    forget_requests(session, team_id=team_id, user_id=user_id, now=now)  # made or received
    _remove_words(session, team_id=team_id, user_id=user_id, pairs=pairs)
    messages = _withdraw_messages(session, team_id=team_id, user_id=user_id)
    forget_person(session, team_id=team_id, user_id=user_id)  # their DMs' channels
    forget_feed(session, team_id=team_id, user_id=user_id)  # their calendar link stops
    forget_sessions(session, team_id=team_id, user_id=user_id)  # signed out of the dashboard
    _tell_the_others(session, ended, user_id=user_id, now=now)
    member = get_or_create_member(session, team_id=team_id, user_id=user_id, now=now)
    session.flush()
    _replace_id(session, team_id=team_id, user_id=user_id, by=placeholder, keep=member.id)
    member.name = member.tz = member.workdays = member.holiday_calendar = None
    member.slack_locale = member.language = None
    member.working_hours_start = member.working_hours_end = None
    member.is_coordinator = False
    member.away_since = member.away_until = None
    member.away_waived = False
    member.mentor_capacity = None
    member.profile_refreshed_at = None
    member.data_deleted_at = now
    session.flush()
    session.expire_all()  # rows changed above through Core statements
    return DeletionSummary(holdings=before, messages=messages, deleted_at=now)


def _end_live_pairs(session: Session, pairs: list[Pair], *, now: datetime) -> list[Pair]:
    """End the live pairs through the usual path, cohort by cohort; returns them."""
    live: dict[int, list[Pair]] = defaultdict(list)
    for pair in pairs:
        if pair.status in LIVE_PAIR:
            live[pair.cohort_id].append(pair)
    for cohort_id, ending in live.items():
        cohort = session.get(Cohort, cohort_id)
        assert cohort is not None
        end_pairs(session, pairs=ending, cohort=cohort, reason=LEFT, now=now)
    return [pair for ending in live.values() for pair in ending]


def _remove_words(session: Session, *, team_id: str, user_id: str, pairs: list[Pair]) -> None:
    """Take the person's words out of every row that keeps them; the rows stay."""
    mine = [p.id for p in pairs if p.mentee_id == user_id]
    session.execute(
        update(CheckIn)
        .where(CheckIn.team_id == team_id, CheckIn.author_id == user_id)
        # The rating goes too: a pair's average would otherwise still be this person's.
        .values(rating=None, went_well=None, blockers=None, next_steps=None)
    )
    erase_goals_and_wins(
        session,
        goals=and_(Goal.team_id == team_id, Goal.pair_id.in_(mine)),
        milestones=and_(Milestone.team_id == team_id, Milestone.pair_id.in_(mine)),
    )
    session.execute(
        update(Feedback)
        .where(Feedback.team_id == team_id, Feedback.author_id == user_id)
        .values(trust=None, communication=None, usefulness=None, comment=None)
    )
    with speaking_to_all():
        removed = render_text("own_data/removed.md.j2", what="concern")
    session.execute(
        update(Concern)
        .where(Concern.team_id == team_id, Concern.raised_by == user_id)
        .values(text=removed, reply=None)
    )
    session.execute(
        update(Reflection)
        .where(Reflection.team_id == team_id, Reflection.user_id == user_id)
        .values(gratitude=None, keep_in_touch=False, alumni_at=None)
    )
    session.execute(
        delete_rows(Profile).where(Profile.team_id == team_id, Profile.user_id == user_id)
    )
    for pair in pairs:
        empty_agreement(pair)


def _tell_the_others(session: Session, ended: list[Pair], *, user_id: str, now: datetime) -> None:
    """The other person of each ended pair hears that it ended, in neutral words, and which
    of their pairs it was.

    The person whose data goes is never named: the note is stored like every message, and
    their id is what the deletion takes out of everything stored. The pair is told apart by
    what stays: its cohort, the other person's role in it, the day it began, and (for someone
    in several pairs) the pairs that go on, named.

    end_pairs queued its farewell to the pair's group DM, which includes the person whose
    data goes; `_withdraw_messages` took it back, so the key is free for this one.
    """
    if not ended:
        return
    team_id = ended[0].team_id
    others = {pair.mentor_id if pair.mentee_id == user_id else pair.mentee_id for pair in ended}
    going_on = {
        other: pairs_of_person(session, team_id=team_id, user_id=other, status=LIVE_PAIR)
        for other in others
    }
    cohort_ids = {pair.cohort_id for pair in ended} | {
        pair.cohort_id for pairs in going_on.values() for pair in pairs
    }
    cohorts = _cohort_names(session, team_id, cohort_ids)
    outgoing = []
    for pair in ended:
        other = pair.mentor_id if pair.mentee_id == user_id else pair.mentee_id
        with speaking_to(session, team_id=team_id, user_id=other):
            payload = render_json(
                "own_data/pair_ended.json.j2",
                cohort=cohorts[pair.cohort_id],
                as_mentor=pair.mentor_id == other,
                began=pair.created_at,
                going_on=[
                    (p.mentee_id if p.mentor_id == other else p.mentor_id, cohorts[p.cohort_id])
                    for p in going_on[other]
                ],
            )
        farewell = message_kinds.farewell(pair)
        outgoing.append(Outgoing(team_id, farewell, "user", other, payload, now))
    enqueue_many(session, outgoing, now=now)
