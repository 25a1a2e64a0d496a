"""Mentor requests: in a self-serve cohort a mentee asks a mentor from the directory, in
their own words, and the mentor answers.

A request waits a week for the mentor: *Accept* makes the pair (in an `open` cohort) or
waits a week more for a coordinator to confirm it (`approval`); *Not now* and *Suggest
someone* decline it kindly, with the mentor's note or a name from the directory. A request
not answered in time expires, with a kind note to both. A mentee has at most MAX_OPEN
requests waiting at once and never asks again a mentor who said not now in that cohort.

Who reads what: the request's words are the mentee's, read by them and that mentor only;
the mentor's note is read by the mentee. Coordinators see who asked whom only where they
confirm it, and counts per cohort; nobody else learns of a declined request.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from mentorbot.bot import message_kinds
from mentorbot.bot.errors import BadInput, InvalidForm, NotAllowed
from mentorbot.bot.message_kinds import Kind
from mentorbot.bot.models import Cohort, Goal, MentorRequest, OutboundMessage, Pair, Profile
from mentorbot.bot.outbox import Copy, Outgoing, enqueue_many, restate_waiting, sent_copies
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.cohorts import CADENCES
from mentorbot.bot.services.goals import MAX_TITLE
from mentorbot.bot.services.languages import speaking_to
from mentorbot.bot.services.lookups import of_workspace
from mentorbot.bot.services.members import list_coordinators
from mentorbot.bot.services.mentor_directory import (
    OPEN_REQUEST,
    ListedMentor,
    mentor_directory,
)
from mentorbot.bot.services.pairs import Planned, create_pairs, pairing_problems
from mentorbot.bot.services.workspaces import configured_coordinators
from mentorbot.bot.usertext import clean_user_text

MAX_OPEN = 2
ANSWER_WITHIN = timedelta(days=7)
MAX_WORDS = 1000  # why this mentor, what they hope to gain
MAX_NOTE = 500  # the mentor's kind note
# Requests a tick expires at most (the rest wait for the next tick, a minute on).
EXPIRE_BATCH = 200
# Mentors the *Suggest someone* list offers (a select holds 100 options).
SUGGESTIONS = 99


@dataclass(frozen=True)
class Answered:
    """A request after a button or a form: `now` when this press changed it (False: it
    was answered, expired or withdrawn before). `message` is the mentor's DM as it reads
    now; `copies` are the (user, channel, ts) of sent DMs that show the request (the
    mentor's, or the coordinators' confirmations), to update."""

    request: MentorRequest
    now: bool
    message: Any
    copies: list[Copy] = field(default_factory=list)


@dataclass(frozen=True)
class RequestCounts:
    """A cohort's requests by how they stand (never what they say)."""

    made: int
    accepted: int
    declined: int
    expired: int
    waiting: int
    withdrawn: int


# -- asking ------------------------------------------------------------------------------------


def askable(
    session: Session, *, team_id: str, mentee_id: str, cohort_id: int, mentor_id: str, now: datetime
) -> ListedMentor:
    """The mentor as the directory shows them to this mentee, when the mentee may ask them
    now; BadInput says why not (the directory's own reasons first)."""
    directory = mentor_directory(session, team_id=team_id, mentee_id=mentee_id, now=now, page=10**6)
    listed = next(
        (m for m in directory.mentors if m.user_id == mentor_id and m.cohort.id == cohort_id), None
    )
    waiting = _open_requests(session, team_id=team_id, mentee_id=mentee_id)
    if any(r.mentor_id == mentor_id and r.cohort_id == cohort_id for r in waiting):
        raise BadInput("mentor_requests/asked_already", mentor=mentor_id)
    declined = session.scalar(
        select(func.count()).where(
            MentorRequest.team_id == team_id,
            MentorRequest.cohort_id == cohort_id,
            MentorRequest.mentee_id == mentee_id,
            MentorRequest.mentor_id == mentor_id,
            MentorRequest.status == "declined",
        )
    )
    if declined:
        raise BadInput("mentor_requests/declined_before", mentor=mentor_id)
    if listed is None:
        raise BadInput("mentor_requests/not_listed", mentor=mentor_id)
    if len(waiting) >= MAX_OPEN:
        raise BadInput(
            "mentor_requests/too_many", most=MAX_OPEN, mentors=[r.mentor_id for r in waiting]
        )
    return listed


