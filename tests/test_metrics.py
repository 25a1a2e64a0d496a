"""Prometheus metrics at `GET /metrics`: off unless enabled, behind a bearer token when one is
set, and figures that move with real traffic (Slack's requests, the tick, the sender)."""

from __future__ import annotations

from datetime import timedelta
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from prometheus_client.parser import text_string_to_metric_families

from mentorbot.app import create_app
from mentorbot.bot.db import unit_of_work
from mentorbot.bot.outbox import enqueue
from mentorbot.bot.settings import Settings
from mentorbot.bot.tick import run_tick
from mentorbot.bot.timeutil import utcnow
from mentorbot.localserver import LocalServer
from mentorbot.metrics import request_kind, request_outcome, web_api_method
from mentorbot.runtime import Runtime, build_runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.web import WebApp
from tests.conftest import SIGNING_SECRET, settings_for
from tests.factories import TEAM, seed_pair

TOKEN = "scrape-me-9f3c"

Figures = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
def settings(standin: SlackStandin, database_url: str) -> Settings:
    return settings_for(
        standin,
        database_url,
        MENTORBOT_METRICS="on",
        MENTORBOT_METRICS_TOKEN=TOKEN,
        MENTORBOT_WORKING_HOURS="00:00-24:00",
        MENTORBOT_WORKDAYS="mon-sun",
    )


