"""The dashboard in a real browser: Debian's Chromium, driven by Playwright, against the web
process on a loopback port, with Slack's stand-in recording what the bot sends.

A coordinator signs in with the link from `/mentoring dashboard`, opens a cohort of 150
pairs, sorts and filters its table, opens a pair and presses *Nudge*; the stand-in records
the DM once the tick sends it. A stranger's or used link is refused, and someone who is not
signed in reaches no page. axe-core (from npm, `tests/browser/`) finds no serious or
critical accessibility violation on the three pages.

Without Chromium (`/usr/bin/chromium`, or MENTORBOT_TEST_CHROMIUM) or axe-core these tests
are skipped, with a line saying how to enable them; CI installs both and sets
MENTORBOT_REQUIRE_BROWSER=1, which turns a skip into a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App

from mentorbot.bot.settings import Settings
from mentorbot.bot.tick import run_tick
from mentorbot.bot.timeutil import utcnow
from mentorbot.localserver import LocalServer
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.web import WebApp
from tests.conftest import settings_for
from tests.dashboard_data import SECRET_WORDS, add_to_standin, seed_large_cohort
from tests.programme import BEN, COORD, mentoring

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.usefixtures("people")
AXE = Path(__file__).parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"


def _chromium() -> str | None:
    return os.environ.get("MENTORBOT_TEST_CHROMIUM") or shutil.which("chromium")


def _missing(what: str) -> None:
    if os.environ.get("MENTORBOT_REQUIRE_BROWSER"):
        pytest.fail(f"{what} is required (MENTORBOT_REQUIRE_BROWSER is set)")
    pytest.skip(f"{what} not found: see tests/test_dashboard_browser.py to enable browser tests")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = _chromium()
    if not chromium:
        _missing("Chromium (apt-get install chromium)")
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def settings(standin: SlackStandin, database_url: str) -> Settings:
    return settings_for(standin, database_url, MENTORBOT_PUBLIC_URL="http://127.0.0.1:1")


@pytest.fixture
def server(bolt_app: App, runtime: Runtime) -> Iterator[str]:
    """The web process on a loopback port; the bot's links point at it."""
    with LocalServer(WebApp(bolt_app, runtime)) as running:
        runtime.settings = replace(runtime.settings, public_url=running.url)
        yield running.url


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # The pages forbid every script; axe-core is injected past that rule, as a tester would.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def sign_in_link(slack: SignedSlackClient) -> str:
    text = mentoring(slack, "dashboard", user_id=COORD)
    found = re.search(r"<(http://127\.0\.0\.1:\d+/dashboard/sign-in/[\w-]+)\|", text)
    assert found, text
    return found.group(1)


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page, as `rule: target` lines."""
    if not AXE.is_file():
        _missing("axe-core (npm ci --prefix tests/browser)")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['id']}: {node['target']}"
        for v in found
        if v["impact"] in ("serious", "critical")
        for node in v["nodes"]
    ]


def first_mentors(page: Any, count: int = 3) -> list[str]:
    return [str(cell) for cell in page.locator("tbody tr td:first-child").all_inner_texts()[:count]]


def test_a_coordinator_signs_in_sorts_filters_opens_a_pair_and_nudges(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin, server: str, page: Any
) -> None:
    now = utcnow()
    cohort = seed_large_cohort(runtime.sessions, pairs=150, now=now)
    add_to_standin(standin, pairs=150)
    page.goto(sign_in_link(slack))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server}/dashboard")
    assert page.get_by_role("heading", level=1).inner_text() == "Your programme"
    assert not serious_violations(page)

    page.get_by_role("link", name="Large").click()
    page.wait_for_url(f"{server}/dashboard/cohorts/{cohort}")
    assert page.locator("#matching").inner_text() == "150 pairs, page 1 of 3."
    assert page.locator("tbody tr").count() == 50
    assert not serious_violations(page)

    # Sort by mentee, then the other way round: the header's link, as a person clicks it.
    page.get_by_role("link", name="Mentee", exact=True).click()
    page.get_by_role("link", name="Mentee ▲").click()
    assert first_mentors(page, 1) == ["Mentor 149"]
    # Filter: paused pairs (every tenth), then a name.
    page.get_by_label("Status").select_option("paused")
    page.get_by_role("button", name="Show").click()
    assert page.locator("#matching").inner_text() == "15 pairs."
    page.get_by_label("Status").select_option("")
    page.get_by_label("Name").fill("Mentee 041")
    page.get_by_role("button", name="Show").click()
    assert first_mentors(page) == ["Mentor 041"]
    assert SECRET_WORDS not in page.content()

    page.get_by_role("link", name="Open Mentor 041 and Mentee 041").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Mentor 041 mentors Mentee 041"
    assert not serious_violations(page)
    page.get_by_role("button", name="Nudge Mentee 041").click()
    assert "Nudge queued" in page.locator("[role=status]").first.inner_text()

    # The tick sends it in the mentee's working hours: the stand-in records the DM.
    weekday = (now + timedelta(days=1)).replace(hour=10, minute=0, tzinfo=UTC)
    while weekday.weekday() > 4:
        weekday += timedelta(days=1)
    run_tick(runtime.sessions, runtime.client, weekday)
    # (Quiet pairs got the automatic nudge too; the coordinator's is its own, once a day.)
    nudged = [
        call
        for call in standin.calls_to("chat.postMessage")
        if call.args.get("channel") == standin.dm_channel_for("UE041")
        and ":asked" in json.dumps(call.args.get("metadata"))
    ]
    assert len(nudged) == 1


def test_strangers_used_links_and_the_signed_out_reach_no_page(
    slack: SignedSlackClient, runtime: Runtime, server: str, page: Any
) -> None:
    cohort = seed_large_cohort(runtime.sessions, pairs=3, now=utcnow())
    for path in ("/dashboard", f"/dashboard/cohorts/{cohort}", "/dashboard/pairs/1"):
        answer = page.goto(server + path)
        assert answer is not None and answer.status == 403
        assert page.get_by_role("heading", level=1).inner_text() == "Please sign in"
    answer = page.goto(f"{server}/dashboard/sign-in/a-strangers-made-up-link")
    assert answer is not None and answer.status == 403
    link = sign_in_link(slack)
    page.goto(link)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server}/dashboard")
    # The same link, used again in another browser, signs nobody in.
    other = page.context.browser.new_context()
    try:
        elsewhere = other.new_page()
        answer = elsewhere.goto(link)
        assert answer is not None and answer.status == 403
        assert "does not work" in elsewhere.content()
    finally:
        other.close()
    # A mentee gets no link at all.
    assert "coordinators" in mentoring(slack, "dashboard", user_id=BEN)


def test_the_dashboard_is_readable_on_a_phone(
    slack: SignedSlackClient, runtime: Runtime, server: str, browser: Any
) -> None:
    cohort = seed_large_cohort(runtime.sessions, pairs=20, now=datetime.now(UTC))
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        phone = context.new_page()
        phone.goto(sign_in_link(slack))
        phone.get_by_role("button", name="Sign in").click()
        phone.goto(f"{server}/dashboard/cohorts/{cohort}")
        # The page itself never scrolls sideways: only the table's own box does.
        wide = phone.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > 391 && !e.closest('.table-wrap'))
                .map(e => e.tagName + '.' + e.className)"""
        )
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, wide
    finally:
        context.close()