def request_form(
    session: Session, *, team_id: str, mentee_id: str, cohort_id: int, mentor_id: str, now: datetime
) -> Any:
    """The request modal for asking this mentor (BadInput when the mentee may not)."""
    listed = askable(
        session,
        team_id=team_id,
        mentee_id=mentee_id,
        cohort_id=cohort_id,
        mentor_id=mentor_id,
        now=now,
    )
    return render_json(
        "mentor_requests/modal.json.j2",
        mentor=listed,
        cadences=list(CADENCES),
        max_words=MAX_WORDS,
        max_goal=MAX_TITLE,
        most=MAX_OPEN,
        days=ANSWER_WITHIN.days,
    )


def ask_mentor(
    session: Session,
    *,
    team_id: str,
    mentee_id: str,
    cohort_id: int,
    mentor_id: str,
    why: str | None,
    hope: str | None,
    first_goal: str | None,
    cadence: str | None,
    now: datetime,
) -> MentorRequest:
    """Store the mentee's request and queue it to the mentor (in their working hours, and
    not after it expires). InvalidForm names a field left empty or too long."""
    why, hope = clean_user_text(why or ""), clean_user_text(hope or "")
    goal = " ".join(clean_user_text(first_goal or "").split())
    if not why:
        raise InvalidForm("why", "mentor_requests/no_why")
    if len(why) > MAX_WORDS:
        raise InvalidForm("why", "mentor_requests/too_long", limit=MAX_WORDS, length=len(why))
    if not hope:
        raise InvalidForm("hope", "mentor_requests/no_hope")
    if len(hope) > MAX_WORDS:
        raise InvalidForm("hope", "mentor_requests/too_long", limit=MAX_WORDS, length=len(hope))
    if not goal:
        raise InvalidForm("first_goal", "mentor_requests/no_goal")
    if len(goal) > MAX_TITLE:
        raise InvalidForm(
            "first_goal", "mentor_requests/too_long", limit=MAX_TITLE, length=len(goal)
        )
    if cadence not in CADENCES:
        raise InvalidForm("cadence", "mentor_requests/no_cadence")
    listed = askable(
        session,
        team_id=team_id,
        mentee_id=mentee_id,
        cohort_id=cohort_id,
        mentor_id=mentor_id,
        now=now,
    )
    request = MentorRequest(
        team_id=team_id,
        cohort_id=cohort_id,
        mentee_id=mentee_id,
        mentor_id=mentor_id,
        why=why,
        hope=hope,
        first_goal=goal,
        cadence=cadence,
        status="waiting",
        created_at=now,
        expires_at=now + ANSWER_WITHIN,
    )
    session.add(request)
    session.flush()
    message = request_message(session, request, overlap=listed.overlap)
    enqueue_many(
        session,
        [
            Outgoing(
                team_id,
                message_kinds.mentor_request(request),
                "user",
                mentor_id,
                message,
                now,
                expires_at=request.expires_at,
            )
        ],
        now=now,
    )
    return request


def request_message(
    session: Session, request: MentorRequest, *, overlap: timedelta | None = None
) -> Any:
    """The mentor's DM about a request, in their language: its words and buttons while it
    waits, how it stands after."""
    cohort = session.get(Cohort, request.cohort_id)
    areas = session.scalar(
        select(Profile.areas).where(
            Profile.team_id == request.team_id, Profile.user_id == request.mentee_id
        )
    )
    with speaking_to(session, team_id=request.team_id, user_id=request.mentor_id):
        return render_json(
            "mentor_requests/to_mentor.json.j2",
            request=request,
            cohort=cohort,
            areas=list(areas or []),
            overlap=overlap,
            days=ANSWER_WITHIN.days,
        )


# -- the mentor's answer -----------------------------------------------------------------------


def mentors_request(
    session: Session, *, team_id: str, request_id: int, user_id: str
) -> MentorRequest:
    """A request the person may answer: it was made to them."""
    request = of_workspace(
        session, MentorRequest, request_id, team_id=team_id, gone="mentor_requests/gone"
    )
    if request.mentor_id != user_id:
        raise NotAllowed("mentor_requests/not_yours")
    return request