def scrape(url: str, token: str | None = TOKEN) -> Figures:
    """Every sample of a scrape, by name and labels (parsed by prometheus-client's parser)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with urlopen(Request(f"{url}/metrics", headers=headers), timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        text = response.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(figures: Figures, name: str, **labels: str) -> float:
    return figures.get((name, tuple(sorted(labels.items()))), 0.0)


def status_of(url: str, headers: dict[str, str]) -> int:
    try:
        with urlopen(Request(url, headers=headers), timeout=10) as response:
            return int(response.status)
    except HTTPError as error:
        if error.code == 401:
            assert error.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
        return int(error.code)


def test_figures_move_with_slack_requests_the_tick_and_the_sender(
    bot_url: str, slack_http: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    standin.add_user("U0MENTOR", "kenji", tz="Asia/Tokyo")
    standin.add_user("U0MENTEE", "maria", tz="America/New_York")
    served, slack = bot_url, slack_http
    before = scrape(served)
    assert value(before, "mentorbot_workspaces_installed") == 1
    assert value(before, "mentorbot_database_up") == 1

    assert slack.command("/checkin", "help", "U0MENTEE").status == 200
    assert slack.command("/checkin", "help", "U0MENTEE", sign=False).status == 401
    now = utcnow()
    seed_pair(runtime.sessions, now=now, meeting_at=now + timedelta(hours=2))
    standin.fail_next("chat.postMessage", status=429, retry_after=30)
    run_tick(runtime.sessions, runtime, now, runtime.send_policy)
    after = scrape(served)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("mentorbot_slack_requests_total", kind="command", outcome="ok") == 1
    assert moved("mentorbot_slack_requests_total", kind="command", outcome="unauthorized") == 1
    assert moved("mentorbot_slack_ack_seconds_count", kind="command") == 2
    assert moved("mentorbot_tick_seconds_count") == 1
    assert moved("mentorbot_tick_queued_total", producer="meeting_prompts") == 2
    # The mentor's prompt and the mentee's prep: one sent, one told by Slack to wait.
    assert moved("mentorbot_sends_total", outcome="sent") == 1
    assert moved("mentorbot_sends_total", outcome="retrying") == 1
    assert moved("mentorbot_send_seconds_count") == 2
    assert moved("mentorbot_slack_ratelimited_total", method="chat.postMessage") == 1
    waiting = [
        labels
        for (name, labels), count in after.items()
        if name == "mentorbot_outbox_messages" and count == 1
    ]
    assert [dict(labels)["status"] for labels in waiting] == ["pending"]
    assert value(after, "mentorbot_outbox_oldest_due_seconds") == 0  # it waits for Slack


def test_the_oldest_due_message_shows_how_long_the_outbox_has_waited(
    bot_url: str, runtime: Runtime
) -> None:
    now = utcnow()
    with unit_of_work(runtime.sessions) as session:
        enqueue(
            session,
            team_id=TEAM,
            dedupe_key="hello-everyone",
            target_kind="channel",
            target_id="C0COHORT",
            payload={"text": "hello"},
            not_before=now - timedelta(minutes=20),
            now=now,
        )
    runtime.clock = lambda: now
    figures = scrape(bot_url)
    assert value(figures, "mentorbot_outbox_oldest_due_seconds") == pytest.approx(1200)
    # A key of no known kind is counted under "other".
    assert value(figures, "mentorbot_outbox_messages", status="pending", kind="other") == 1


def test_a_scrape_needs_the_bearer_token_when_one_is_set(bot_url: str) -> None:
    url = f"{bot_url}/metrics"
    assert status_of(url, {}) == 401
    assert status_of(url, {"Authorization": "Bearer wrong"}) == 401
    assert status_of(url, {"Authorization": f"Basic {TOKEN}"}) == 401
    assert status_of(url, {"Authorization": f"Bearer {TOKEN}"}) == 200
    assert status_of(url, {"Authorization": f"bearer  {TOKEN}"}) == 200


def test_metrics_are_off_unless_enabled(standin: SlackStandin, database_url: str) -> None:
    runtime = build_runtime(settings_for(standin, database_url))
    try:
        client = WebApp(create_app(runtime, token_verification=False), runtime).test_client()
        response = client.get("/metrics")
        assert (response.status_code, response.json) == (404, {"ok": False, "error": "not_found"})
    finally:
        runtime.close()


def test_without_a_token_any_scrape_reads_the_figures(
    standin: SlackStandin, database_url: str
) -> None:
    settings = settings_for(standin, database_url, MENTORBOT_METRICS="on")
    runtime = build_runtime(settings)
    try:
        client = WebApp(create_app(runtime, token_verification=False), runtime).test_client()
        response = client.get("/metrics")
        assert response.status_code == 200
        assert "mentorbot_sends_total" in response.get_data(as_text=True)
    finally:
        runtime.close()


def test_a_database_that_does_not_answer_is_counted_and_the_scrape_still_answers(
    standin: SlackStandin,
) -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": standin.api_url,
        "MENTORBOT_DATABASE_URL": "postgresql://nobody:pw@127.0.0.1:1/none",
        "MENTORBOT_METRICS": "on",
    }
    runtime = build_runtime(Settings.from_env(env))
    try:
        with LocalServer(WebApp(create_app(runtime, token_verification=False), runtime)) as web:
            before = scrape(web.url, token=None)
            assert status_of(f"{web.url}/healthz", {}) == 503
            after = scrape(web.url, token=None)
    finally:
        runtime.close()
    assert value(after, "mentorbot_database_up") == 0
    errors = "mentorbot_database_errors_total"
    assert value(after, errors, error="OperationalError") > value(
        before, errors, error="OperationalError"
    )


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"command": "/checkin"}, "command"),
        ({"type": "event_callback"}, "event"),
        ({"type": "block_actions"}, "action"),
        ({"type": "view_submission"}, "view"),
        ({"type": "block_suggestion"}, "options"),
        ({"type": "shortcut"}, "shortcut"),
        ({"type": "T0SOMETHING-ELSE"}, "other"),
    ],
)
def test_request_kinds_come_from_a_fixed_set(body: dict[str, str], kind: str) -> None:
    assert request_kind(body) == kind


def test_outcomes_and_methods_are_named_as_the_readme_says() -> None:
    assert [request_outcome(code) for code in (200, 401, 404, 503, 500)] == [
        "ok",
        "unauthorized",
        "rejected",
        "unavailable",
        "error",
    ]
    assert web_api_method("http://127.0.0.1:1/api/chat.postMessage?x=1") == "chat.postMessage"
