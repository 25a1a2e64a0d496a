"""Buttons of phases and closing: extend a cohort from its heads-up, open the closing
modal, and an alumni check-in's two buttons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from sqlalchemy.orm import Session

from mentorbot.bot.rendering import render_text
from mentorbot.bot.services import closing
from mentorbot.bot.services.cohorts import extend_cohort, find_cohort_by_id, summarize
from mentorbot.bot.services.phases import EXTEND_BY_BUTTON
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.deferred import replace_message
from mentorbot.handlers.middleware import coordinators_only
from mentorbot.handlers.modals import button_number, modal_opener
from mentorbot.handlers.views.closing import alumni_modal, closing_modal


def register(app: App) -> None:
    """Attach the listeners."""
    app.action("cohort_extend", middleware=[coordinators_only])(extend)
    app.action("closing_open")(open_closing)
    app.action("alumni_open")(open_alumni)
    app.action("alumni_stop")(stop_alumni)


def extend(
    ack: Ack,
    action: dict[str, Any],
    context: BoltContext,
    session: Session,
    actor: Actor,
    now: datetime,
) -> None:
    """The heads-up's "Extend by 2 weeks" (coordinators only; Slack asked to confirm)."""
    ack()
    team_id = actor.team_id
    cohort = find_cohort_by_id(session, team_id=team_id, cohort_id=button_number(action))
    extend_cohort(session, cohort=cohort, weeks=EXTEND_BY_BUTTON, now=now)
    [summary] = summarize(session, [cohort], actor.today)
    text = render_text("phases/extended.md.j2", summary=summary, weeks=EXTEND_BY_BUTTON)
    replace_message(context, "confirm an extension", text=text)


def _pair(action: dict[str, Any], actor: Actor, session: Session) -> Any:
    return closing.pair_for_closing(
        session, team_id=actor.team_id, pair_id=button_number(action), user_id=actor.user_id
    )


# "Reflect and close": the closing modal for the presser's side of the pair.
open_closing = modal_opener(
    lambda session, actor, action: closing_modal(
        session, pair=_pair(action, actor, session), user_id=actor.user_id
    )
)
# "Tell us how it's going": the alumni check-in modal.
open_alumni = modal_opener(
    lambda session, actor, action: alumni_modal(_pair(action, actor, session))
)


def stop_alumni(
    ack: Ack, action: dict[str, Any], context: BoltContext, session: Session, actor: Actor
) -> None:
    """ "Stop these": no more alumni check-ins for the clicker."""
    ack()
    pair = _pair(action, actor, session)
    cohort = closing.stop_alumni(session, pair=pair, user_id=actor.user_id)
    text = render_text("closing/alumni_stopped.md.j2", cohort=cohort)
    replace_message(context, "confirm alumni stopped", text=text)