def accept_request(
    session: Session, *, team_id: str, request_id: int, by: str, now: datetime
) -> Answered:
    """The mentor's *Accept*: the pair is made and its kickoff queued, or (approval
    cohorts) the coordinators are asked to confirm it. A mentor at capacity is told so and
    the request still waits; one that can no longer be (the mentee has a mentor, the cohort
    ended) is withdrawn."""
    request = mentors_request(session, team_id=team_id, request_id=request_id, user_id=by)
    if request.status != "waiting":
        return _unchanged(session, request)
    cohort = session.get(Cohort, request.cohort_id)
    assert cohort is not None
    problem = _problem(session, cohort, request)
    if problem is not None and problem.code == "pairs/at_capacity":
        raise BadInput(
            "mentor_requests/at_capacity",
            count=problem.args["count"],
            capacity=problem.args["capacity"],
        )
    if problem is not None:
        _close(session, [request], "withdrawn", now, tell=("mentor",))
        return _answered(session, request)
    if not _claim(session, request, "waiting", "confirming", by=by, now=now):
        return _unchanged(session, request)
    coordinators = _coordinators(session, request)
    if cohort.self_serve == "approval" and coordinators:
        request.expires_at = now + ANSWER_WITHIN
        enqueue_many(
            session,
            [
                Outgoing(
                    request.team_id,
                    message_kinds.request_confirm(request, coordinator),
                    "user",
                    coordinator,
                    confirm_message(session, request, reader=coordinator),
                    now,
                    expires_at=request.expires_at,
                )
                for coordinator in coordinators
            ]
            + [_answer(session, request, "confirming", request.mentee_id, now)],
            now=now,
        )
        return _answered(session, request)
    _make_pair(session, request, cohort, now)
    return _answered(session, request)


def suggestions(session: Session, *, request: MentorRequest, now: datetime) -> list[ListedMentor]:
    """Whom the mentor may suggest instead: the mentee's directory in that cohort, without
    the mentor and those the mentee has asked already."""
    try:
        directory = mentor_directory(
            session, team_id=request.team_id, mentee_id=request.mentee_id, now=now, page=10**6
        )
    except BadInput:
        return []  # the mentee has a mentor now, or no longer a directory
    return [
        m
        for m in directory.mentors
        if m.cohort.id == request.cohort_id and m.user_id != request.mentor_id and not m.asked_at
    ][:SUGGESTIONS]


def decline_request(
    session: Session,
    *,
    team_id: str,
    request_id: int,
    by: str,
    note: str | None,
    suggested_id: str | None,
    now: datetime,
) -> Answered:
    """The mentor's *Not now* (with an optional kind note) or *Suggest someone*: the mentee
    hears it kindly, with the suggestion; nobody else is told."""
    request = mentors_request(session, team_id=team_id, request_id=request_id, user_id=by)
    words = clean_user_text(note or "")
    if len(words) > MAX_NOTE:
        raise InvalidForm("note", "mentor_requests/too_long", limit=MAX_NOTE, length=len(words))
    if request.status != "waiting":
        return _unchanged(session, request)
    if suggested_id is not None and suggested_id not in {
        m.user_id for m in suggestions(session, request=request, now=now)
    }:
        raise InvalidForm("suggested", "mentor_requests/pick_suggestion")
    if not _claim(session, request, "waiting", "declined", by=by, now=now):
        return _unchanged(session, request)
    request.note, request.suggested_id = words or None, suggested_id
    enqueue_many(session, [_answer(session, request, "declined", request.mentee_id, now)], now=now)
    return _answered(session, request)


# -- a coordinator's confirmation (approval cohorts) -------------------------------------------


