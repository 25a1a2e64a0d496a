"""Sign in with Slack for the dashboard (OpenID Connect), when SLACK_CLIENT_ID is set.

- `GET /dashboard/sign-in/slack`: on to Slack's authorize page, with a random `state` kept
  in a short-lived cookie (`HttpOnly`, `SameSite=Lax`).
- `GET /dashboard/sign-in/slack/callback`: Slack sends the person back with a code; the
  state must match the cookie's. `openid.connect.token` exchanges the code, and
  `openid.connect.userInfo` says who signed in and in which workspace: the workspace is
  chosen from the token, never from the request. Only a coordinator of a workspace
  mentorbot serves gets a session.

The redirect URL Slack is given is `MENTORBOT_PUBLIC_URL/dashboard/sign-in/slack/callback`;
it must be listed in the app's OAuth settings (the manifest has it).
"""

from __future__ import annotations

import hmac
import logging
import secrets
from urllib.parse import urlencode

from flask import Blueprint, Response, request
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from mentorbot.bot.db import unit_of_work
from mentorbot.bot.services.dashboard_sessions import start_session
from mentorbot.dashboard import HEADERS, PREFIX, html_page, signed_in_answer
from mentorbot.runtime import Runtime

AUTHORIZE_URL = "https://slack.com/openid/connect/authorize"
START_PATH = f"{PREFIX}/sign-in/slack"
CALLBACK_PATH = f"{START_PATH}/callback"
STATE_COOKIE = "mentorbot_sign_in_state"
STATE_SECONDS = 600
log = logging.getLogger(__name__)


def slack_sign_in(runtime: Runtime) -> Blueprint:
    """The two routes of Sign in with Slack (registered only with SLACK_CLIENT_ID)."""
    pages = Blueprint("slack_sign_in", __name__)
    settings = runtime.settings
    secure = (settings.public_url or "").startswith("https://")

    def redirect_uri() -> str:
        return f"{runtime.settings.public_url}{CALLBACK_PATH}"

    def refused() -> Response:
        answer = html_page("dashboard/link_refused.html.j2", status=403, with_slack=True)
        answer.delete_cookie(STATE_COOKIE, path=START_PATH)
        return answer

    @pages.get(START_PATH)
    def start() -> Response:
        state = secrets.token_urlsafe(32)
        query = urlencode(
            {
                "response_type": "code",
                "scope": "openid profile",
                "client_id": settings.slack_client_id or "",
                "state": state,
                "redirect_uri": redirect_uri(),
            }
        )
        answer = Response(status=302, headers={**HEADERS, "Location": f"{AUTHORIZE_URL}?{query}"})
        answer.set_cookie(
            STATE_COOKIE,
            state,
            max_age=STATE_SECONDS,
            path=START_PATH,
            httponly=True,
            samesite="Lax",
            secure=secure,
        )
        return answer

    @pages.get(CALLBACK_PATH)
    def callback() -> Response:
        kept, sent = request.cookies.get(STATE_COOKIE, ""), request.args.get("state", "")
        code = request.args.get("code", "")
        if not kept or not sent or not hmac.compare_digest(kept, sent) or not code:
            return refused()
        slack = WebClient(base_url=settings.slack_api_url)
        try:
            token = slack.openid_connect_token(
                client_id=settings.slack_client_id or "",
                client_secret=settings.slack_client_secret or "",
                code=code,
                redirect_uri=redirect_uri(),
            )
            who = WebClient(
                token=str(token["access_token"]), base_url=settings.slack_api_url
            ).openid_connect_userInfo()
        except SlackApiError as error:
            log.warning("Sign in with Slack failed: %s", error.response.get("error"))
            return refused()
        team_id = str(who.get("https://slack.com/team_id") or "")
        user_id = str(who.get("https://slack.com/user_id") or who.get("sub") or "")
        with unit_of_work(runtime.sessions) as session:
            signed = start_session(session, team_id=team_id, user_id=user_id, now=runtime.clock())
        if signed is None:
            return refused()
        answer = signed_in_answer(runtime.settings, signed[1])
        answer.delete_cookie(STATE_COOKIE, path=START_PATH)
        return answer

    return pages
