"""`/mentoring match <cohort>` proposes pairs; `/checkin profile` opens one's profile."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.cohorts import default_cohort
from mentorbot.bot.services.match_proposals import proposal_message, propose
from mentorbot.bot.services.pairs import MAX_CAPACITY
from mentorbot.bot.services.profiles import ANY_COHORT, MAX_GOALS, MAX_HOW_I_HELP, profile_draft
from mentorbot.bot.services.workspaces import availability_for
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.commands.request import MentoringRequest
from mentorbot.handlers.modals import open_modal


def match(request: MentoringRequest) -> None:
    """Propose pairs for the cohort's unpaired people, to be changed and confirmed."""
    name = request.text.rest
    cohort = default_cohort(request.session, team_id=request.team_id, name=name or None)
    proposal = propose(request.session, cohort=cohort, by=request.user_id, now=request.now)
    message = proposal_message(request.session, proposal=proposal, now=request.now)
    request.ack(response_type="ephemeral", **message)


def profile_modal(session: Session, actor: Actor) -> Any:
    """The profile modal, with the person's time zone as Slack has it now."""
    actor.checked_zone()
    team_id, user_id = actor.team_id, actor.user_id
    mine = availability_for(session, team_id=team_id, user_id=user_id)
    draft = profile_draft(
        session, team_id=team_id, user_id=user_id, availability=mine, now=actor.now
    )
    return render_json(
        "profiles/modal.json.j2",
        **vars(draft),
        max_capacity=MAX_CAPACITY,
        max_goals=MAX_GOALS,
        max_how_i_help=MAX_HOW_I_HELP,
        any_cohort=ANY_COHORT,
    )


def profile(request: MentoringRequest) -> None:
    """`/checkin profile`: the mentoring profile modal."""
    view = profile_modal(request.session, request.actor)
    request.ack()
    open_modal(request.context, request.client, request.trigger_id, view)
