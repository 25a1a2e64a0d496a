"""Sign in with Slack to the dashboard (OpenID Connect), with OAuth installs: the state is
checked, the workspace comes from Slack's answer, and only coordinators get a session."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlencode, urlsplit

from mentorbot.slack_sign_in import AUTHORIZE_URL, CALLBACK_PATH
from tests.http import request
from tests.workspaces import ALICE, ALPHA, AMOS, BETA, BORIS, Bot, start_cohort


def start(bot: Bot) -> tuple[str, str]:
    """Press *Sign in with Slack*: the state Slack is given, and the cookie that keeps it."""
    status, headers, _ = request(bot.url + "/dashboard/sign-in/slack")
    assert status == 302
    location = str(headers["Location"])
    assert location.startswith(AUTHORIZE_URL + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["scope"] == ["openid profile"] and query["client_id"] == ["1234.5678"]
    assert query["redirect_uri"] == [bot.url + CALLBACK_PATH]
    cookie = str(headers["Set-Cookie"])
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    return query["state"][0], cookie.split(";")[0]


def come_back(bot: Bot, code: str, state: str, cookie: str | None) -> tuple[int, str]:
    query = urlencode({"code": code, "state": state})
    status, headers, _ = request(f"{bot.url}{CALLBACK_PATH}?{query}", cookie=cookie)
    return status, str(headers.get("Set-Cookie") or "")


def test_a_coordinator_signs_in_with_slack_into_their_own_workspace(bot: Bot) -> None:
    bot.runtime.settings = replace(bot.runtime.settings, public_url=bot.url)
    bot.install(ALPHA, "Alpha", ALICE)
    bot.install(BETA, "Beta", BORIS)
    start_cohort(bot, ALPHA)
    state, cookie = start(bot)
    status, session = come_back(bot, bot.standin.approve_sign_in(ALPHA, ALICE), state, cookie)
    assert status == 303 and "mentorbot_dashboard=" in session
    page = bot.get("/dashboard", cookie=session.split(";")[0])
    assert page[0] == 200 and "Your programme" in page[1]
    # Slack's answer chose the workspace: Alpha's cohort, nothing of Beta's.
    assert "Spring" in page[1]
    calls = [c.method for c in bot.standin.calls if c.method.startswith("openid.")]
    assert calls == ["openid.connect.token", "openid.connect.userInfo"]


def test_a_wrong_state_a_used_code_or_a_non_coordinator_gets_no_session(bot: Bot) -> None:
    bot.runtime.settings = replace(bot.runtime.settings, public_url=bot.url)
    bot.install(ALPHA, "Alpha", ALICE)
    state, cookie = start(bot)
    code = bot.standin.approve_sign_in(ALPHA, ALICE)
    assert come_back(bot, code, "another-state", cookie)[0] == 403
    assert come_back(bot, code, state, None)[0] == 403  # no state cookie: not this browser
    assert come_back(bot, code, state, cookie)[0] == 303
    assert come_back(bot, code, state, cookie)[0] == 403  # the code was used
    # Amos is in Alpha but does not coordinate; Boris coordinates a workspace not installed.
    for team, user in ((ALPHA, AMOS), (BETA, BORIS)):
        state, cookie = start(bot)
        status, session = come_back(bot, bot.standin.approve_sign_in(team, user), state, cookie)
        assert status == 403 and "mentorbot_dashboard=" not in session
