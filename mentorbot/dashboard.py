"""The coordinators' web dashboard: server-rendered pages behind a one-time sign-in link.

- `GET /dashboard/sign-in/<token>`: the link from `/mentoring dashboard`; a page whose
  button signs in (`POST` to the same path), so a link previewer cannot use it up.
- `GET /dashboard`: the programme: every running cohort's figures.
- `GET /dashboard/cohorts/<id>`: a cohort's figures and all its pairs in one table (sorted,
  filtered, searched and paged on the server), its report's CSV and PNG, its pending
  announcements (with *Cancel*) and *Extend*.
- `GET /dashboard/pairs/<id>`: one pair's engagement over time.
- `POST …/pairs/<id>/nudge`, `…/announcements/<id>/cancel`, `…/cohorts/<id>/extend`: the
  actions, each with the session's CSRF token and the same rules as in Slack.
- `POST /dashboard/sign-out`: ends the session.
- `GET /dashboard/style.css`: the pages' one stylesheet.

A session is a signed cookie (`HttpOnly`, `SameSite=Lax`, `Secure` over https, 8 hours) holding a
token whose hash the database keeps; every POST carries the session's CSRF token. A person
who stops coordinating loses access at their next request. Pages show engagement only,
never what anyone wrote, and answer `Cache-Control: no-store`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from flask import Blueprint, Response, g, request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from mentorbot.bot import languages
from mentorbot.bot.db import reading, unit_of_work
from mentorbot.bot.errors import BadInput, NotAllowed, NotFound
from mentorbot.bot.models import Cohort
from mentorbot.bot.rendering import render_html
from mentorbot.bot.reports import report_data, report_files
from mentorbot.bot.services import dashboard_pages, dashboard_sessions
from mentorbot.bot.services.announcements import cancel_announcement, pending_announcements
from mentorbot.bot.services.cohorts import CADENCES, extend_cohort
from mentorbot.bot.services.dashboard_sessions import SESSION_VALID, Viewer
from mentorbot.bot.services.feedback import MIN_GROUP
from mentorbot.bot.services.health import nudge_pair, pair_engagement
from mentorbot.bot.services.languages import language_of
from mentorbot.bot.services.lookups import of_workspace
from mentorbot.bot.settings import Settings
from mentorbot.bot.usertext import is_whole_number
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


def html_page(template: str, status: int = 200, **context: object) -> Response:
    """A dashboard page, rendered, with the headers every page answers with."""
    body = render_html(template, **context)
    return Response(body, status=status, content_type="text/html; charset=utf-8", headers=HEADERS)


def signed_in_answer(settings: Settings, token: str) -> Response:
    """The answer that starts a session: its signed cookie, and on to the programme page."""
    secure = (settings.public_url or "").startswith("https://")
    answer = Response(status=303, headers={**HEADERS, "Location": PREFIX})
    answer.set_cookie(
        COOKIE,
        dashboard_sessions.seal(settings, token),
        max_age=int(SESSION_VALID.total_seconds()),
        path=PREFIX,
        httponly=True,
        samesite="Lax",
        secure=secure,
    )
    return answer


def safe_back(back: str | None, default: str) -> str:
    """Where a form returns to: a dashboard page's path (with its query), else `default`."""
    if back and back.startswith(PREFIX + "/") and "//" not in back and "\\" not in back:
        return back
    return default


