"""The Previous and Next buttons of `/mentoring cohort show`: the page before or after, in
place of the one shown (coordinators only, checked at every press)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.services.cohort_show import cohort_show
from mentorbot.bot.services.cohorts import find_cohort_by_id
from mentorbot.bot.usertext import is_whole_number
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.deferred import replace_message
from mentorbot.handlers.middleware import coordinators_only


def register(app: App) -> None:
    """Attach the listener."""
    app.action("cohort_show_page", middleware=[coordinators_only])(turn_page)


def turn_page(
    ack: Ack,
    action: dict[str, Any],
    context: BoltContext,
    session: Session,
    actor: Actor,
    now: datetime,
) -> None:
    """Show the page the button names (`<cohort id>:<page>`) in place of this one."""
    ack()
    team_id, user_id = actor.team_id, actor.user_id
    cohort_id, _, page = str(action.get("value") or "").partition(":")
    if not (is_whole_number(cohort_id) and is_whole_number(page)):
        raise BadInput("cohorts/stale_button")
    cohort = find_cohort_by_id(session, team_id=team_id, cohort_id=int(cohort_id))
    zone = actor.zone
    message = cohort_show(
        session,
        cohort=cohort,
        page=int(page),
        viewer=user_id,
        today=now.astimezone(zone).date(),
        now=now,
        zone=zone,
    )
    replace_message(context, "turn a cohort's page", **message)
