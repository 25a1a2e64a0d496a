"""People's own data: everything stored about a person, to hand them (`/checkin my-data`) or to
delete (`/checkin delete-my-data`), leaving only anonymous counts.

Deleting keeps the rows that programme counts are made of (a check-in happened, a goal was
set) but takes out the person's words and puts one anonymous placeholder in place of their
Slack id everywhere. Their member row stays, emptied, with `data_deleted_at`: the record that
the deletion happened, and how an old "Delete my data" button knows it was done already.
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, String, Text, cast, func, literal, or_, select, update
from sqlalchemy import delete as delete_rows
from sqlalchemy.orm import Session

from mentorbot.bot.models import (
    Announcement,
    Base,
    CheckIn,
    Cohort,
    Concern,
    Feedback,
    Goal,
    MatchProposal,
    Member,
    Milestone,
    OutboundMessage,
    Pair,
    Profile,
    Reflection,
)
from mentorbot.bot.outbox import Outgoing, enqueue_many
from mentorbot.bot.rendering import render_json, render_text
from mentorbot.bot.services.cohorts import LIVE_PAIR
from mentorbot.bot.services.members import get_or_create_member
from mentorbot.bot.services.pairs import end_pairs, pairs_of_person

FORMAT = "mentorbot-my-data"
FORMAT_VERSION = 1
# What replaces a person's Slack id: never a Slack id (those have no hyphen), fits String(32).
PLACEHOLDER_PREFIX = "ERASED-"
# The farewell reason end_pairs is given; the other person gets a neutral note instead.
LEFT = "left"
# Tables that hold the operator's configuration, not people's data (MENTORBOT_COORDINATORS is
# recorded with the workspace and rewritten at every start).
CONFIGURATION = ("workspace",)
_AGREEMENT_WORDS = ("expectations", "boundaries", "first_goal")
# The member and profile columns an export holds.
MEMBER = (
    "name tz working_hours_start working_hours_end workdays is_coordinator mentor_capacity"
    " created_at profile_refreshed_at data_deleted_at"
)
PROFILE = "role cohort_id areas goals created_at updated_at"


@dataclass(frozen=True)
class Holdings:
    """What is stored about a person that deleting would take out or end."""

    check_ins: int
    goals: int
    wins: int
    feedback: int
    concerns: int
    reflections: int
    live_pairs: int
    profile: bool


@dataclass(frozen=True)
class DeletionSummary:
    """What a deletion took out: the person's holdings before, and the messages withdrawn or
    emptied."""

    holdings: Holdings
    messages: int
    deleted_at: datetime


# -- export ------------------------------------------------------------------------------------


def export(session: Session, *, team_id: str, user_id: str, now: datetime) -> dict[str, Any]:
    """Everything stored about the person, as JSON-ready data (their own words included).

    Others' words about them are not in it: a concern someone raised about them is that
    person's, and a mentee's check-ins are the mentee's even when shared with their mentor.
    """
    pairs = _pairs_of(session, team_id, user_id)
    cohorts = _cohort_names(session, team_id, {p.cohort_id for p in pairs})
    mine = [p.id for p in pairs if p.mentee_id == user_id]

    def rows(model: Any, where: Any, columns: str) -> list[dict[str, Any]]:
        """The workspace's rows of `model` matching `where`, oldest first, as dicts."""
        query = select(model).where(model.team_id == team_id, where).order_by(model.id)
        return _rows(session, query, columns)

    member = next(iter(rows(Member, Member.user_id == user_id, MEMBER)), None)
    profile = next(iter(rows(Profile, Profile.user_id == user_id, PROFILE)), None)
    if profile is not None:
        profile["cohort"] = cohorts.get(profile.pop("cohort_id"))
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "exported_at": _iso(now),
        "workspace": team_id,
        "user_id": user_id,
        "notes": render_text("own_data/notes.md.j2").splitlines(),
        "member": member,
        "profile": profile,
        "pairs": [_pair_data(pair, user_id, cohorts) for pair in pairs],
        "check_ins": rows(
            CheckIn,
            CheckIn.author_id == user_id,
            "id pair_id created_at rating went_well blockers next_steps goal_id"
            " shared_with_mentor source",
        ),
        "goals": [
            {**row, "created_by": "you" if row["created_by"] == user_id else "other"}
            for row in rows(
                Goal,
                or_(Goal.pair_id.in_(mine), Goal.created_by == user_id),
                "id pair_id title measure due_on status created_by created_at completed_at"
                " reminded_at",
            )
        ],
        # A win in a pair where they mentor is the mentee's: its words stay out.
        "milestones": [
            {**row, "detail": row["detail"] if row["pair_id"] in mine else None}
            for row in rows(
                Milestone,
                Milestone.pair_id.in_([p.id for p in pairs]),
                "id pair_id kind detail created_at celebrated_at shared_at",
            )
        ],
        "feedback_given": rows(
            Feedback,
            Feedback.author_id == user_id,
            "id pair_id author_role phase trust communication usefulness comment created_at",
        ),
        "concerns_raised": rows(
            Concern,
            Concern.raised_by == user_id,
            "id pair_id text status created_at handled_at resolution reply",
        ),
        # As a coordinator: which concerns they handled and their own reply, not the concern.
        "concerns_handled": rows(
            Concern, Concern.handled_by == user_id, "id handled_at resolution reply"
        ),
        "reflections": rows(
            Reflection,
            Reflection.user_id == user_id,
            "id pair_id goals_done goals_in_progress goals_dropped gratitude keep_in_touch"
            " alumni_at alumni_sent created_at",
        ),
        "announcements_created": rows(
            Announcement,
            Announcement.created_by == user_id,
            "id cohort_id channel_id text send_at sent_at cancelled_at created_at",
        ),
        "cohorts_created": rows(Cohort, Cohort.created_by == user_id, "id name created_at"),
        "match_proposals_created": rows(
            MatchProposal,
            MatchProposal.created_by == user_id,
            "id cohort_id status created_at decided_at",
        ),
        "messages_to_you": [
            {
                "id": row.id,
                "kind": row.dedupe_key.split(":", 1)[0],
                "to": "group" if row.target_kind == "group" else "you",
                "status": row.status,
                "not_before": _iso(row.not_before),
                "created_at": _iso(row.created_at),
                "sent_at": _iso(row.sent_at),
                "text": (row.payload or {}).get("text"),
            }
            for row in _messages_to(session, team_id, user_id)
        ],
    }


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _rows(session: Session, query: Any, columns: str) -> list[dict[str, Any]]:
    """The query's rows as dicts of these (space-separated) columns, dates as ISO text."""
    return [
        {name: _json_value(getattr(row, name)) for name in columns.split()}
        for row in session.scalars(query)
    ]


