"""`/checkin reschedule YYYY-MM-DD HH:MM [@mentee]`: move the coming meeting once."""

from __future__ import annotations

from datetime import time

from mentorbot.bot.errors import BadInput, Example, NotFound
from mentorbot.bot.rendering import render_text
from mentorbot.bot.services import meetings
from mentorbot.bot.services.pairs import pairs_of_person
from mentorbot.handlers.commands.grammar import a_date, person
from mentorbot.handlers.commands.request import MentoringRequest as Request

MOVE_EXAMPLE = Example("meetings/reschedule")


def reschedule(request: Request) -> None:
    """`/checkin reschedule YYYY-MM-DD HH:MM [@mentee]`: move the coming meeting once."""
    words = request.text.tokens()
    mentee = None
    if words and words[-1].startswith("<@"):
        mentee = person(words.pop(), example=MOVE_EXAMPLE)
    if len(words) == 1 and "T" in words[0]:  # 2027-03-11T15:00, as ISO 8601 writes it
        words = words[0].split("T", 1)
    if len(words) != 2:
        raise BadInput("meetings/date_and_time", example=MOVE_EXAMPLE)
    day = a_date(words[0], example=MOVE_EXAMPLE)
    try:
        at = time.fromisoformat(words[1])
    except ValueError:
        raise BadInput("meetings/not_a_time", value=words[1], example=MOVE_EXAMPLE) from None
    pairs = [
        pair
        for pair in pairs_of_person(
            request.session, team_id=request.team_id, user_id=request.user_id, status=("active",)
        )
        if mentee is None or pair.mentee_id == mentee
    ]
    as_mentee = [pair for pair in pairs if pair.mentee_id == request.user_id]
    if as_mentee:
        pairs = as_mentee
    if not pairs:
        raise NotFound("meetings/no_pair")
    if len(pairs) > 1:
        request.reply(render_text("meetings/choose_pair.md.j2", pairs=pairs))
        return
    zone = request.actor.zone
    pair = pairs[0]
    meetings.move_meeting(
        request.session,
        pair=pair,
        to=meetings.local_moment(day, at, zone, now=request.now),
        by=request.user_id,
        now=request.now,
    )
    request.reply(render_text("meetings/moved.md.j2", pair=pair, zone=zone))
