"""`/mentoring pair`, `unpair` and `capacity`: who mentors whom."""

from __future__ import annotations

from mentorbot.bot.errors import BadInput, Example
from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.cohorts import cadence_named, default_cohort, find_cohort
from mentorbot.bot.services.members import get_or_create_member
from mentorbot.bot.services.pairs import (
    MAX_CAPACITY,
    end_pairs,
    live_pair_of_mentee,
    pair_people,
    set_capacity,
)
from mentorbot.handlers.commands.grammar import options, person, whole_number
from mentorbot.handlers.commands.request import MentoringRequest
from mentorbot.handlers.people import check_people

PAIR = Example("pairs/pair")
UNPAIR = Example("pairs/unpair")
CAPACITY = Example("pairs/capacity")


def pair(request: MentoringRequest) -> None:
    """Pair the first person (mentor) with the second (mentee) and queue their kickoff."""
    tokens = request.text.tokens()
    if len(tokens) < 2:
        raise BadInput("pairs/mentor_first", example=PAIR)
    mentor_id = person(tokens[0], example=PAIR)
    mentee_id = person(tokens[1], example=PAIR)
    found = options(tokens[2:], {"cohort": str, "cadence": cadence_named}, example=PAIR)
    cohort = default_cohort(request.session, team_id=request.team_id, name=found.get("cohort"))
    if mentor_id == mentee_id:
        raise BadInput("pairs/same_person", example=PAIR)
    check_people(
        request.client,
        request.session,
        team_id=request.team_id,
        user_ids=[mentor_id, mentee_id],
        now=request.now,
    )
    made = pair_people(
        request.session,
        cohort=cohort,
        mentor_id=mentor_id,
        mentee_id=mentee_id,
        cadence=found.get("cadence"),
        now=request.now,
    )
    request.reply(render_text("pairs/paired.md.j2", pair=made, cohort=cohort))


def unpair(request: MentoringRequest) -> None:
    """End a mentee's pair gracefully: a kind message to both, every record kept."""
    tokens = request.text.tokens()
    if not tokens:
        raise BadInput("pairs/unpair_whom", example=UNPAIR)
    mentee_id = person(tokens[0], example=UNPAIR)
    found = options(tokens[1:], {"cohort": str}, example=UNPAIR)
    cohort = (
        find_cohort(request.session, team_id=request.team_id, name=found["cohort"])
        if "cohort" in found
        else None
    )
    ending, cohort = live_pair_of_mentee(
        request.session, team_id=request.team_id, mentee_id=mentee_id, cohort=cohort
    )
    end_pairs(request.session, pairs=[ending], cohort=cohort, reason="unpaired", now=request.now)
    request.reply(render_text("pairs/unpaired.md.j2", pair=ending, cohort=cohort))


def capacity(request: MentoringRequest) -> None:
    """Set how many mentees a mentor may have at once."""
    tokens = request.text.tokens()
    if len(tokens) != 2:
        raise BadInput("pairs/capacity_how", example=CAPACITY)
    mentor_id = person(tokens[0], example=CAPACITY)
    limit = whole_number(tokens[1], example=CAPACITY, low=1, high=MAX_CAPACITY, what="capacity")
    check_people(
        request.client,
        request.session,
        team_id=request.team_id,
        user_ids=[mentor_id],
        now=request.now,
    )
    member = get_or_create_member(
        request.session, team_id=request.team_id, user_id=mentor_id, now=request.now
    )
    current = set_capacity(request.session, member=member, capacity=limit)
    request.reply(
        render_text("pairs/capacity.md.j2", user_id=mentor_id, limit=limit, current=current)
    )