def decide_request(
    session: Session,
    *,
    team_id: str,
    request_id: int,
    by: str,
    coordinator: bool,
    confirm: bool,
    now: datetime,
) -> Answered:
    """A coordinator confirms a request the mentor accepted (the pair is made, with its
    kickoff), or does not (both hear it kindly). Once, for all coordinators."""
    if not coordinator:
        raise NotAllowed("mentor_requests/coordinators_only")
    request = of_workspace(
        session, MentorRequest, request_id, team_id=team_id, gone="mentor_requests/gone"
    )
    if by in (request.mentor_id, request.mentee_id):
        raise NotAllowed("mentor_requests/involved")
    if request.status != "confirming":
        return _unchanged(session, request, copies=True)
    cohort = session.get(Cohort, request.cohort_id)
    assert cohort is not None
    problem = _problem(session, cohort, request) if confirm else None
    if problem is not None and problem.code == "pairs/at_capacity":
        raise BadInput.of(problem)  # the coordinator may raise the mentor's capacity first
    if problem is not None:
        _close(session, [request], "withdrawn", now, tell=("mentor",))
        return _answered(session, request, copies=True)
    if not _claim(session, request, "confirming", "accepted" if confirm else "declined", by, now):
        return _unchanged(session, request, copies=True)
    if confirm:
        _make_pair(session, request, cohort, now, confirmed=True)
    else:
        enqueue_many(
            session,
            [
                _answer(session, request, "refused", user, now)
                for user in (request.mentee_id, request.mentor_id)
            ],
            now=now,
        )
    return _answered(session, request, copies=True)


def confirm_message(session: Session, request: MentorRequest, *, reader: str = "") -> Any:
    """A coordinator's DM about a request to confirm: who asked whom, never the words; in
    the `reader`'s language (else the one being spoken)."""
    cohort = session.get(Cohort, request.cohort_id)
    with speaking_to(session, team_id=request.team_id, user_id=reader) if reader else nullcontext():
        return render_json("mentor_requests/to_coordinator.json.j2", request=request, cohort=cohort)


def requests_to_confirm(
    session: Session, *, team_id: str, viewer: str, limit: int = 5
) -> tuple[list[MentorRequest], int]:
    """Requests waiting for a coordinator (not the viewer's own), soonest to expire first,
    and how many there are in all: the coordinator's App Home."""
    where = (
        MentorRequest.team_id == team_id,
        MentorRequest.status == "confirming",
        MentorRequest.mentor_id != viewer,
        MentorRequest.mentee_id != viewer,
    )
    shown = session.scalars(
        select(MentorRequest).where(*where).order_by(MentorRequest.expires_at).limit(limit)
    ).all()
    total = session.scalar(select(func.count()).select_from(MentorRequest).where(*where))
    return list(shown), int(total or 0)


# -- expiry and counts -------------------------------------------------------------------------


def produce_request_expiry(session: Session, now: datetime) -> int:
    """Requests not answered in time expire, with a kind note to the mentee and the mentor;
    returns how many notes were queued."""
    due = session.scalars(
        select(MentorRequest)
        .where(MentorRequest.status.in_(OPEN_REQUEST), MentorRequest.expires_at <= now)
        .order_by(MentorRequest.expires_at, MentorRequest.id)
        .limit(EXPIRE_BATCH)
    ).all()
    return _close(session, list(due), "expired", now, tell=("mentee", "mentor"))


def request_counts(session: Session, *, cohorts: Sequence[Cohort]) -> dict[int, RequestCounts]:
    """Each cohort's requests by status (a cohort without any has none made)."""
    found: dict[int, Counter[str]] = {cohort.id: Counter() for cohort in cohorts}
    rows = session.execute(
        select(MentorRequest.cohort_id, MentorRequest.status, func.count())
        .where(MentorRequest.cohort_id.in_(list(found)))
        .group_by(MentorRequest.cohort_id, MentorRequest.status)
    )
    for cohort_id, status, count in rows:
        found[cohort_id][status] += int(count)
    return {
        cohort_id: RequestCounts(
            made=sum(counts.values()),
            accepted=counts["accepted"],
            declined=counts["declined"],
            expired=counts["expired"],
            waiting=counts["waiting"] + counts["confirming"],
            withdrawn=counts["withdrawn"],
        )
        for cohort_id, counts in found.items()
    }


# -- a person's data going -----------------------------------------------------------------------