def _pair_data(pair: Pair, user_id: str, cohorts: dict[int, str]) -> dict[str, Any]:
    mentee = pair.mentee_id == user_id
    return {
        "id": pair.id,
        "cohort": cohorts.get(pair.cohort_id),
        "your_role": "mentee" if mentee else "mentor",
        "other_person": pair.mentor_id if mentee else pair.mentee_id,
        "cadence": pair.cadence,
        "meeting_weekday": pair.meeting_weekday,
        "meeting_time": _json_value(pair.meeting_time),
        "meeting_channel": pair.meeting_channel,
        "status": pair.status,
        "paused_until": _iso(pair.paused_until),
        "next_meeting_at": _iso(pair.next_meeting_at),
        "created_at": _iso(pair.created_at),
        "ended_at": _iso(pair.ended_at),
        "agreement": pair.agreement,
    }


def _pairs_of(session: Session, team_id: str, user_id: str) -> list[Pair]:
    """Every pair the person is or was in, in any state."""
    return list(
        session.scalars(
            select(Pair)
            .where(
                Pair.team_id == team_id,
                or_(Pair.mentor_id == user_id, Pair.mentee_id == user_id),
            )
            .order_by(Pair.id)
        )
    )


def _cohort_names(session: Session, team_id: str, ids: set[int]) -> dict[int, str]:
    rows = session.execute(
        select(Cohort.id, Cohort.name).where(Cohort.team_id == team_id, Cohort.id.in_(ids))
    )
    return {cohort_id: name for cohort_id, name in rows}