def dashboard(runtime: Runtime, not_found: Callable[[], Response]) -> Blueprint:
    """The dashboard's routes, reading the runtime's database."""
    pages = Blueprint("dashboard", __name__)
    secure = (runtime.settings.public_url or "").startswith("https://")

    def now() -> datetime:
        return runtime.clock()  # the wall clock, or the demo's

    page = html_page
    with_slack = bool(runtime.settings.slack_client_id)  # Sign in with Slack is offered

    def signed_out(status: int = 403) -> Response:
        return page("dashboard/signed_out.html.j2", status=status, with_slack=with_slack)

    def viewer() -> Viewer | None:
        """The signed-in coordinator, read once a request (the page and its language ask)."""
        if "mentorbot_viewer" not in g:
            with reading(runtime.sessions) as session:
                g.mentorbot_viewer = dashboard_sessions.viewer_of(
                    session,
                    cookie=dashboard_sessions.unseal(runtime.settings, request.cookies.get(COOKIE)),
                    now=now(),
                )
        found: Viewer | None = g.mentorbot_viewer
        return found

    def readers_language() -> str:
        """The signed-in coordinator's language; for anyone else, their browser's."""
        try:
            who = viewer()
            if who is not None:
                with reading(runtime.sessions) as session:
                    return language_of(session, team_id=who.team_id, user_id=who.user_id)
        except SQLAlchemyError:
            pass  # (the page says the database is down, in the browser's language)
        wanted = request.accept_languages.best_match(languages.available())
        return languages.supported(wanted) or languages.default()

    @pages.before_request
    def speak_the_readers_language() -> None:
        spoken = languages.speaking(readers_language)  # (read when first needed)
        spoken.__enter__()
        g.mentorbot_language = spoken

    @pages.teardown_request
    def stop_speaking(error: BaseException | None) -> None:
        spoken = g.pop("mentorbot_language", None)
        if spoken is not None:
            spoken.__exit__(None, None, None)

    @pages.get(f"{PREFIX}/sign-in/<token>")
    def sign_in_page(token: str) -> Response:
        with reading(runtime.sessions) as session:
            good = dashboard_sessions.link_is_good(session, token=token, now=now())
        if not good:
            return page("dashboard/link_refused.html.j2", status=403, with_slack=with_slack)
        return page("dashboard/sign_in.html.j2", token=token)

    @pages.post(f"{PREFIX}/sign-in/<token>")
    def sign_in(token: str) -> Response:
        with unit_of_work(runtime.sessions) as session:
            signed = dashboard_sessions.redeem_link(session, token=token, now=now())
        if signed is None:
            return page("dashboard/link_refused.html.j2", status=403, with_slack=with_slack)
        return signed_in_answer(runtime.settings, signed[1])

    @pages.get(PREFIX)
    def programme() -> Response:
        who = viewer()
        if who is None:
            return signed_out()
        with reading(runtime.sessions) as session:  # (rendered while its rows are loaded)
            cards = dashboard_pages.programme(
                session, team_id=who.team_id, viewer=who.user_id, now=now()
            )
            return page(
                "dashboard/programme.html.j2",
                viewer=who,
                cards=cards,
                min_group=MIN_GROUP,
                retention_days=runtime.settings.retention_days,
            )

    def signed_in(render: Callable[[Session, Viewer], Response]) -> Response:
        """The page `render` makes for the signed-in coordinator, in a read-only session;
        the sign-in page for anyone else, a 404 for what is not theirs to see."""
        who = viewer()
        if who is None:
            return signed_out()
        try:
            with reading(runtime.sessions) as session:  # (rendered while its rows are loaded)
                return render(session, who)
        except (NotFound, NotAllowed):
            return not_found_page(who)

    def not_found_page(who: Viewer) -> Response:
        return page("dashboard/not_found.html.j2", status=404, viewer=who)

    def action(change: Callable[[Session, Viewer], str]) -> Response:
        """A form's POST: the session's CSRF token checked, `change` made in one
        transaction, then back to the page it names (303). Bad input is said on a page of
        its own, and nothing changes."""
        who = viewer()
        if who is None:
            return signed_out()
        if not who.csrf_ok(request.form.get("csrf")):
            return page("dashboard/stale_form.html.j2", status=400, viewer=who)
        try:
            with unit_of_work(runtime.sessions) as session:
                back = change(session, who)
        except (NotFound, NotAllowed):
            return not_found_page(who)
        except BadInput as error:
            return page("dashboard/refused.html.j2", status=400, viewer=who, reason=str(error))
        return Response(status=303, headers={**HEADERS, "Location": back})

    @pages.get(f"{PREFIX}/cohorts/<int:cohort_id>")
    def cohort(cohort_id: int) -> Response:
        query = dashboard_pages.TableQuery.parse(request.args)

        def render(session: Session, who: Viewer) -> Response:
            found = dashboard_pages.cohort_page(
                session,
                team_id=who.team_id,
                cohort_id=cohort_id,
                viewer=who.user_id,
                query=query,
                now=now(),
            )
            pending = [
                item
                for item in pending_announcements(session, team_id=who.team_id)
                if item.announcement.cohort_id == cohort_id
            ]
            return page(
                "dashboard/cohort.html.j2",
                viewer=who,
                found=found,
                pending=pending,
                min_group=MIN_GROUP,
                sorts=dashboard_pages.SORTS,
                statuses=dashboard_pages.STATUSES,
                risks=dashboard_pages.RISKS,
                cadences=list(CADENCES),
                nudged=request.args.get("nudged", ""),
            )

        return signed_in(render)

    @pages.get(f"{PREFIX}/cohorts/<int:cohort_id>/<kind>.<ext>")
    def download(cohort_id: int, kind: str, ext: str) -> Response:
        if (kind, ext) not in (("pairs", "csv"), ("weekly-checkins", "png")):
            return not_found()

        def render(session: Session, who: Viewer) -> Response:
            found = of_workspace(session, Cohort, cohort_id, team_id=who.team_id)
            data = report_data(session, cohort=found, now=now(), viewer=who.user_id)
            wanted = f"{data.slug}-{kind}.{ext}"
            file = next(f for f in report_files(data) if f.filename == wanted)
            kinds = {"csv": "text/csv; charset=utf-8", "png": "image/png"}
            headers = {**HEADERS, "Content-Disposition": f'attachment; filename="{wanted}"'}
            return Response(file.content, content_type=kinds[ext], headers=headers)

        return signed_in(render)

    @pages.get(f"{PREFIX}/pairs/<int:pair_id>")
    def pair(pair_id: int) -> Response:
        def render(session: Session, who: Viewer) -> Response:
            found = dashboard_pages.pair_page(
                session, team_id=who.team_id, pair_id=pair_id, viewer=who.user_id, now=now()
            )
            nudged = request.args.get("nudged", "")
            return page("dashboard/pair.html.j2", viewer=who, found=found, nudged=nudged)

        return signed_in(render)

    @pages.post(f"{PREFIX}/pairs/<int:pair_id>/nudge")
    def nudge(pair_id: int) -> Response:
        def change(session: Session, who: Viewer) -> str:
            pair_engagement(  # not their own pair, and in their workspace
                session, team_id=who.team_id, pair_id=pair_id, now=now(), viewer=who.user_id
            )
            nudged, _ = nudge_pair(session, team_id=who.team_id, pair_id=pair_id, now=now())
            back = safe_back(request.form.get("back"), f"{PREFIX}/cohorts/{nudged.cohort_id}")
            return f"{back}{'&' if '?' in back else '?'}nudged={pair_id}"

        return action(change)

    @pages.post(f"{PREFIX}/announcements/<int:announcement_id>/cancel")
    def cancel(announcement_id: int) -> Response:
        def change(session: Session, who: Viewer) -> str:
            item = cancel_announcement(
                session, team_id=who.team_id, announcement_id=announcement_id, now=now()
            )
            return f"{PREFIX}/cohorts/{item.cohort_id}"

        return action(change)

    @pages.post(f"{PREFIX}/cohorts/<int:cohort_id>/extend")
    def extend(cohort_id: int) -> Response:
        def change(session: Session, who: Viewer) -> str:
            found = of_workspace(session, Cohort, cohort_id, team_id=who.team_id)
            weeks = request.form.get("weeks", "")
            if not is_whole_number(weeks):
                raise BadInput("dashboard/weeks")
            extend_cohort(session, cohort=found, weeks=int(weeks), now=now())
            return f"{PREFIX}/cohorts/{cohort_id}"

        return action(change)

    @pages.post(f"{PREFIX}/sign-out")
    def sign_out() -> Response:
        who = viewer()
        if who is not None and who.csrf_ok(request.form.get("csrf")):
            with unit_of_work(runtime.sessions) as session:
                dashboard_sessions.sign_out(session, viewer=who, now=now())
        elif who is not None:
            return page("dashboard/stale_form.html.j2", status=400)
        answer = page("dashboard/signed_out.html.j2", status=200, bye=True, with_slack=with_slack)
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
