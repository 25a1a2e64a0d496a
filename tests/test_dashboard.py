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

from mentorbot.bot.models import Cohort, DashboardLink, DashboardSession, OutboundMessage, Pair
from mentorbot.bot.settings import Settings
from mentorbot.dashboard import COOKIE
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.web import WebApp
from tests.conftest import settings_for
from tests.dashboard_data import SECRET_WORDS, mentor_name, seed_large_cohort
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


def rows_of(html: str) -> list[str]:
    """The mentors named in a cohort page's table, in order."""
    return re.findall(r"<tr>\s*<td>(Mentor \d{3})</td>", html)


def test_the_cohort_page_sorts_filters_searches_and_pages_all_its_pairs(
    slack: SignedSlackClient, web: FlaskClient, runtime: Runtime
) -> None:
    with freeze_time(START + timedelta(weeks=5)):
        cohort = seed_large_cohort(runtime.sessions, pairs=120, now=START + timedelta(weeks=5))
        signed_in_with(web, sign_in_path(slack))
        page = web.get(f"/dashboard/cohorts/{cohort}").get_data(as_text=True)
        assert "120 pairs, page 1 of 3." in page
        assert rows_of(page)[:3] == ["Mentor 000", "Mentor 001", "Mentor 002"]
        assert len(rows_of(page)) == 50
        last = web.get(f"/dashboard/cohorts/{cohort}?page=3").get_data(as_text=True)
        assert len(rows_of(last)) == 20 and rows_of(last)[-1] == "Mentor 119"
        backwards = web.get(f"/dashboard/cohorts/{cohort}?sort=mentee&order=desc")
        assert rows_of(backwards.get_data(as_text=True))[0] == "Mentor 119"
        assert 'aria-sort="descending"' in backwards.get_data(as_text=True)
        paused = web.get(f"/dashboard/cohorts/{cohort}?status=paused").get_data(as_text=True)
        assert "12 pairs." in paused and set(rows_of(paused)) == {
            mentor_name(n) for n in range(0, 120, 10)
        }
        weekly = web.get(f"/dashboard/cohorts/{cohort}?cadence=weekly").get_data(as_text=True)
        assert "18 pairs." in weekly
        # Quiet: active, and no check-in for two cycles (every third pair checked in).
        quiet = web.get(f"/dashboard/cohorts/{cohort}?risk=quiet").get_data(as_text=True)
        expected = {mentor_name(n) for n in range(120) if n % 3 and n % 10}
        shown = set(rows_of(quiet))
        while 'rel="next"' in quiet:
            following = re.search(r'href="(\?[^"]+)#pairs" rel="next"', quiet)
            assert following
            quiet = web.get(
                f"/dashboard/cohorts/{cohort}{following.group(1).replace('&amp;', '&')}"
            )
            quiet = quiet.get_data(as_text=True)
            shown |= set(rows_of(quiet))
        assert shown == expected
        found = web.get(f"/dashboard/cohorts/{cohort}?q=mentee+042").get_data(as_text=True)
        assert rows_of(found) == ["Mentor 042"]
        # Nonsense in the query string is the default view, never an error.
        odd = web.get(f"/dashboard/cohorts/{cohort}?sort=%3Cx%3E&page=-4&status=nope")
        assert odd.status_code == 200 and "120 pairs, page 1 of 3." in odd.get_data(as_text=True)
        # The report's files, as Slack's report has them.
        csv = web.get(f"/dashboard/cohorts/{cohort}/pairs.csv")
        assert csv.status_code == 200 and csv.data.count(b"\n") == 121
        assert SECRET_WORDS.encode() not in csv.data and SECRET_WORDS not in page
        assert web.get(f"/dashboard/cohorts/{cohort}/weekly-checkins.png").data[:4] == b"\x89PNG"
        assert web.get(f"/dashboard/cohorts/{cohort}/secrets.txt").status_code == 404


