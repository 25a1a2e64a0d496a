"""Concerns: raised privately with the programme's coordinators, never with the other
person in the pair.

A concern reaches each coordinator who is not part of the pair, as a DM with three ways to
handle it: reply to the person, propose a re-match, or end the pair gracefully. It is
handled once; the person who raised it hears back then. Ending a pair after a concern says
nothing of the concern to anyone.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mentorbot.bot import message_kinds
from mentorbot.bot.errors import BadInput, InvalidForm, NotAllowed
from mentorbot.bot.message_kinds import Kind
from mentorbot.bot.models import Cohort, Concern, Member, OutboundMessage, Pair
from mentorbot.bot.outbox import Copy, Outgoing, enqueue_many, restate_waiting, sent_copies
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.cohorts import LIVE_PAIR
from mentorbot.bot.services.languages import speaking_to
from mentorbot.bot.services.lookups import of_workspace
from mentorbot.bot.services.members import list_coordinators
from mentorbot.bot.services.pairs import end_pairs, pairs_of_person
from mentorbot.bot.services.workspaces import configured_coordinators
from mentorbot.bot.usertext import clean_user_text, is_whole_number

MAX_TEXT = 3000
# How a concern was handled, and the farewell reason a pair ended that way is given.
RESOLUTIONS = ("replied", "rematch", "ended")
FAREWELL_REASONS = {"rematch": "rematch", "ended": "unpaired"}
# The form's choice for a concern about no pair in particular.
NO_PAIR = "none"


@dataclass(frozen=True)
class PairChoice:
    """One of the person's pairs, as they see it in the concern form: the other person's
    name, and the cohort's."""

    pair_id: int
    as_mentee: bool
    other_name: str
    cohort_name: str


@dataclass(frozen=True)
class Raised:
    """A concern just raised, and which coordinators it went to (none: it is only stored)."""

    concern: Concern
    pair: Pair | None
    coordinators: list[str]


@dataclass(frozen=True)
class Handled:
    """The outcome of a coordinator's button: handled now, or by someone before.

    `message` is the coordinators' DM as it reads now (who handled it, no buttons);
    `copies` are the (coordinator, channel, ts) of the DMs delivered, to update.
    """

    concern: Concern
    pair: Pair | None
    now: bool
    message: Any
    copies: list[Copy]


# -- raising one -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConcernForm:
    """What the concern modal starts with: the text (prefilled) and, for someone in a pair,
    the pairs to pick from and the one preselected."""

    choices: list[PairChoice]
    chosen: str | None
    text: str


def concern_form(
    session: Session, *, team_id: str, user_id: str, pair_id: int | None = None, text: str = ""
) -> ConcernForm:
    """The concern form for this person.

    `pair_id` preselects a pair (the App Home button); someone in one pair has it preselected.
    """
    choices = _pair_choices(session, team_id=team_id, user_id=user_id)
    chosen: str | None = None
    if pair_id is not None and any(choice.pair_id == pair_id for choice in choices):
        chosen = str(pair_id)
    elif len(choices) == 1:
        chosen = str(choices[0].pair_id)
    return ConcernForm(choices=choices, chosen=chosen, text=clean_user_text(text)[:MAX_TEXT])


def _pair_choices(session: Session, *, team_id: str, user_id: str) -> list[PairChoice]:
    pairs = pairs_of_person(session, team_id=team_id, user_id=user_id, status=LIVE_PAIR)
    names = _names(session, team_id, {p.mentor_id for p in pairs} | {p.mentee_id for p in pairs})
    cohorts = dict(
        session.execute(
            select(Cohort.id, Cohort.name).where(Cohort.id.in_({p.cohort_id for p in pairs}))
        ).all()
    )
    choices = []
    for pair in pairs:
        as_mentee = pair.mentee_id == user_id
        other = names[pair.mentor_id if as_mentee else pair.mentee_id]
        choices.append(PairChoice(pair.id, as_mentee, other, cohorts.get(pair.cohort_id, "")))
    return choices