def forget_requests(session: Session, *, team_id: str, user_id: str, now: datetime) -> None:
    """Before a person's data is deleted: their open requests (made or received) are
    withdrawn, the other person told in words that name no one, and their words go."""
    theirs = list(
        session.scalars(
            select(MentorRequest).where(
                MentorRequest.team_id == team_id,
                MentorRequest.status.in_(OPEN_REQUEST),
                (MentorRequest.mentee_id == user_id) | (MentorRequest.mentor_id == user_id),
            )
        )
    )
    for request in theirs:
        other = "mentor" if request.mentee_id == user_id else "mentee"
        _close(session, [request], "withdrawn", now, tell=(other,), anonymous=True)
    session.execute(
        update(MentorRequest)
        .where(MentorRequest.team_id == team_id, MentorRequest.mentee_id == user_id)
        .values(why=None, hope=None, first_goal=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(MentorRequest)
        .where(MentorRequest.team_id == team_id, MentorRequest.mentor_id == user_id)
        .values(note=None)
        .execution_options(synchronize_session=False)
    )


# -- the parts ---------------------------------------------------------------------------------


def _open_requests(session: Session, *, team_id: str, mentee_id: str) -> list[MentorRequest]:
    return list(
        session.scalars(
            select(MentorRequest).where(
                MentorRequest.team_id == team_id,
                MentorRequest.mentee_id == mentee_id,
                MentorRequest.status.in_(OPEN_REQUEST),
            )
        )
    )


def _problem(session: Session, cohort: Cohort, request: MentorRequest) -> Any:
    """Why the pair cannot be made now (None when it can): pairing's own checks."""
    planned = [Planned(request.mentor_id, request.mentee_id)]
    return pairing_problems(session, cohort=cohort, planned=planned)[0]


def _claim(
    session: Session,
    request: MentorRequest,
    was: str,
    becomes: str,
    by: str | None,
    now: datetime,
) -> bool:
    """Move the request on from `was`, once: of two presses at the same moment one wins.
    `by` answered it (None: it ended without an answer)."""
    answer = {"answered_by": by, "answered_at": now} if by is not None else {}
    claimed = session.execute(
        update(MentorRequest)
        .where(MentorRequest.id == request.id, MentorRequest.status == was)
        .values(status=becomes, **answer)
        .execution_options(synchronize_session=False)
    )
    session.refresh(request)
    return getattr(claimed, "rowcount", 0) == 1


def _make_pair(
    session: Session, request: MentorRequest, cohort: Cohort, now: datetime, confirmed: bool = False
) -> Pair:
    """The accepted request's pair, at the rhythm the mentee asked for, with their first
    goal; the mentee hears of it (and the mentor, when a coordinator confirmed it), and the
    mentee's other open requests in the cohort are withdrawn."""
    planned = [Planned(request.mentor_id, request.mentee_id)]
    pair = create_pairs(session, cohort=cohort, planned=planned, cadence=request.cadence, now=now)[
        0
    ]
    request.status, request.pair_id = "accepted", pair.id
    if request.first_goal:
        title = request.first_goal[:MAX_TITLE]
        session.add(
            Goal(
                team_id=pair.team_id,
                pair_id=pair.id,
                title=title,
                status="open",
                created_by=request.mentee_id,
                created_at=now,
            )
        )
    told = [request.mentee_id, *([request.mentor_id] if confirmed else [])]
    enqueue_many(
        session, [_answer(session, request, "accepted", user, now) for user in told], now=now
    )
    others = [
        other
        for other in _open_requests(session, team_id=request.team_id, mentee_id=request.mentee_id)
        if other.cohort_id == request.cohort_id and other.id != request.id
    ]
    _close(session, others, "withdrawn", now, tell=("mentor",))
    session.flush()
    return pair


def _close(
    session: Session,
    requests: Iterable[MentorRequest],
    outcome: str,
    now: datetime,
    *,
    tell: tuple[str, ...],
    anonymous: bool = False,
) -> int:
    """End open requests without an answer (`expired` or `withdrawn`): what was still
    queued about them is withdrawn, coordinators' copies say so, and the people in `tell`
    (mentee, mentor) hear it. Returns how many notes were queued."""
    outgoing = []
    for request in requests:
        stage = request.status
        if not _claim(session, request, stage, outcome, by=None, now=now):
            continue
        _withdraw_queued(session, request)
        for role in tell:
            user = request.mentee_id if role == "mentee" else request.mentor_id
            outgoing.append(
                _answer(session, request, outcome, user, now, stage=stage, anonymous=anonymous)
            )
    return enqueue_many(session, outgoing, now=now) if outgoing else 0


def _withdraw_queued(session: Session, request: MentorRequest) -> None:
    """The request's DM to the mentor and the coordinators' copies, if still queued, are
    no longer needed; copies already sent read as the request stands now."""
    session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.team_id == request.team_id,
            OutboundMessage.status == "pending",
            OutboundMessage.attempts == 0,
            (OutboundMessage.dedupe_key == message_kinds.mentor_request(request).text)
            | OutboundMessage.dedupe_key.startswith(
                message_kinds.request_confirm_prefix(request.id), autoescape=True
            ),
        )
        .values(status="cancelled", last_error="no longer needed")
        .execution_options(synchronize_session=False)
    )


