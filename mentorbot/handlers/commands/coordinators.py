"""`/mentoring coordinator add|remove|list`: who runs the programme."""

from __future__ import annotations

from mentorbot.bot.errors import BadInput, Example
from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.members import (
    grant_coordinator,
    list_coordinators,
    revoke_coordinator,
    welcome_coordinator,
)
from mentorbot.handlers.commands.grammar import person
from mentorbot.handlers.commands.request import MentoringRequest
from mentorbot.handlers.people import check_people

EXAMPLE = Example("coordinators/coordinator")


def coordinator(request: MentoringRequest) -> None:
    """Add, remove or list coordinators."""
    action = request.text.next()
    if action.word == "list":
        list_all(request)
        return
    if action.word not in ("add", "remove"):
        raise BadInput("coordinators/no_action", example=EXAMPLE)
    tokens = action.tokens()
    if len(tokens) != 1:
        raise BadInput("coordinators/one_person", action=action.word, example=EXAMPLE)
    example = Example("coordinators/coordinator", action=action.word)
    user_id = person(tokens[0], example=example)
    settings, session = request.settings, request.session
    if action.word == "add":
        check_people(
            request.client, session, team_id=request.team_id, user_ids=[user_id], now=request.now
        )
        changed = grant_coordinator(
            session, team_id=request.team_id, user_id=user_id, now=request.now
        )
        if changed:
            welcome_coordinator(
                session,
                team_id=request.team_id,
                user_id=user_id,
                granted_by=request.user_id,
                now=request.now,
            )
    else:
        changed = revoke_coordinator(
            session,
            team_id=request.team_id,
            user_id=user_id,
            configured=settings.coordinators,
            now=request.now,
        )
    people = list_coordinators(session, team_id=request.team_id, configured=settings.coordinators)
    request.reply(
        render_text(
            "coordinators/changed.md.j2",
            action=action.word,
            changed=changed,
            user_id=user_id,
            people=people,
        )
    )


def list_all(request: MentoringRequest) -> None:
    """List the coordinators."""
    people = list_coordinators(
        request.session, team_id=request.team_id, configured=request.settings.coordinators
    )
    request.reply(render_text("coordinators/list.md.j2", people=people))