def _messages_to(session: Session, team_id: str, user_id: str) -> list[OutboundMessage]:
    """Messages the bot queued or sent to the person: their DMs and group DMs with them."""
    rows = session.scalars(
        select(OutboundMessage)
        .where(
            OutboundMessage.team_id == team_id,
            OutboundMessage.target_kind != "channel",
            OutboundMessage.target_id.contains(user_id, autoescape=True),
        )
        .order_by(OutboundMessage.created_at, OutboundMessage.id)
    )
    return [row for row in rows if user_id in row.target_id.split(",")]


# -- deletion ----------------------------------------------------------------------------------


def holdings(session: Session, *, team_id: str, user_id: str) -> Holdings:
    """What deleting the person's data would take out (and which pairs it would end)."""
    pairs = _pairs_of(session, team_id, user_id)
    mine = [p.id for p in pairs if p.mentee_id == user_id]

    def count(model: Any, *where: Any) -> int:
        query = select(func.count()).select_from(model).where(model.team_id == team_id, *where)
        return int(session.scalar(query) or 0)

    return Holdings(
        check_ins=count(CheckIn, CheckIn.author_id == user_id),
        goals=count(Goal, Goal.pair_id.in_(mine)),
        wins=count(Milestone, Milestone.pair_id.in_(mine), Milestone.kind == "win"),
        feedback=count(Feedback, Feedback.author_id == user_id),
        concerns=count(Concern, Concern.raised_by == user_id),
        reflections=count(Reflection, Reflection.user_id == user_id),
        live_pairs=sum(1 for pair in pairs if pair.status in LIVE_PAIR),
        profile=bool(count(Profile, Profile.user_id == user_id)),
    )


def deleted_since(
    session: Session, *, team_id: str, user_id: str, since: datetime
) -> datetime | None:
    """When the person's data was deleted, if that was at or after `since` (else None)."""
    deleted_at = session.scalar(
        select(Member.data_deleted_at).where(Member.team_id == team_id, Member.user_id == user_id)
    )
    return deleted_at if deleted_at is not None and deleted_at >= since else None


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
    _remove_words(session, team_id=team_id, user_id=user_id, pairs=pairs)
    messages = _withdraw_messages(session, team_id=team_id, user_id=user_id, pairs=pairs)
    _tell_the_others(session, ended, user_id=user_id, now=now)
    member = get_or_create_member(session, team_id=team_id, user_id=user_id, now=now)
    session.flush()
    _replace_id(session, team_id=team_id, user_id=user_id, by=placeholder, keep=member.id)
    member.name = member.tz = member.workdays = None
    member.working_hours_start = member.working_hours_end = None
    member.is_coordinator = False
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
    session.execute(
        update(Goal)
        .where(Goal.team_id == team_id, Goal.pair_id.in_(mine))
        .values(title=render_text("own_data/removed.md.j2", what="goal"), measure=None)
    )
    session.execute(
        update(Milestone)
        .where(Milestone.team_id == team_id, Milestone.pair_id.in_(mine))
        .values(detail=None)
    )
    # A win's key is a hash of its words: make it the milestone's id instead.
    session.execute(
        update(Milestone)
        .where(Milestone.team_id == team_id, Milestone.pair_id.in_(mine), Milestone.kind == "win")
        .values(key=literal("erased-") + cast(Milestone.id, String))
    )
    session.execute(
        update(Feedback)
        .where(Feedback.team_id == team_id, Feedback.author_id == user_id)
        .values(trust=None, communication=None, usefulness=None, comment=None)
    )
    session.execute(
        update(Concern)
        .where(Concern.team_id == team_id, Concern.raised_by == user_id)
        .values(text=render_text("own_data/removed.md.j2", what="concern"), reply=None)
    )
    session.execute(
        update(Reflection)
        .where(Reflection.team_id == team_id, Reflection.user_id == user_id)
        .values(gratitude=None, keep_in_touch=False, alumni_at=None)
    )
    session.execute(
        delete_rows(Profile).where(Profile.team_id == team_id, Profile.user_id == user_id)
    )
    for pair in pairs:  # the agreement's notes were written together: no telling whose
        if pair.agreement:
            pair.agreement = {
                **pair.agreement,
                **{key: "" for key in _AGREEMENT_WORDS if key in pair.agreement},
            }


