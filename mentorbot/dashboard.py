"""The coordinators' web dashboard: server-rendered pages behind a one-time sign-in link.

- `GET /dashboard/sign-in/<token>`: the link from `/mentoring dashboard`; a page whose
  button signs in (`POST` to the same path), so a link previewer cannot use it up.
- `GET /dashboard`: the programme: every running cohort's figures.
- `POST /dashboard/sign-out`: ends the session.
- `GET /dashboard/style.css`: the pages' one stylesheet.

A session is a cookie (`HttpOnly`, `SameSite=Lax`, `Secure` over https, 8 hours) holding a
token whose hash the database keeps; every POST carries the session's CSRF token. A person
who stops coordinating loses access at their next request. Pages show engagement only,
never what anyone wrote, and answer `Cache-Control: no-store`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from flask import Blueprint, Response, request
from sqlalchemy.exc import SQLAlchemyError

from mentorbot.bot.db import reading, unit_of_work
from mentorbot.bot.rendering import render_html
from mentorbot.bot.services import dashboard_pages, dashboard_sessions
from mentorbot.bot.services.dashboard_sessions import SESSION_VALID, Viewer
from mentorbot.bot.services.feedback import MIN_GROUP
from mentorbot.runtime import Runtime

COOKIE = "mentorbot_dashboard"
PREFIX = "/dashboard"
log = logging.getLogger(__name__)
# What every page answers with: not cached, not framed, no scripts from anywhere.
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self';"
        " frame-ancestors 'none'; base-uri 'none'"
    ),
}


def dashboard(runtime: Runtime, not_found: Callable[[], Response]) -> Blueprint:
    """The dashboard's routes, reading the runtime's database."""
    pages = Blueprint("dashboard", __name__)
    secure = (runtime.settings.public_url or "").startswith("https://")

    def now() -> datetime:
        return runtime.clock()  # the wall clock, or the demo's

    def page(template: str, status: int = 200, **context: object) -> Response:
        body = render_html(template, **context)
        return Response(
            body, status=status, content_type="text/html; charset=utf-8", headers=HEADERS
        )

    def signed_out(status: int = 403) -> Response:
        return page("dashboard/signed_out.html.j2", status=status)

    def viewer() -> Viewer | None:
        with reading(runtime.sessions) as session:
            return dashboard_sessions.viewer_of(
                session, cookie=request.cookies.get(COOKIE), now=now()
            )

    @pages.get(f"{PREFIX}/sign-in/<token>")
    def sign_in_page(token: str) -> Response:
        with reading(runtime.sessions) as session:
            good = dashboard_sessions.link_is_good(session, token=token, now=now())
        if not good:
            return page("dashboard/link_refused.html.j2", status=403)
        return page("dashboard/sign_in.html.j2", token=token)

    @pages.post(f"{PREFIX}/sign-in/<token>")
    def sign_in(token: str) -> Response:
        with unit_of_work(runtime.sessions) as session:
            signed = dashboard_sessions.redeem_link(session, token=token, now=now())
        if signed is None:
            return page("dashboard/link_refused.html.j2", status=403)
        _, cookie = signed
        answer = Response(status=303, headers={**HEADERS, "Location": PREFIX})
        answer.set_cookie(
            COOKIE,
            cookie,
            max_age=int(SESSION_VALID.total_seconds()),
            path=PREFIX,
            httponly=True,
            samesite="Lax",
            secure=secure,
        )
        return answer

    @pages.get(PREFIX)
    def programme() -> Response:
        who = viewer()
        if who is None:
            return signed_out()
        with reading(runtime.sessions) as session:  # (rendered while its rows are loaded)
            cards = dashboard_pages.programme(
                session, team_id=who.team_id, viewer=who.user_id, now=now()
            )
            return page("dashboard/programme.html.j2", viewer=who, cards=cards, min_group=MIN_GROUP)

    @pages.post(f"{PREFIX}/sign-out")
    def sign_out() -> Response:
        who = viewer()
        if who is not None and who.csrf_ok(request.form.get("csrf")):
            with unit_of_work(runtime.sessions) as session:
                dashboard_sessions.sign_out(session, viewer=who, now=now())
        elif who is not None:
            return page("dashboard/stale_form.html.j2", status=400)
        answer = page("dashboard/signed_out.html.j2", status=200, bye=True)
        answer.delete_cookie(COOKIE, path=PREFIX, httponly=True, samesite="Lax", secure=secure)
        return answer

    @pages.get(f"{PREFIX}/style.css")
    def style() -> Response:
        body = render_html("dashboard/style.css.j2")
        headers = {**HEADERS, "Cache-Control": "public, max-age=3600"}
        return Response(body, content_type="text/css; charset=utf-8", headers=headers)

    @pages.errorhandler(SQLAlchemyError)
    def database_down(error: SQLAlchemyError) -> Response:
        log.warning(
            "A dashboard page was asked for while the database did not answer", exc_info=error
        )
        return page("dashboard/unavailable.html.j2", status=503)

    return pages
