"""The coordinators' web dashboard: signing in with a one-time link from Slack, a session
behind a cookie, CSRF on every form, and the programme page (engagement, never words)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from freezegun import freeze_time
from slack_bolt import App
from sqlalchemy import select

from mentorbot.bot.models import DashboardLink, DashboardSession
from mentorbot.bot.settings import Settings
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.web import WebApp
from tests.conftest import settings_for
from tests.programme import ANA, BEN, CAT, COORD, create_spring, mention, mentoring
from tests.rhythm import opened
from tests.weeks import START

pytestmark = pytest.mark.usefixtures("people")
PUBLIC = "https://mentorbot.example.com"


@pytest.fixture
def settings(standin: SlackStandin, database_url: str) -> Settings:
    return settings_for(standin, database_url, MENTORBOT_PUBLIC_URL=PUBLIC)


@pytest.fixture
def web(bolt_app: App, runtime: Runtime) -> Iterator[FlaskClient]:
    with WebApp(bolt_app, runtime).test_client() as client:
        yield client


def sign_in_path(slack: SignedSlackClient, user_id: str = COORD) -> str:
    """`/mentoring dashboard`'s link, as a path on the dashboard's server."""
    text = mentoring(slack, "dashboard", user_id=user_id)
    found = re.search(re.escape(PUBLIC) + r"(/dashboard/sign-in/[\w-]+)\|", text)
    assert found, text
    return found.group(1)


def signed_in(slack: SignedSlackClient, web: FlaskClient) -> str:
    """Sign in as the coordinator; returns the session cookie's header."""
    answer = web.post(sign_in_path(slack))
    assert answer.status_code == 303 and answer.headers["Location"] == "/dashboard"
    return answer.headers["Set-Cookie"]


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_a_one_time_link_signs_a_coordinator_in_for_eight_hours(
    slack: SignedSlackClient, web: FlaskClient, runtime: Runtime
) -> None:
    with freeze_time(START) as clock:
        create_spring(slack, "starts 2027-03-01 weeks 12")
        mentoring(slack, f"pair {mention(ANA)} {mention(BEN)}")
        path = sign_in_path(slack)
        with runtime.sessions() as session:
            link = session.scalars(select(DashboardLink)).one()
            assert path.rsplit("/", 1)[1] not in (link.token_hash, "")  # only a hash is kept
        # Opening the link shows a button: a previewer fetching it signs nobody in.
        shown = web.get(path)
        assert shown.status_code == 200 and b'method="post"' in shown.data
        assert web.get("/dashboard").status_code == 403
        cookie = signed_in_with(web, path)
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
        assert "Path=/dashboard" in cookie and "Max-Age=28800" in cookie
        page = web.get("/dashboard")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "<h1>Your programme</h1>" in html and "Spring 2027" in html
        assert "1 active · 0 paused · 0 ended" in html
        assert page.headers["Cache-Control"] == "no-store"
        assert "default-src 'none'" in page.headers["Content-Security-Policy"]
        # The link worked once.
        assert web.post(path).status_code == 403
        # Eight hours on, the session has ended.
        clock.tick(timedelta(hours=8, seconds=1))
        assert web.get("/dashboard").status_code == 403


def signed_in_with(web: FlaskClient, path: str) -> str:
    answer = web.post(path)
    assert answer.status_code == 303, answer.data
    return str(answer.headers["Set-Cookie"])


def test_a_stale_a_strangers_or_a_non_coordinators_link_is_refused(
    slack: SignedSlackClient, web: FlaskClient, runtime: Runtime
) -> None:
    with freeze_time(START) as clock:
        create_spring(slack, "starts 2027-03-01 weeks 12")
        # Only coordinators get a link at all.
        assert "coordinators" in mentoring(slack, "dashboard", user_id=BEN)
        expired = sign_in_path(slack)
        clock.tick(timedelta(minutes=10, seconds=1))
        assert web.get(expired).status_code == 403
        assert web.post(expired).status_code == 403
        assert web.post("/dashboard/sign-in/not-a-token").status_code == 403
        # A coordinator who stops coordinating loses the link, and the session with it.
        mentoring(slack, f"coordinator add {mention(CAT)}")
        later = sign_in_path(slack, CAT)
        signed_in_with(web, sign_in_path(slack))  # Priya's session, in this browser
        mentoring(slack, f"coordinator remove {mention(CAT)}")
        assert web.post(later).status_code == 403
        with runtime.sessions() as session:
            assert session.scalars(select(DashboardSession.user_id)).all() == [COORD]


def test_a_coordinator_removed_loses_access_at_the_next_request(
    slack: SignedSlackClient, web: FlaskClient
) -> None:
    with freeze_time(START):
        create_spring(slack, "starts 2027-03-01 weeks 12")
        mentoring(slack, f"coordinator add {mention(CAT)}")
        signed_in_with(web, sign_in_path(slack, CAT))
        assert web.get("/dashboard").status_code == 200
        mentoring(slack, f"coordinator remove {mention(CAT)}")
        assert web.get("/dashboard").status_code == 403


def test_signing_out_needs_the_sessions_csrf_token(
    slack: SignedSlackClient, web: FlaskClient, runtime: Runtime
) -> None:
    with freeze_time(START):
        create_spring(slack, "starts 2027-03-01 weeks 12")
        signed_in_with(web, sign_in_path(slack))
        page = web.get("/dashboard").get_data(as_text=True)
        assert web.post("/dashboard/sign-out", data={"csrf": "forged"}).status_code == 400
        assert web.get("/dashboard").status_code == 200
        done = web.post("/dashboard/sign-out", data={"csrf": csrf_of(page)})
        assert done.status_code == 200 and "signed out" in done.get_data(as_text=True)
        assert web.get("/dashboard").status_code == 403
        with runtime.sessions() as session:
            assert session.scalars(select(DashboardSession.ended_at)).one() is not None


def test_without_a_public_url_the_dashboard_is_off(
    slack: SignedSlackClient, runtime: Runtime
) -> None:
    runtime.settings = settings_for_off(runtime.settings)
    assert "dashboard is off" in mentoring(slack, "dashboard")


def settings_for_off(settings: Settings) -> Settings:
    from dataclasses import replace

    return replace(settings, public_url=None)


def test_the_coordinators_app_home_opens_a_link_and_nobody_else_gets_one(
    slack: SignedSlackClient, standin: SlackStandin, web: FlaskClient, runtime: Runtime
) -> None:
    with freeze_time(START):
        home = {"type": "app_home_opened", "user": COORD, "channel": "D0HOME", "tab": "home"}
        assert slack.event(home).status == 200
        view = standin.home_view(COORD)
        assert view is not None and "dashboard_open" in json.dumps(view)
        slack.block_action(COORD, "dashboard_open", value="dashboard", view=view)
        text = json.dumps(opened(standin))
        found = re.search(r"(/dashboard/sign-in/[\w-]+)\|", text)
        assert found and web.post(found.group(1)).status_code == 303
        # A mentee's Home has no such button, and a forged press gets no link.
        assert slack.event({**home, "user": BEN}).status == 200
        assert "dashboard_open" not in json.dumps(standin.home_view(BEN))
        slack.block_action(BEN, "dashboard_open", value="dashboard", view=view)
        with runtime.sessions() as session:
            assert session.scalars(select(DashboardLink.user_id)).all() == [COORD]
