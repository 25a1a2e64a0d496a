"""Submissions of the rhythm's modals: a check-in, a goal, a pause, a moved meeting."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from slack_bolt import Ack, App, BoltContext
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput, InvalidForm
from mentorbot.bot.rendering import render_json, render_text
from mentorbot.bot.services import goals, pauses
from mentorbot.bot.services.checkins import pair_of_member, read_form, record_checkin
from mentorbot.bot.services.meetings import local_moment, move_meeting
from mentorbot.bot.services.workspaces import availability_for
from mentorbot.bot.usertext import clean_user_text, is_whole_number
from mentorbot.handlers.forms import checked, field
from mentorbot.handlers.modals import finish_modal, text_blocks


def register(app: App) -> None:
    """Attach the rhythm's modal submission listeners."""
    app.view("checkin")(submit_checkin)
    app.view("goal")(submit_goal)
    app.view("pause")(submit_pause)
    app.view("meeting_move")(submit_move)


def _pair(view: dict[str, Any], context: BoltContext, session: Session) -> Any:
    """The pair the form is about: the one picked (a mentor of several), else the opener's."""
    metadata = field(view, "pair") or str(view.get("private_metadata") or "")
    if not is_whole_number(metadata):
        raise BadInput("this form is out of date; type `/checkin` to open it again.")
    return pair_of_member(
        session, team_id=context.team_id or "", pair_id=int(metadata), user_id=context.user_id or ""
    )


def submit_checkin(
    ack: Ack, view: dict[str, Any], context: BoltContext, session: Session, now: datetime
) -> None:
    """Record the check-in and say who can see it."""
    pair = _pair(view, context, session)
    user_id = context.user_id or ""
    values = {
        name: field(view, name)
        for name in ("rating", "went_well", "blockers", "next_steps", "goal")
    }
    values["share"] = "share" if "share" in checked(view, "share") else None
    form = read_form(values, sharing=user_id == pair.mentee_id)
    checkin = record_checkin(
        session, pair=pair, author_id=user_id, form=form, source="modal", now=now
    )
    shown = render_json("checkin/recorded.json.j2", checkin=checkin, pair=pair, undo=False)
    finish_modal(ack, "Checked in", shown["blocks"])


def submit_goal(
    ack: Ack, view: dict[str, Any], context: BoltContext, session: Session, now: datetime
) -> None:
    """Add the goal; problems are shown next to their fields."""
    pair = _pair(view, context, session)
    due_text = field(view, "due")
    draft = goals.GoalDraft(
        title=clean_user_text(field(view, "title") or ""),
        measure=clean_user_text(field(view, "measure") or ""),
        due_on=date.fromisoformat(due_text) if due_text else None,
    )
    zone = availability_for(session, team_id=pair.team_id, user_id=context.user_id or "").zone
    today = now.astimezone(zone).date()
    problems = goals.check_draft(draft, today=today)
    if problems:
        raise InvalidForm(*problems[0])
    goal = goals.add_goal(
        session, pair=pair, by=context.user_id or "", draft=draft, today=today, now=now
    )
    finish_modal(ack, "Your goals", text_blocks(render_text("goals/added.md.j2", goal=goal)))


def submit_pause(
    ack: Ack, view: dict[str, Any], context: BoltContext, session: Session, now: datetime
) -> None:
    """Pause for the chosen length."""
    team_id, user_id = context.team_id or "", context.user_id or ""
    zone = availability_for(session, team_id=team_id, user_id=user_id).zone
    length = field(view, "length") or ""
    try:
        until = pauses.pause_end(length, now=now, zone=zone)
    except BadInput as problem:
        raise InvalidForm("length", str(problem.context["message"])) from None
    pair = _pair(view, context, session)  # the pair whose Pause button was pressed
    paused = pauses.pause(
        session, team_id=team_id, user_id=user_id, until=until, now=now, pair_id=pair.id
    )
    text = render_text("rhythm/paused.md.j2", pairs=paused, until=until, zone=zone)
    finish_modal(ack, "Paused", text_blocks(text))


def submit_move(
    ack: Ack, view: dict[str, Any], context: BoltContext, session: Session, now: datetime
) -> None:
    """Move the coming meeting to the picked date and time (the picker's own time zone)."""
    pair = _pair(view, context, session)
    user_id = context.user_id or ""
    zone = availability_for(session, team_id=pair.team_id, user_id=user_id).zone
    day_text, time_text = field(view, "date"), field(view, "time")
    if not day_text:
        raise InvalidForm("date", "Pick the new date.")
    if not time_text:
        raise InvalidForm("time", "Pick the new time.")
    try:
        day, at = date.fromisoformat(day_text), time.fromisoformat(time_text)
    except ValueError:
        raise InvalidForm("time", "Pick a date and a time from the pickers.") from None
    try:
        moment = local_moment(day, at, zone, now=now)
        move_meeting(session, pair=pair, to=moment, by=user_id, now=now)
    except BadInput as problem:
        raise InvalidForm("date", str(problem.context["message"]).capitalize()) from None
    text = render_text("rhythm/moved.md.j2", pair=pair, zone=zone)
    finish_modal(ack, "Meeting moved", text_blocks(text))
