"""Signing in to the coordinators' dashboard: one-time links, and sessions behind a cookie.

`/mentoring dashboard` makes a link valid for LINK_VALID (10 minutes), used once, bound to
the person and their workspace. Opening it shows a page whose button signs in (a POST, so
that a link previewer fetching the URL does not use it up); that starts a session of
SESSION_VALID (8 hours) whose token is the cookie. Only SHA-256 hashes of both tokens are
kept. Every request checks again that the person coordinates: one who stops loses access at
their next request. A session reads only its own workspace, ever.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.models import DashboardLink, DashboardSession, Workspace
from mentorbot.bot.services.members import is_coordinator
from mentorbot.bot.services.workspaces import configured_coordinators
from mentorbot.bot.settings import Settings

LINK_VALID = timedelta(minutes=10)
SESSION_VALID = timedelta(hours=8)
SIGN_IN_PATH = "/dashboard/sign-in/{token}"


@dataclass(frozen=True)
class SignInLink:
    """A one-time link, and until when it works."""

    url: str
    expires_at: datetime


@dataclass(frozen=True)
class Viewer:
    """A signed-in coordinator, as a request to the dashboard sees them."""

    team_id: str
    user_id: str
    csrf_token: str
    session_id: int
    expires_at: datetime

    def csrf_ok(self, sent: str | None) -> bool:
        """Whether a form carried this session's CSRF token."""
        return bool(sent) and hmac.compare_digest(str(sent), self.csrf_token)


def token_hash(token: str) -> str:
    """The SHA-256 a token is found by (the token itself is never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


def seal(settings: Settings, token: str) -> str:
    """A session token as its cookie holds it: the token and its HMAC-SHA-256 signature."""
    return f"{token}.{_signature(settings, token)}"


def unseal(settings: Settings, cookie: str | None) -> str | None:
    """The session token of a cookie whose signature is good (None for any other cookie,
    before the database is asked)."""
    token, _, signature = (cookie or "").rpartition(".")
    if not token or not hmac.compare_digest(signature, _signature(settings, token)):
        return None
    return token


def _signature(settings: Settings, token: str) -> str:
    return hmac.new(settings.cookie_key, token.encode(), hashlib.sha256).hexdigest()


def sign_in_link(
    session: Session, settings: Settings, *, team_id: str, user_id: str, now: datetime
) -> SignInLink:
    """A new one-time link for this coordinator. BadInput when the dashboard is off (no
    MENTORBOT_PUBLIC_URL)."""
    if not settings.public_url:
        raise BadInput("dashboard/off")
    token = secrets.token_urlsafe(32)
    link = DashboardLink(
        team_id=team_id,
        user_id=user_id,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + LINK_VALID,
    )
    session.add(link)
    session.flush()
    return SignInLink(settings.public_url + SIGN_IN_PATH.format(token=token), link.expires_at)


def link_is_good(session: Session, *, token: str, now: datetime) -> bool:
    """Whether a link may still sign someone in (unused, not expired, its person still
    coordinating): what its page says before the button is pressed."""
    link = session.scalar(
        select(DashboardLink).where(DashboardLink.token_hash == token_hash(token))
    )
    return (
        link is not None
        and link.used_at is None
        and link.expires_at > now
        and _coordinates(session, link.team_id, link.user_id)
    )


def redeem_link(session: Session, *, token: str, now: datetime) -> tuple[Viewer, str] | None:
    """Use a link once: a new session and its cookie token, or None for a link that is
    unknown, used, expired, or whose person no longer coordinates."""
    if not link_is_good(session, token=token, now=now):
        return None
    used = session.execute(
        update(DashboardLink)
        .where(DashboardLink.token_hash == token_hash(token), DashboardLink.used_at.is_(None))
        .values(used_at=now)
        .returning(DashboardLink.team_id, DashboardLink.user_id)
    ).first()
    if used is None:  # pressed twice at once: the other press signed in
        return None
    team_id, user_id = used
    return start_session(session, team_id=team_id, user_id=user_id, now=now)


def start_session(
    session: Session, *, team_id: str, user_id: str, now: datetime
) -> tuple[Viewer, str] | None:
    """A new session for someone who coordinates in a workspace mentorbot serves, and its
    cookie token (None for anyone else): after a link, or after Sign in with Slack."""
    known = session.scalar(select(Workspace.team_id).where(Workspace.team_id == team_id))
    if known is None or not _coordinates(session, team_id, user_id):
        return None
    cookie = secrets.token_urlsafe(32)
    record = DashboardSession(
        team_id=team_id,
        user_id=user_id,
        token_hash=token_hash(cookie),
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + SESSION_VALID,
    )
    session.add(record)
    session.flush()
    return _viewer(record), cookie


def viewer_of(session: Session, *, cookie: str | None, now: datetime) -> Viewer | None:
    """The coordinator a session cookie signs in, or None (no cookie, an unknown, ended or
    expired session, or a person who no longer coordinates)."""
    if not cookie:
        return None
    record = session.scalar(
        select(DashboardSession).where(DashboardSession.token_hash == token_hash(cookie))
    )
    if record is None or record.ended_at is not None or record.expires_at <= now:
        return None
    if not _coordinates(session, record.team_id, record.user_id):
        return None
    return _viewer(record)


def sign_out(session: Session, *, viewer: Viewer, now: datetime) -> None:
    """End the session: its cookie signs nobody in any more."""
    session.execute(
        update(DashboardSession)
        .where(DashboardSession.id == viewer.session_id, DashboardSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def forget_sessions(session: Session, *, team_id: str, user_id: str) -> None:
    """A person's data going: their sign-in links and sessions are removed (signed out)."""
    for model in (DashboardLink, DashboardSession):
        session.execute(delete(model).where(model.team_id == team_id, model.user_id == user_id))


def _coordinates(session: Session, team_id: str, user_id: str) -> bool:
    return is_coordinator(
        session,
        team_id=team_id,
        user_id=user_id,
        configured=configured_coordinators(session, team_id),
    )


def _viewer(record: DashboardSession) -> Viewer:
    return Viewer(
        team_id=record.team_id,
        user_id=record.user_id,
        csrf_token=record.csrf_token,
        session_id=record.id,
        expires_at=record.expires_at,
    )
