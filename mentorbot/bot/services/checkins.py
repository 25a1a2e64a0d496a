"""Check-ins: what mentees and mentors record after meeting; private to the author by default."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput, NotFound
from mentorbot.bot.models import CheckIn
from mentorbot.bot.services.pairs import active_pair_of
from mentorbot.bot.usertext import clean_user_text

MAX_TEXT = 3000


def record_quick_checkin(
    session: Session, *, team_id: str, author_id: str, text: str, source: str, now: datetime
) -> CheckIn:
    """Record a one-line check-in for the author's pair, private to the author."""
    text = clean_user_text(text)
    if not text:
        raise BadInput(
            "a check-in needs a few words about how it is going.",
            example="/checkin Had a great first session",
        )
    if len(text) > MAX_TEXT:
        raise BadInput(f"that check-in is {len(text)} characters; please keep it under {MAX_TEXT}.")
    pair = active_pair_of(session, team_id=team_id, user_id=author_id)
    if pair is None:
        raise NotFound(
            "you are not in an active mentoring pair yet, so there is nothing to check in on. "
            "Your programme's coordinators can pair you."
        )
    checkin = CheckIn(
        team_id=team_id,
        pair_id=pair.id,
        author_id=author_id,
        created_at=now,
        went_well=text,
        shared_with_mentor=False,
        source=source,
    )
    session.add(checkin)
    session.flush()
    return checkin