def _coordinators(session: Session, request: MentorRequest) -> list[str]:
    """The coordinators who may confirm the request: all but its two people."""
    return [
        user
        for user in list_coordinators(
            session,
            team_id=request.team_id,
            configured=configured_coordinators(session, request.team_id),
        )
        if user not in (request.mentor_id, request.mentee_id)
    ]


def _answer(
    session: Session,
    request: MentorRequest,
    outcome: str,
    user_id: str,
    now: datetime,
    *,
    stage: str | None = None,
    anonymous: bool = False,
) -> Outgoing:
    """The note to `user_id` (the mentee or the mentor) of how the request stands."""
    with speaking_to(session, team_id=request.team_id, user_id=user_id):
        payload = render_json(
            "mentor_requests/answer.json.j2",
            request=request,
            cohort=session.get(Cohort, request.cohort_id),
            outcome=outcome,
            to_mentee=user_id == request.mentee_id,
            stage=stage or request.status,
            anonymous=anonymous,
        )
    key = message_kinds.request_answer(request, outcome, user_id)
    return Outgoing(request.team_id, key, "user", user_id, payload, now)


def _answered(session: Session, request: MentorRequest, *, copies: bool = False) -> Answered:
    """The request changed by this press, and the sent DMs that show it (the mentor's, or
    with `copies` the coordinators')."""
    if copies:
        return Answered(request, True, confirm_message(session, request), _show(session, request))
    message = request_message(session, request)
    return Answered(request, True, message, _sent_to_mentor(session, request))


def _unchanged(session: Session, request: MentorRequest, *, copies: bool = False) -> Answered:
    """A press on a request answered before: the message shows how it stands."""
    return Answered(request, now=False, message=_message_for(session, request, copies))


def _message_for(session: Session, request: MentorRequest, coordinators: bool) -> Any:
    return confirm_message(session, request) if coordinators else request_message(session, request)


def _sent_to_mentor(session: Session, request: MentorRequest) -> list[Copy]:
    """Where the mentor's DM about the request is, once sent, and how it reads now."""
    key = message_kinds.mentor_request(request).text
    return _sent(
        session, request, key, prefix=False, shown=lambda _: request_message(session, request)
    )


def _show(session: Session, request: MentorRequest) -> list[Copy]:
    """Coordinators' copies not sent yet will read as the request stands, each in its
    reader's language; returns where the sent ones are, and how each reads now."""
    prefix = message_kinds.request_confirm_prefix(request.id)

    def shown(reader: str) -> Any:
        return confirm_message(session, request, reader=reader)

    restate_waiting(
        session,
        (
            OutboundMessage.team_id == request.team_id,
            OutboundMessage.dedupe_key.startswith(prefix, autoescape=True),
        ),
        shown,
    )
    return _sent(session, request, prefix, prefix=True, shown=shown)


def _sent(
    session: Session,
    request: MentorRequest,
    key: str,
    *,
    prefix: bool,
    shown: Callable[[str], Any],
) -> list[Copy]:
    matches = (
        OutboundMessage.dedupe_key.startswith(key, autoescape=True)
        if prefix
        else OutboundMessage.dedupe_key == key
    )
    where = (
        OutboundMessage.team_id == request.team_id,
        OutboundMessage.kind.in_((Kind.MENTOR_REQUEST, Kind.REQUEST_CONFIRM)),
        matches,
    )
    return sent_copies(session, where, shown)