def test_a_pair_page_shows_engagement_and_nudge_queues_the_dm(
    slack: SignedSlackClient, web: FlaskClient, runtime: Runtime
) -> None:
    now = START + timedelta(weeks=5)
    with freeze_time(now):
        cohort = seed_large_cohort(runtime.sessions, pairs=12, now=now)
        signed_in_with(web, sign_in_path(slack))
        with runtime.sessions() as session:
            pairs = {p.mentee_id: p.id for p in session.scalars(select(Pair))}
        rated = web.get(f"/dashboard/pairs/{pairs['UE003']}").get_data(as_text=True)
        assert "Mentor 003 mentors Mentee 003" in rated and "4/5" in rated
        assert SECRET_WORDS not in rated
        quiet = web.get(f"/dashboard/pairs/{pairs['UE001']}").get_data(as_text=True)
        csrf = csrf_of(quiet)
        # Without the session's CSRF token nothing is queued.
        forged = web.post(f"/dashboard/pairs/{pairs['UE001']}/nudge", data={"csrf": "x"})
        assert forged.status_code == 400
        done = web.post(
            f"/dashboard/pairs/{pairs['UE001']}/nudge",
            data={"csrf": csrf, "back": f"/dashboard/cohorts/{cohort}?risk=quiet"},
        )
        assert done.status_code == 303
        assert (
            done.headers["Location"]
            == f"/dashboard/cohorts/{cohort}?risk=quiet&nudged={pairs['UE001']}"
        )
        again = web.get(done.headers["Location"]).get_data(as_text=True)
        assert "Nudge queued" in again and "nudged today" in again
        with runtime.sessions() as session:
            nudges = session.scalars(
                select(OutboundMessage.target_id).where(OutboundMessage.kind == "nudge")
            ).all()
        assert nudges == ["UE001"]
        # A paused pair is not nudged; the page says why, and nothing is queued.
        refused = web.post(f"/dashboard/pairs/{pairs['UE000']}/nudge", data={"csrf": csrf})
        assert refused.status_code == 400 and "paused" in refused.get_data(as_text=True)
        # Extending the cohort, and a pair of another workspace's id range, are checked too.
        assert (
            web.post(
                f"/dashboard/cohorts/{cohort}/extend", data={"csrf": csrf, "weeks": "x"}
            ).status_code
            == 400
        )
        assert (
            web.post(
                f"/dashboard/cohorts/{cohort}/extend", data={"csrf": csrf, "weeks": "2"}
            ).status_code
            == 303
        )
        with runtime.sessions() as session:
            found = session.get(Cohort, cohort)
            assert found is not None
            assert (found.ends_on - found.starts_on).days == 14 * 7
        assert web.get("/dashboard/pairs/999999").status_code == 404


def test_a_coordinator_in_a_pair_never_sees_it(
    slack: SignedSlackClient, web: FlaskClient, runtime: Runtime
) -> None:
    with freeze_time(START):
        create_spring(slack, "starts 2027-03-01 weeks 12")
        mentoring(slack, f"pair {mention(COORD)} {mention(BEN)}")
        mentoring(slack, f"pair {mention(ANA)} {mention(CAT)}")
        signed_in_with(web, sign_in_path(slack))
        with runtime.sessions() as session:
            own = session.scalars(select(Pair.id).where(Pair.mentor_id == COORD)).one()
            cohort = session.scalars(select(Cohort.id)).one()
        page = web.get(f"/dashboard/cohorts/{cohort}").get_data(as_text=True)
        assert "1 pair." in page and "ana" in page and "ben" not in page
        assert web.get(f"/dashboard/pairs/{own}").status_code == 404
        csrf = csrf_of(page)
        assert web.post(f"/dashboard/pairs/{own}/nudge", data={"csrf": csrf}).status_code == 404


def test_a_session_cookie_is_signed_and_a_tampered_one_signs_nobody_in(
    slack: SignedSlackClient, web: FlaskClient
) -> None:
    with freeze_time(START):
        cookie = signed_in_with(web, sign_in_path(slack))
        value = cookie.split(";")[0].split("=", 1)[1]
        token, _, signature = value.rpartition(".")
        assert len(token) >= 43 and len(signature) == 64
        assert web.get("/dashboard").status_code == 200
        for forged in (token, f"{token}.{'0' * 64}", f"{token[:-1]}x.{signature}"):
            web.set_cookie(COOKIE, forged, path="/dashboard")
            assert web.get("/dashboard").status_code == 403, forged
        web.set_cookie(COOKIE, value, path="/dashboard")
        assert web.get("/dashboard").status_code == 200


def test_the_dashboard_is_in_the_coordinators_language_and_its_sign_in_in_the_browsers(
    slack: SignedSlackClient, web: FlaskClient
) -> None:
    from tests.test_language_scenario import language_of_text

    with freeze_time(START):
        create_spring(slack, "starts 2027-03-01 weeks 12")
        link = sign_in_path(slack)
        sign_in = web.get(link, headers={"Accept-Language": "de-DE,de;q=0.9"}).text
        assert '<html lang="de"' in sign_in and language_of_text(sign_in) == "de"
        signed_in_with(web, link)
        assert language_of_text(web.get("/dashboard").text) == "en"
        slack.command("/checkin", "language es", user_id=COORD)
        page = web.get("/dashboard", headers={"Accept-Language": "de"}).text
    assert '<html lang="es"' in page and language_of_text(page) == "es"