def _withdraw_messages(session: Session, *, team_id: str, user_id: str, pairs: list[Pair]) -> int:
    """Messages to the person, or carrying their words: withdrawn while never tried, else
    kept as a record without words. Returns how many."""
    mine = [p.id for p in pairs if p.mentee_id == user_id]
    concerns = list(
        session.scalars(
            select(Concern.id).where(Concern.team_id == team_id, Concern.raised_by == user_id)
        )
    )
    # Keys of messages to others that carry the person's words: the mentor's meeting prompt
    # (the mentee's shared check-in and goals), a shared win, their thank-you note, their
    # concern as coordinators got it.
    theirs = [
        *(f"{kind}:pair{pair_id}:%" for pair_id in mine for kind in ("prompt", "winshare")),
        *(f"gratitude:pair{pair.id}:{user_id}" for pair in pairs),
        *(f"concern:{concern_id}:%" for concern_id in concerns),
    ]
    carrying = (
        set(
            session.scalars(
                select(OutboundMessage.id).where(
                    OutboundMessage.team_id == team_id,
                    or_(*(OutboundMessage.dedupe_key.like(key) for key in theirs)),
                )
            )
        )
        if theirs
        else set()
    )
    rows = session.scalars(
        select(OutboundMessage).where(
            OutboundMessage.team_id == team_id,
            or_(
                OutboundMessage.target_id.contains(user_id, autoescape=True),
                OutboundMessage.id.in_(carrying),
            ),
        )
    ).all()
    withdrawn = 0
    for row in rows:
        to_them = row.target_kind != "channel" and user_id in row.target_id.split(",")
        if not to_them and row.id not in carrying:
            continue  # it only names them: their id is replaced like everywhere else
        withdrawn += 1
        if row.status == "pending" and row.attempts == 0 and not row.outcome_unknown:
            session.delete(row)
            continue
        if row.status == "pending":
            row.status, row.last_error = "cancelled", "no longer needed"
        row.payload = {}
    session.flush()
    return withdrawn


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
        outgoing.append(Outgoing(team_id, f"farewell:pair{pair.id}", "user", other, payload, now))
    enqueue_many(session, outgoing, now=now)


def _replace_id(session: Session, *, team_id: str, user_id: str, by: str, keep: int) -> None:
    """Put `by` in place of the person's id in every text and JSON value of the workspace's
    rows, except the member row `keep` (the record of the deletion)."""
    # A mention (with the name Slack may add: `<@U123|ana>`) becomes the bare placeholder.
    escaped = re.escape(user_id)
    pattern = re.compile(rf"<@{escaped}(?:\|[^>]*)?>|(?<![A-Za-z0-9]){escaped}(?![A-Za-z0-9])")
    for table in Base.metadata.sorted_tables:
        if table.name in CONFIGURATION or "team_id" not in table.c:
            continue
        for column in table.c:
            if column.name == "team_id" or not isinstance(column.type, String | JSON):
                continue
            query = select(table.c.id, column).where(
                table.c.team_id == team_id,
                cast(column, Text).contains(user_id, autoescape=True),
            )
            if table.name == Member.__tablename__:
                query = query.where(table.c.id != keep)
            for row_id, value in session.execute(query).all():
                session.execute(
                    update(table)
                    .where(table.c.id == row_id)
                    .values({column.name: _replaced(value, pattern, by)})
                )


def _replaced(value: Any, pattern: re.Pattern[str], by: str) -> Any:
    """`value` (text, or JSON data) with every match of `pattern` replaced by `by`."""
    if isinstance(value, str):
        return pattern.sub(by, value)
    if isinstance(value, list):
        return [_replaced(item, pattern, by) for item in value]
    if isinstance(value, dict):
        return {
            _replaced(key, pattern, by): _replaced(item, pattern, by) for key, item in value.items()
        }
    return value