def _names(session: Session, team_id: str, user_ids: Iterable[str]) -> dict[str, str]:
    wanted = set(user_ids)
    known = dict(
        session.execute(
            select(Member.user_id, Member.name).where(
                Member.team_id == team_id, Member.user_id.in_(wanted)
            )
        ).all()
    )
    return {user_id: known.get(user_id) or user_id for user_id in wanted}


def raise_concern(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    pair_choice: str | None,
    pair_asked: bool,
    text: str,
    now: datetime,
) -> Raised:
    """Store a concern and queue it to every coordinator outside the pair.

    `pair_choice` is the form's choice: a pair id or NO_PAIR; `pair_asked` says whether the
    form asked (it does for someone in a pair), so an empty choice is a missing answer.
    """
    text = clean_user_text(text)
    if not text:
        raise InvalidForm("text", "concerns/no_text")
    if len(text) > MAX_TEXT:
        raise InvalidForm("text", "concerns/too_long", limit=MAX_TEXT, length=len(text))
    pair = None
    if pair_choice and pair_choice != NO_PAIR:
        if not is_whole_number(pair_choice):
            raise InvalidForm("pair", "concerns/pick_pair")
        pair = session.scalar(
            select(Pair).where(Pair.team_id == team_id, Pair.id == int(pair_choice))
        )
        if pair is None or user_id not in (pair.mentor_id, pair.mentee_id):
            raise InvalidForm("pair", "concerns/pick_pair")
        if pair.status not in LIVE_PAIR:
            raise InvalidForm("pair", "concerns/pair_ended")
    elif pair_choice is None and pair_asked:
        raise InvalidForm("pair", "concerns/which_pair")
    concern = Concern(
        team_id=team_id,
        pair_id=pair.id if pair else None,
        raised_by=user_id,
        text=text,
        status="open",
        created_at=now,
    )
    session.add(concern)
    session.flush()
    left_out = {user_id} | ({pair.mentor_id, pair.mentee_id} if pair else set())
    coordinators = [
        coordinator
        for coordinator in list_coordinators(
            session, team_id=team_id, configured=configured_coordinators(session, team_id)
        )
        if coordinator not in left_out
    ]
    if coordinators:
        enqueue_many(
            session,
            [
                Outgoing(
                    team_id=team_id,
                    dedupe_key=message_kinds.concern(concern, coordinator),
                    target_kind="user",
                    target_id=coordinator,
                    payload=concern_message(session, concern, reader=coordinator),
                    not_before=now,
                )
                for coordinator in coordinators
            ],
            now=now,
        )
    return Raised(concern=concern, pair=pair, coordinators=coordinators)


def concern_message(session: Session, concern: Concern, *, reader: str = "") -> Any:
    """The coordinators' DM about a concern: its buttons while open, who handled it after;
    in the `reader`'s language (else the one being spoken)."""
    pair = session.get(Pair, concern.pair_id) if concern.pair_id else None
    cohort = session.get(Cohort, pair.cohort_id) if pair else None
    with speaking_to(session, team_id=concern.team_id, user_id=reader) if reader else nullcontext():
        return render_json(
            "concerns/to_coordinator.json.j2",
            concern=concern,
            pair=pair,
            cohort=cohort,
            raiser_name=raiser_name(session, concern),
            live=pair is not None and pair.status in LIVE_PAIR,
        )


# -- handling one ------------------------------------------------------------------------------


def concern_to_handle(
    session: Session, *, team_id: str, concern_id: int, user_id: str, coordinator: bool
) -> Concern:
    """A concern the person may handle: they coordinate (`coordinator`) and are not part of it."""
    if not coordinator:
        raise NotAllowed("concerns/coordinators_only")
    concern = of_workspace(session, Concern, concern_id, team_id=team_id)
    pair = session.get(Pair, concern.pair_id) if concern.pair_id else None
    involved = {concern.raised_by} | ({pair.mentor_id, pair.mentee_id} if pair else set())
    if user_id in involved:
        raise NotAllowed("concerns/involved")
    return concern


