"""The kickoff message's "Set up our agreement" button opens the agreement modal."""

from __future__ import annotations

from slack_bolt import App

from mentorbot.bot.services.agreements import pair_for_agreement
from mentorbot.handlers.modals import button_number, modal_opener
from mentorbot.handlers.views.agreements import agreement_modal


def register(app: App) -> None:
    """Attach the button's listener."""
    app.action("agreement_open")(open_agreement)


# The kickoff's "Set up our agreement": the agreement modal, if the presser is in the pair.
open_agreement = modal_opener(
    lambda session, actor, action: agreement_modal(
        session,
        pair_for_agreement(
            session,
            team_id=actor.team_id,
            pair_id=button_number(action, "agreements/stale_button"),
            user_id=actor.user_id,
        ),
        actor.now,
    )
)
