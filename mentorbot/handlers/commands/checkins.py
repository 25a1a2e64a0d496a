"""`/checkin`, `/checkin <text>`, `/checkin history`: check in by form or in a line; look back."""

from __future__ import annotations

from mentorbot.bot.rendering import render_json, render_text
from mentorbot.bot.services.checkins import history, pair_to_check_in, record_quick_checkin
from mentorbot.handlers.commands.request import MentoringRequest as Request
from mentorbot.handlers.modals import open_modal_built
from mentorbot.handlers.views.checkins import checkin_modal


def open_checkin(request: Request) -> None:
    """`/checkin`: the check-in modal, for the person's pair. Only finding the pair holds up
    the answer; the modal's goals or mentees are read after it."""
    pair = pair_to_check_in(request.session, team_id=request.team_id, user_id=request.user_id)
    request.ack()
    user_id = request.user_id
    open_modal_built(
        request.context,
        request.client,
        request.trigger_id,
        lambda session: checkin_modal(session, pair=pair, user_id=user_id),
    )


def quick_checkin(request: Request) -> None:
    """`/checkin <text>`: a private check-in, with an undo button."""
    checkin, pair = record_quick_checkin(
        request.session,
        team_id=request.team_id,
        author_id=request.user_id,
        text=request.text.raw,
        source="command",
        now=request.now,
    )
    shown = render_json("checkins/recorded.json.j2", checkin=checkin, pair=pair, undo=True)
    request.ack(response_type="ephemeral", **shown)


def show_history(request: Request) -> None:
    found = history(request.session, team_id=request.team_id, user_id=request.user_id)
    request.reply(render_text("checkins/history.md.j2", checkins=found))