def raiser_name(session: Session, concern: Concern) -> str:
    """The name of the person who raised the concern (their id, when it is not known)."""
    return _names(session, concern.team_id, [concern.raised_by])[concern.raised_by]


def read_reply(text: str | None) -> str:
    """The coordinator's reply, checked (InvalidForm on the `reply` field)."""
    reply = clean_user_text(text or "")
    if not reply:
        raise InvalidForm("reply", "concerns/no_reply")
    if len(reply) > MAX_TEXT:
        raise InvalidForm("reply", "concerns/too_long", limit=MAX_TEXT, length=len(reply))
    return reply


def handle_concern(
    session: Session,
    *,
    team_id: str,
    concern_id: int,
    by: str,
    how: str,
    coordinator: bool,
    now: datetime,
    reply: str | None = None,
) -> Handled:
    """Handle a concern once: reply, propose a re-match (the pair ends), or end the pair;
    `coordinator` says whether `by` coordinates the programme (only they may).

    A concern handled before is left as it is (`Handled.now` is False). The person who
    raised it hears back; the other person in the pair is never told about the concern.
    """
    if how not in RESOLUTIONS:
        raise BadInput("concerns/stale_action")
    concern = concern_to_handle(
        session, team_id=team_id, concern_id=concern_id, user_id=by, coordinator=coordinator
    )
    pair = session.get(Pair, concern.pair_id) if concern.pair_id else None
    if concern.status != "open":
        return Handled(
            concern, pair, now=False, message=concern_message(session, concern), copies=[]
        )
    if how == "replied":
        reply = read_reply(reply)
    elif pair is None:
        raise BadInput("concerns/no_pair")
    elif pair.status not in LIVE_PAIR:
        raise BadInput("concerns/ended_already")
    # Claim it: of two coordinators pressing at once, one handles it.
    claimed = session.execute(
        update(Concern)
        .where(Concern.id == concern.id, Concern.status == "open")
        .values(status="handled", handled_by=by, handled_at=now, resolution=how, reply=reply)
        .execution_options(synchronize_session=False)
    )
    session.refresh(concern)
    if getattr(claimed, "rowcount", 0) != 1:
        return Handled(
            concern, pair, now=False, message=concern_message(session, concern), copies=[]
        )
    if pair is not None and how in FAREWELL_REASONS:
        cohort = session.get(Cohort, pair.cohort_id)
        assert cohort is not None
        end_pairs(session, pairs=[pair], cohort=cohort, reason=FAREWELL_REASONS[how], now=now)
    with speaking_to(session, team_id=team_id, user_id=concern.raised_by):
        handled = render_json("concerns/handled.json.j2", concern=concern, pair=pair)
    enqueue_many(
        session,
        [
            Outgoing(
                team_id=team_id,
                dedupe_key=message_kinds.concern_handled(concern),
                target_kind="user",
                target_id=concern.raised_by,
                payload=handled,
                not_before=now,
            )
        ],
        now=now,
    )
    message = concern_message(session, concern)
    copies = _show_handled(session, concern)
    return Handled(concern, pair, now=True, message=message, copies=copies)


def _show_handled(session: Session, concern: Concern) -> list[Copy]:
    """Copies not sent yet will say who handled it, each in its reader's language; returns
    where the sent ones are, and how each reads now."""
    copies = (
        OutboundMessage.team_id == concern.team_id,
        OutboundMessage.kind == Kind.CONCERN,
        OutboundMessage.concern_id == concern.id,
    )

    def shown(reader: str) -> Any:
        return concern_message(session, concern, reader=reader)

    restate_waiting(session, copies, shown)
    return sent_copies(session, copies, shown)
