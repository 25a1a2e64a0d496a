"""Many workspaces over OAuth: mentorbot served with installs, and ways to act as each workspace."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from email.message import Message
from urllib.parse import parse_qs, urlencode, urlsplit

from mentorbot.app import create_app
from mentorbot.bot.migrate import upgrade
from mentorbot.bot.settings import Settings
from mentorbot.bot.tick import run_tick
from mentorbot.bot.timeutil import utcnow
from mentorbot.localserver import LocalServer
from mentorbot.oauth import BOT_SCOPES
from mentorbot.runtime import Runtime, build_runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.web import WebApp
from tests.conftest import SIGNING_SECRET
from tests.http import request

ALPHA, BETA = "T0ALPHA", "T0BETA"
TOKEN_KEY = "fT2q2C6n0mV3l8Yy1kz0b4Wm8o2N6xQ4rJ7sU9vA1cE="
# Alpha's coordinator, mentor and mentee; Beta's the same. Slack IDs are unique across teams.
ALICE, AMOS, ADA = "U0ALICE", "U0AMOS", "U0ADA"
BORIS, BEA, BO = "U0BORIS", "U0BEA", "U0BO"
PEOPLE = {ALPHA: (ALICE, AMOS, ADA), BETA: (BORIS, BEA, BO)}


@dataclass
class Bot:
    """mentorbot serving many workspaces, and ways to act as each of them."""

    url: str
    runtime: Runtime
    standin: SlackStandin

    def slack(self, team_id: str) -> SignedSlackClient:
        return SignedSlackClient(
            f"{self.url}/slack/events",
            SIGNING_SECRET,
            standin=self.standin,
            team_id=team_id,
            settle=self.runtime.settle,
        )

    def get(self, path: str, cookie: str | None = None) -> tuple[int, str, Message]:
        status, headers, body = request(self.url + path, cookie=cookie)
        return status, body.decode(), headers

    def install(self, team_id: str, name: str, installer: str) -> str:
        """Click "Add to Slack", approve on Slack's page, come back; returns the result page."""
        status, page, headers = self.get("/slack/install")
        assert status == 200, page
        link = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page)
        assert link, page
        query = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)
        assert set(query["scope"][0].split(",")) == set(BOT_SCOPES)
        cookie = str(headers.get("Set-Cookie")).split(";")[0]
        code = self.standin.approve_install(team_id, name, installer)
        status, page, _ = self.get(
            "/slack/oauth_redirect?" + urlencode({"code": code, "state": query["state"][0]}),
            cookie=cookie,
        )
        assert status == 200, page
        return page

    def stored_token(self, team_id: str) -> str | None:
        """The bot token the installation store holds for a workspace."""
        assert self.runtime.installations is not None
        found = self.runtime.installations.find_bot(enterprise_id=None, team_id=team_id)
        return found.bot_token if found else None

    def tick(self, days: int = 3) -> None:
        """Tick at 11:00 UTC on a weekday at least `days` ahead (London's working hours)."""
        moment = (utcnow() + timedelta(days=days)).replace(hour=11, minute=0)
        while moment.weekday() >= 5 or moment < utcnow():
            moment += timedelta(days=1)
        run_tick(self.runtime.sessions, self.runtime, moment)

    def posts_by_team(self) -> dict[str, set[str]]:
        """Who got messages (channel or DM opened for them), per workspace token."""
        found: dict[str, set[str]] = {}
        for call in self.standin.calls:
            if call.method in ("chat.postMessage", "conversations.open") and call.ok:
                target = str(call.args.get("users") or call.args.get("channel"))
                found.setdefault(self.standin.team_of(call), set()).update(target.split(","))
        return found


@contextmanager
def serving(standin: SlackStandin, database_url: str) -> Iterator[Bot]:
    """mentorbot with OAuth installs on a database, Alpha's and Beta's people in the stand-in."""
    settings = Settings.from_env(
        {
            "SLACK_CLIENT_ID": "1234.5678",
            "SLACK_CLIENT_SECRET": "client-secret",
            "MENTORBOT_TOKEN_KEY": TOKEN_KEY,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": standin.api_url,
            "MENTORBOT_DATABASE_URL": database_url,
        }
    )
    for team_id, (coordinator, mentor, mentee) in PEOPLE.items():
        standin.add_user(coordinator, f"coord-{team_id}", tz="Europe/London", team_id=team_id)
        standin.add_user(mentor, f"mentor-{team_id}", tz="Europe/London", team_id=team_id)
        standin.add_user(mentee, f"mentee-{team_id}", tz="Europe/London", team_id=team_id)
        standin.add_channel(f"C0{team_id}", f"mentoring-{team_id.lower()}", members=[coordinator])
        standin.invite_bot(f"C0{team_id}")
    runtime = build_runtime(settings)
    upgrade(runtime.engine)
    try:
        with LocalServer(WebApp(create_app(runtime), runtime)) as server:
            yield Bot(server.url, runtime, standin)
    finally:
        runtime.close()


def start_cohort(bot: Bot, team_id: str) -> None:
    coordinator, mentor, mentee = PEOPLE[team_id]
    slack = bot.slack(team_id)
    reply = slack.command(
        "/mentoring", f"cohort create Spring 2027 <#C0{team_id}|x>", user_id=coordinator
    ).json()
    assert "Spring 2027" in reply["text"], reply
    reply = slack.command(
        "/mentoring", f"pair <@{mentor}|m> <@{mentee}|e>", user_id=coordinator
    ).json()
    assert f"<@{mentor}> now mentors <@{mentee}>" in reply["text"], reply
