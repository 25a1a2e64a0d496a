"""The controls of a `/mentoring match` proposal (drop, swap, confirm, discard) and the App
Home's profile button."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.models import MatchProposal
from mentorbot.bot.services import match_proposals
from mentorbot.bot.usertext import is_whole_number
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.commands.matching import profile_modal
from mentorbot.handlers.deferred import replace_message
from mentorbot.handlers.middleware import coordinators_only
from mentorbot.handlers.modals import modal_opener


def register(app: App) -> None:
    """Attach the listeners."""
    app.action("profile_open")(open_profile)
    for action_id in ("match_row", "match_confirm", "match_discard"):
        app.action(action_id, middleware=[coordinators_only])(control)


# The App Home's "Your mentoring profile": the profile modal.
open_profile = modal_opener(lambda session, actor, action: profile_modal(session, actor))


def _drop(session: Session, proposal: MatchProposal, first: str, _b: str, now: datetime) -> Any:
    match_proposals.drop_row(proposal, mentee_id=first)
    return match_proposals.proposal_message(session, proposal=proposal, now=now)


def _swap(session: Session, proposal: MatchProposal, first: str, second: str, now: datetime) -> Any:
    match_proposals.swap_mentees(session, proposal=proposal, first=first, second=second, now=now)
    return match_proposals.proposal_message(session, proposal=proposal, now=now)


def _confirm(session: Session, proposal: MatchProposal, _a: str, _b: str, now: datetime) -> Any:
    return match_proposals.confirmed_message(
        match_proposals.confirm(session, proposal=proposal, now=now)
    )


def _discard(session: Session, proposal: MatchProposal, _a: str, _b: str, now: datetime) -> Any:
    match_proposals.discard(proposal, now=now)
    return match_proposals.discarded_message(session, proposal)


# What each control does, by the first word of its value (`swap:7:U1:U2`, `confirm:7`):
# it changes or settles the proposal and returns the message to show in its place.
CONTROLS: dict[str, Callable[[Session, MatchProposal, str, str, datetime], Any]] = {
    "drop": _drop,
    "swap": _swap,
    "confirm": _confirm,
    "discard": _discard,
}


def control(
    ack: Ack,
    action: dict[str, Any],
    context: BoltContext,
    session: Session,
    actor: Actor,
    now: datetime,
) -> None:
    """A proposal's controls: a row's menu (drop, swap), Confirm and Discard. Coordinators
    only, checked at every press; the message is replaced once the change is saved."""
    ack()
    team_id = actor.team_id
    value = str((action.get("selected_option") or {}).get("value") or action.get("value") or "")
    kind, _, rest = value.partition(":")
    proposal_id, _, mentees = rest.partition(":")
    first, _, second = mentees.partition(":")
    if kind not in CONTROLS or not is_whole_number(proposal_id):
        raise BadInput("matching/stale_control")
    proposal = match_proposals.open_proposal(session, team_id=team_id, proposal_id=int(proposal_id))
    message = CONTROLS[kind](session, proposal, first, second, now)
    replace_message(context, "show the proposal again", **message)
