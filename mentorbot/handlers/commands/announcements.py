"""`/mentoring announce` (a modal) and `/mentoring announcements` (pending, with cancel)."""

from __future__ import annotations

from mentorbot.bot.errors import NotFound
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.announcements import VARIABLES, pending_announcements
from mentorbot.bot.services.cohorts import list_cohorts
from mentorbot.handlers.commands.request import MentoringRequest
from mentorbot.handlers.deferred import defer


def announce(request: MentoringRequest) -> None:
    """Open the announcement modal: cohort, message, and when."""
    cohorts = list_cohorts(request.session, team_id=request.team_id, include_ended=False)
    if not cohorts:
        raise NotFound("announcements/no_cohort")
    view = render_json(
        "announcements/modal.json.j2",
        cohorts=cohorts,
        zone=request.zone().key,
        variables=VARIABLES,
    )
    client, trigger_id = request.client, request.trigger_id
    request.ack()
    defer(
        request.context,
        "open the announcement modal",
        lambda: client.views_open(trigger_id=trigger_id, view=view),
    )


def pending(request: MentoringRequest) -> None:
    """List announcements still to be posted, each with a cancel button."""
    found = pending_announcements(request.session, team_id=request.team_id)
    message = render_json("announcements/pending.json.j2", pending=found, zone=request.zone())
    request.ack(response_type="ephemeral", **message)
