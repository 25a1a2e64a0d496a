"""Check-ins: what mentees and mentors record about their mentoring; private by default.

Only the author reads a check-in, unless a mentee shares it with their mentor (see
`privacy`). A check-in also tells the rhythm the pair is alive, so nudges wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput, Example, InvalidForm, NotAllowed, NotFound
from mentorbot.bot.models import CheckIn, Goal, Member, Pair
from mentorbot.bot.services.celebrations import note_checkin
from mentorbot.bot.services.goals import open_goals
from mentorbot.bot.services.lookups import of_workspace
from mentorbot.bot.services.nudges import restart_quiet_clock
from mentorbot.bot.services.pairs import active_pair_of, pairs_of_person
from mentorbot.bot.services.privacy import own_checkins
from mentorbot.bot.usertext import clean_user_text, is_whole_number

MAX_TEXT = 3000
HISTORY = 5
SOURCES = ("modal", "command", "dm")


@dataclass(frozen=True)
class CheckInForm:
    """The check-in modal's answers."""

    rating: int | None
    went_well: str
    blockers: str
    next_steps: str
    goal_id: int | None
    shared: bool


def read_form(values: dict[str, str | None], *, sharing: bool) -> CheckInForm:
    """Check the modal's fields; InvalidForm names the field that is wrong.

    `sharing` is False for mentors: the "share with my mentor" choice is a mentee's.
    """
    rating_text = values.get("rating") or ""
    rating = int(rating_text) if is_whole_number(rating_text) else None
    if rating_text and (rating is None or not 1 <= rating <= 5):
        raise InvalidForm("rating", "checkins/pick_rating")
    texts = {}
    for name in ("went_well", "blockers", "next_steps"):
        text = clean_user_text(values.get(name) or "")
        if len(text) > MAX_TEXT:
            raise InvalidForm(name, "checkins/too_long", limit=MAX_TEXT, length=len(text))
        texts[name] = text
    if rating is None and not any(texts.values()):
        raise InvalidForm("rating", "checkins/empty")
    goal = values.get("goal") or ""
    return CheckInForm(
        rating=rating,
        went_well=texts["went_well"],
        blockers=texts["blockers"],
        next_steps=texts["next_steps"],
        goal_id=int(goal) if is_whole_number(goal) else None,
        shared=sharing and values.get("share") == "share",
    )


def pair_to_check_in(session: Session, *, team_id: str, user_id: str) -> Pair:
    """The pair a person checks in about (as mentee first); NotFound when they have none."""
    pair = active_pair_of(session, team_id=team_id, user_id=user_id)
    if pair is None:
        raise NotFound("checkins/no_pair")
    return pair


def pair_of_member(session: Session, *, team_id: str, pair_id: int, user_id: str) -> Pair:
    """A live pair the person belongs to, by id (from a button or a form)."""
    pair = of_workspace(session, Pair, pair_id, team_id=team_id)
    if pair.status == "ended":
        raise NotFound("checkins/pair_ended")
    if user_id not in (pair.mentor_id, pair.mentee_id):
        raise NotAllowed("checkins/pair_only")
    return pair


def record_checkin(
    session: Session, *, pair: Pair, author_id: str, form: CheckInForm, source: str, now: datetime
) -> CheckIn:
    """Record a check-in from the modal."""
    goal_id = form.goal_id
    if goal_id is not None and not session.scalar(
        select(Goal.id).where(Goal.id == goal_id, Goal.pair_id == pair.id)
    ):
        raise InvalidForm("goal", "checkins/not_our_goal")
    return _add(
        session,
        CheckIn(
            team_id=pair.team_id,
            pair_id=pair.id,
            author_id=author_id,
            created_at=now,
            rating=form.rating,
            went_well=form.went_well or None,
            blockers=form.blockers or None,
            next_steps=form.next_steps or None,
            goal_id=goal_id,
            shared_with_mentor=form.shared and author_id == pair.mentee_id,
            source=source,
        ),
        pair,
        now,
    )


def record_quick_checkin(
    session: Session, *, team_id: str, author_id: str, text: str, source: str, now: datetime
) -> tuple[CheckIn, Pair]:
    """Record a one-line check-in for the author's pair, private to the author.

    Returns the check-in and its pair (which the confirmation names).
    """
    text = clean_user_text(text)
    if not text:
        raise BadInput("checkins/no_words", example=Example("checkins/checkin"))
    if len(text) > MAX_TEXT:
        raise BadInput("checkins/line_too_long", length=len(text), limit=MAX_TEXT)
    pair = pair_to_check_in(session, team_id=team_id, user_id=author_id)
    checkin = CheckIn(
        team_id=team_id,
        pair_id=pair.id,
        author_id=author_id,
        created_at=now,
        went_well=text,
        shared_with_mentor=False,
        source=source,
    )
    return _add(session, checkin, pair, now), pair


def _add(session: Session, checkin: CheckIn, pair: Pair, now: datetime) -> CheckIn:
    # Before the check-in is added, so counting the pair's check-ins needs no flush of its
    # own; and before the quiet clock moves, which it reads.
    note_checkin(session, pair=pair, now=now)
    session.add(checkin)
    restart_quiet_clock(session, pair, max(pair.quiet_since or now, now))
    session.flush()
    return checkin


def undo_checkin(session: Session, *, team_id: str, checkin_id: int, user_id: str) -> None:
    """Delete the person's own check-in (the undo button).

    The pair's quiet clock stays where the check-in put it: the person was there, and
    winding it back could set off a nudge (or a note to coordinators) about nothing.
    """
    checkin = of_workspace(session, CheckIn, checkin_id, team_id=team_id, gone="checkins/gone")
    if checkin.author_id != user_id:
        raise NotAllowed("checkins/author_only")
    session.delete(checkin)
    session.flush()


def history(session: Session, *, team_id: str, user_id: str) -> list[CheckIn]:
    """The person's own latest check-ins, newest first."""
    return own_checkins(session, team_id=team_id, user_id=user_id, limit=HISTORY)


@dataclass(frozen=True)
class CheckInChoices:
    """What the check-in modal offers this person: the pair's goals to tie it to, or (a
    mentor of several) the mentees to pick from."""

    pair: Pair
    as_mentee: bool
    goals: list[Goal]
    mentored: list[tuple[int, str]]


def checkin_choices(session: Session, *, pair: Pair, user_id: str) -> CheckInChoices:
    """What the check-in modal offers for this person and pair.

    A mentor of several people picks which pairing the check-in is about.
    """
    as_mentee = user_id == pair.mentee_id
    mentored = [] if as_mentee else mentees_of(session, pair=pair, mentor_id=user_id)
    return CheckInChoices(
        pair=pair,
        as_mentee=as_mentee,
        goals=[] if len(mentored) > 1 else open_goals(session, pair),
        mentored=mentored if len(mentored) > 1 else [],
    )


def mentees_of(session: Session, *, pair: Pair, mentor_id: str) -> list[tuple[int, str]]:
    """(pair id, mentee's name) of each live pair the person mentors."""
    pairs = pairs_of_person(
        session, team_id=pair.team_id, user_id=mentor_id, status=("active", "paused")
    )
    mine = [p for p in pairs if p.mentor_id == mentor_id]
    names = dict(
        session.execute(
            select(Member.user_id, Member.name).where(
                Member.team_id == pair.team_id, Member.user_id.in_([p.mentee_id for p in mine])
            )
        ).all()
    )
    return [(p.id, names.get(p.mentee_id) or p.mentee_id) for p in mine]
