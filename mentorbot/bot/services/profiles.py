"""Mentoring profiles: what a mentor offers or a mentee seeks, read by matching."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot.errors import InvalidForm, NotFound
from mentorbot.bot.models import Cohort, Profile
from mentorbot.bot.services.cohorts import find_cohort_by_id, list_cohorts
from mentorbot.bot.services.members import get_or_create_member
from mentorbot.bot.services.pairs import DEFAULT_CAPACITY, MAX_CAPACITY, set_capacity
from mentorbot.bot.usertext import clean_user_text, is_whole_number
from mentorbot.bot.working_hours import Availability

ROLES = ("mentor", "mentee")
MAX_AREAS = 10
MAX_AREA = 40
MAX_GOALS = 1000
# "How I can help": a mentor's few sentences in the directory of mentors.
MAX_HOW_I_HELP = 300
# The cohort field's value for "any cohort".
ANY_COHORT = "any"
_SEPARATORS = re.compile(r"[,;\n]")


@dataclass(frozen=True)
class ProfileForm:
    """The profile modal's fields, checked."""

    role: str
    cohort_id: int | None
    areas: list[str]
    goals: str | None
    capacity: int | None
    open_to_requests: bool = False
    how_i_help: str | None = None


def parse_areas(text: str) -> list[str]:
    """Comma-separated labels → short lowercase labels, each once, in the order typed."""
    labels: list[str] = []
    for part in _SEPARATORS.split(clean_user_text(text)):
        label = " ".join(part.split()).lower()
        if label and label not in labels:
            labels.append(label)
    if not labels:
        raise InvalidForm("areas", "profiles/no_areas")
    if len(labels) > MAX_AREAS:
        raise InvalidForm("areas", "profiles/too_many_areas", most=MAX_AREAS, count=len(labels))
    for label in labels:
        if len(label) > MAX_AREA:
            raise InvalidForm("areas", "profiles/area_too_long", label=label, limit=MAX_AREA)
    return labels


def read_profile_form(
    values: dict[str, str | None], *, open_to_requests: bool = False
) -> ProfileForm:
    """Check the modal's fields; InvalidForm names the first field that is wrong.
    `open_to_requests`: a mentor ticked that mentees may ask them."""
    role = values.get("role") or ""
    if role not in ROLES:
        raise InvalidForm("role", "profiles/pick_role")
    cohort = values.get("cohort") or ANY_COHORT
    if cohort != ANY_COHORT and not is_whole_number(cohort):
        raise InvalidForm("cohort", "profiles/pick_cohort")
    areas = parse_areas(values.get("areas") or "")
    goals = clean_user_text(values.get("goals") or "")
    if len(goals) > MAX_GOALS:
        raise InvalidForm("goals", "profiles/too_long", limit=MAX_GOALS, length=len(goals))
    capacity = None
    typed = (values.get("capacity") or "").strip()
    if role == "mentor" and typed:
        if not is_whole_number(typed) or not 1 <= int(typed) <= MAX_CAPACITY:
            raise InvalidForm("capacity", "profiles/capacity", most=MAX_CAPACITY)
        capacity = int(typed)
    how_i_help = clean_user_text(values.get("how_i_help") or "")
    if len(how_i_help) > MAX_HOW_I_HELP:
        raise InvalidForm(
            "how_i_help", "profiles/too_long", limit=MAX_HOW_I_HELP, length=len(how_i_help)
        )
    return ProfileForm(
        role=role,
        cohort_id=None if cohort == ANY_COHORT else int(cohort),
        areas=areas,
        goals=goals or None,
        capacity=capacity,
        open_to_requests=role == "mentor" and open_to_requests,
        how_i_help=(how_i_help or None) if role == "mentor" else None,
    )


def profile_of(session: Session, *, team_id: str, user_id: str) -> Profile | None:
    """The person's profile, if they filled one."""
    return session.scalar(
        select(Profile).where(Profile.team_id == team_id, Profile.user_id == user_id)
    )


@dataclass(frozen=True)
class ProfileDraft:
    """What the profile modal starts with: the person's profile (if they filled one), the
    running cohorts, their capacity, and their time zone and working hours."""

    profile: Profile | None
    cohorts: list[Cohort]
    capacity: int
    zone: str
    hours: str


def profile_draft(
    session: Session, *, team_id: str, user_id: str, availability: Availability, now: datetime
) -> ProfileDraft:
    """The profile form for this person; `availability` is theirs."""
    member = get_or_create_member(session, team_id=team_id, user_id=user_id, now=now)
    return ProfileDraft(
        profile=profile_of(session, team_id=team_id, user_id=user_id),
        cohorts=list_cohorts(session, team_id=team_id, include_ended=False),
        capacity=member.mentor_capacity or DEFAULT_CAPACITY,
        zone=availability.zone.key,
        hours=str(availability.hours),
    )


@dataclass(frozen=True)
class SavedProfile:
    """A profile as saved, with its cohort (None = any) and the mentor's capacity."""

    profile: Profile
    cohort: Cohort | None
    capacity: int | None
    created: bool


def save_profile(
    session: Session, *, team_id: str, user_id: str, form: ProfileForm, now: datetime
) -> SavedProfile:
    """Create or update the person's profile; a mentor's capacity is kept on their member row."""
    cohort = None
    if form.cohort_id is not None:
        try:
            cohort = find_cohort_by_id(session, team_id=team_id, cohort_id=form.cohort_id)
        except NotFound:
            raise InvalidForm("cohort", "profiles/cohort_gone") from None
        if cohort.phase == "ended":
            raise InvalidForm("cohort", "cohorts/ended_pick", cohort=cohort.name)
    profile = profile_of(session, team_id=team_id, user_id=user_id)
    created = profile is None
    if profile is None:
        profile = Profile(team_id=team_id, user_id=user_id, created_at=now)
        session.add(profile)
    profile.role = form.role
    profile.cohort_id = cohort.id if cohort else None
    profile.areas = list(form.areas)
    profile.goals = form.goals
    profile.open_to_requests = form.open_to_requests
    profile.how_i_help = form.how_i_help
    profile.updated_at = now
    member = get_or_create_member(session, team_id=team_id, user_id=user_id, now=now)
    capacity = None
    if form.role == "mentor":
        if form.capacity is not None:
            set_capacity(session, member=member, capacity=form.capacity)
        capacity = member.mentor_capacity or DEFAULT_CAPACITY
    session.flush()
    return SavedProfile(profile=profile, cohort=cohort, capacity=capacity, created=created)
