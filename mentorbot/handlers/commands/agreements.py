"""`/checkin agreement`: the pair's agreement form."""

from __future__ import annotations

from mentorbot.bot.services.checkins import (
    pair_to_check_in,
)
from mentorbot.handlers.commands.request import MentoringRequest as Request
from mentorbot.handlers.modals import open_modal
from mentorbot.handlers.views.agreements import agreement_modal


def show_agreement(request: Request) -> None:
    pair = pair_to_check_in(request.session, team_id=request.team_id, user_id=request.user_id)
    request.ack()
    view = agreement_modal(request.session, pair, request.now)
    open_modal(request.context, request.client, request.trigger_id, view)
