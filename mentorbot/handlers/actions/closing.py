"""Buttons of phases and closing: extend a cohort from its heads-up, open the closing
modal, and an alumni check-in's two buttons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from sqlalchemy.orm import Session

from mentorbot.bot.rendering import render_text
from mentorbot.bot.services import closing
from mentorbot.bot.services.cohorts import extend_cohort, find_cohort_by_id, summarize
from mentorbot.bot.services.members import require_coordinator, zone_of
from mentorbot.bot.services.phases import EXTEND_BY_BUTTON
from mentorbot.bot.settings import Settings
from mentorbot.handlers.deferred import defer
from mentorbot.handlers.modals import button_number, modal_opener
from mentorbot.handlers.views.closing import alumni_modal, closing_modal


def register(app: App) -> None:
    """Attach the listeners."""
    app.action("cohort_extend")(extend)
    app.action("closing_open")(open_closing)
    app.action("alumni_open")(open_alumni)
    app.action("alumni_stop")(stop_alumni)


def extend(
    ack: Ack,
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    session: Session,
    settings: Settings,
    now: datetime,
) -> None:
    """The heads-up's "Extend by 2 weeks" (coordinators only; Slack asked to confirm)."""
    ack()
    team_id, user_id = context.team_id or "", context.user_id or ""
    require_coordinator(session, team_id=team_id, user_id=user_id, configured=settings.coordinators)
    cohort = find_cohort_by_id(session, team_id=team_id, cohort_id=button_number(action))
    extend_cohort(session, cohort=cohort, weeks=EXTEND_BY_BUTTON, now=now)
    zone = zone_of(session, team_id=team_id, user_id=user_id, default=settings.timezone)
    [summary] = summarize(session, [cohort], now.astimezone(zone).date())
    text = render_text("phases/extended.md.j2", summary=summary, weeks=EXTEND_BY_BUTTON)
    defer(context, "confirm an extension", lambda: respond(text=text, replace_original=True))


def _pair(action: dict[str, Any], context: BoltContext, session: Session) -> Any:
    return closing.pair_for_closing(
        session,
        team_id=context.team_id or "",
        pair_id=button_number(action),
        user_id=context.user_id or "",
    )


# "Reflect and close": the closing modal for the presser's side of the pair.
open_closing = modal_opener(
    lambda session, context, action: closing_modal(
        session, pair=_pair(action, context, session), user_id=context.user_id or ""
    )
)
# "Tell us how it's going": the alumni check-in modal.
open_alumni = modal_opener(
    lambda session, context, action: alumni_modal(_pair(action, context, session))
)


def stop_alumni(
    ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond, session: Session
) -> None:
    """ "Stop these": no more alumni check-ins for the clicker."""
    ack()
    pair = _pair(action, context, session)
    cohort = closing.stop_alumni(session, pair=pair, user_id=context.user_id or "")
    text = render_text("closing/alumni_stopped.md.j2", cohort=cohort)
    defer(context, "confirm alumni stopped", lambda: respond(text=text, replace_original=True))
