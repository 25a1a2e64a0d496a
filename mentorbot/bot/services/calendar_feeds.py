"""Calendar feeds: each person's private link to an iCalendar file of their meetings.

The link's token is long and random: an HMAC, under a server secret (`Settings.feed_key`),
of the person and a random nonce kept in `calendar_feed`. Only the token's SHA-256 is
stored, to find the feed by; the same link can be shown again (it is derived, not kept), a
reset draws a new nonce (the old link stops at once), and a copy of the database alone
opens no one's feed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.models import CalendarFeed, Member
from mentorbot.bot.services.calendar_events import feed_for
from mentorbot.bot.services.languages import speaking_to
from mentorbot.bot.settings import Settings

FEED_PATH = "/calendar/{token}.ics"
# A feed by its token's hash, with what its person's row says (deleted, coordinator).
_FEED = (
    select(CalendarFeed.team_id, CalendarFeed.user_id, Member.deleted, Member.is_coordinator)
    .outerjoin(
        Member,
        (Member.team_id == CalendarFeed.team_id) & (Member.user_id == CalendarFeed.user_id),
    )
    .where(CalendarFeed.token_hash == bindparam("token_hash"))
)
# What a token looks like (43 characters of URL-safe base64: 256 bits).
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class FeedLink:
    """A person's calendar link, for the web (`https`) and for calendar apps (`webcal`)."""

    https: str
    webcal: str
    new: bool  # made just now (the first time, or by a reset)


def feed_link(
    session: Session,
    settings: Settings,
    *,
    team_id: str,
    user_id: str,
    now: datetime,
    reset: bool = False,
) -> FeedLink:
    """The person's link, made on first use; `reset` replaces it (the old one stops).
    BadInput when calendars are off (no MENTORBOT_PUBLIC_URL)."""
    if not settings.public_url:
        raise BadInput("calendar_feeds/off")
    feed = session.scalar(
        select(CalendarFeed).where(CalendarFeed.team_id == team_id, CalendarFeed.user_id == user_id)
    )
    new = feed is None or reset
    if feed is None:
        feed = CalendarFeed(team_id=team_id, user_id=user_id, created_at=now)
        session.add(feed)
    if new:
        feed.nonce = secrets.token_urlsafe(16)
        feed.created_at = now
    token = _token(settings, feed)
    # New, or the server secret changed since: this token is the link from now on.
    feed.token_hash = token_hash(token)
    session.flush()
    https = settings.public_url + FEED_PATH.format(token=token)
    parts = urlsplit(https)
    webcal = "webcal://" + parts.netloc + parts.path
    return FeedLink(https=https, webcal=webcal, new=new)


def feed_by_token(session: Session, token: str) -> bytes | None:
    """The feed a token opens, or None (a malformed, unknown or reset token, or a person
    who deleted their data): the caller answers each the same way."""
    if not TOKEN.fullmatch(token):
        return None
    found = session.execute(_FEED, {"token_hash": token_hash(token)}).first()
    if found is None:
        return None
    team_id, user_id, deleted, granted = found
    if deleted:
        return None
    with speaking_to(session, team_id=team_id, user_id=user_id):  # its words in theirs
        return feed_for(session, team_id=team_id, user_id=user_id, coordinator=bool(granted))


def forget_feed(session: Session, *, team_id: str, user_id: str) -> None:
    """Remove the person's feed: its link stops (deleting one's data)."""
    session.execute(
        delete(CalendarFeed).where(CalendarFeed.team_id == team_id, CalendarFeed.user_id == user_id)
    )


def token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def _token(settings: Settings, feed: CalendarFeed) -> str:
    message = f"{feed.team_id}\0{feed.user_id}\0{feed.nonce}".encode()
    digest = hmac.new(settings.feed_key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
