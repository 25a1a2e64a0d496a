"""Many workspaces: installing over OAuth, isolation between workspaces, and uninstalling."""

from __future__ import annotations

import logging
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from email.message import Message
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from mentorbot.app import create_app
from mentorbot.bot.migrate import upgrade
from mentorbot.bot.models import Cohort, Member, OutboundMessage, Pair, Workspace
from mentorbot.bot.settings import Settings
from mentorbot.bot.tick import run_tick
from mentorbot.bot.timeutil import utcnow
from mentorbot.localserver import LocalServer
from mentorbot.oauth import BOT_SCOPES
from mentorbot.runtime import Runtime, build_runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.web import WebApp
from tests.conftest import SIGNING_SECRET
from tests.test_requests import answer

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
        request = urllib.request.Request(self.url + path)
        if cookie:
            request.add_header("Cookie", cookie)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())
        try:
            with opener.open(request, timeout=10) as response:
                return response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), error.headers

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


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@pytest.fixture
def bot(standin: SlackStandin, database_url: str) -> Iterator[Bot]:
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


def test_installing_records_the_workspace_and_makes_the_installer_its_coordinator(
    bot: Bot,
) -> None:
    page = bot.install(ALPHA, "Alpha Inc", ALICE)

    assert "slack://app" in page or "Thank you" in page
    assert (bot.stored_token(ALPHA) or "").startswith("xoxb-t0alpha-")
    with bot.runtime.sessions() as session:
        workspace = session.scalar(select(Workspace).where(Workspace.team_id == ALPHA))
        assert workspace is not None and workspace.name == "Alpha Inc"
        assert workspace.uninstalled_at is None
        coordinators = session.scalars(
            select(Member.user_id).where(Member.is_coordinator.is_(True))
        ).all()
        assert coordinators == [ALICE]
    # The installer's welcome goes out with Alpha's own token.
    bot.tick(days=0)
    assert bot.posts_by_team() == {ALPHA: {ALICE, bot.standin.dm_channel_for(ALICE)}}
    # A second person installing again does not add a coordinator.
    bot.install(ALPHA, "Alpha Inc", AMOS)
    with bot.runtime.sessions() as session:
        assert session.scalars(
            select(Member.user_id).where(Member.is_coordinator.is_(True))
        ).all() == [ALICE]


def test_an_install_with_a_forged_state_changes_nothing(bot: Bot) -> None:
    code = bot.standin.approve_install(ALPHA, "Alpha Inc", ALICE)
    status, _page, _ = bot.get(
        "/slack/oauth_redirect?" + urlencode({"code": code, "state": "forged"}),
        cookie="slack-app-oauth-state=forged",
    )
    assert status == 401
    assert bot.stored_token(ALPHA) is None
    with bot.runtime.sessions() as session:
        assert session.scalar(select(Workspace).where(Workspace.team_id == ALPHA)) is None


def test_the_install_pages_answer_get_alone(bot: Bot) -> None:
    for path in ("/slack/install", "/slack/oauth_redirect"):
        for method in ("HEAD", "POST", "OPTIONS"):
            assert answer(bot.url + path, method)[:2] == (404, "application/json"), (method, path)


def test_two_workspaces_never_see_each_others_data(bot: Bot) -> None:
    bot.install(ALPHA, "Alpha Inc", ALICE)
    bot.install(BETA, "Beta Ltd", BORIS)
    start_cohort(bot, ALPHA)
    start_cohort(bot, BETA)  # the same cohort name, in another workspace

    # Each coordinator lists only their own cohort and pair.
    alpha_list = bot.slack(ALPHA).command("/mentoring", "cohorts", user_id=ALICE).json()["text"]
    beta_list = bot.slack(BETA).command("/mentoring", "cohorts", user_id=BORIS).json()["text"]
    assert "C0T0ALPHA" in alpha_list and "C0T0BETA" not in alpha_list
    assert "C0T0BETA" in beta_list and "C0T0ALPHA" not in beta_list
    # Alpha's coordinator is nobody in Beta.
    refused = bot.slack(BETA).command("/mentoring", "cohorts", user_id=ALICE).json()["text"]
    assert "only programme coordinators" in refused
    with bot.runtime.sessions() as session:
        rows = session.execute(select(Pair.team_id, Pair.mentor_id, Pair.mentee_id)).all()
        assert sorted(rows) == [(ALPHA, AMOS, ADA), (BETA, BEA, BO)]
        assert sorted(session.scalars(select(Cohort.team_id))) == [ALPHA, BETA]

    # A check-in lands in its own workspace.
    bot.slack(ALPHA).command("/checkin", "went well", user_id=ADA)
    # Every message goes out with its own workspace's token, to its own people.
    bot.tick()
    posts = bot.posts_by_team()
    alpha_people = set(PEOPLE[ALPHA]) | {"C0T0ALPHA"}
    beta_people = set(PEOPLE[BETA]) | {"C0T0BETA"}
    alpha_targets = {t for t in posts[ALPHA] if not t.startswith("D") and not t.startswith("G")}
    beta_targets = {t for t in posts[BETA] if not t.startswith("D") and not t.startswith("G")}
    assert alpha_targets and alpha_targets <= alpha_people
    assert beta_targets and beta_targets <= beta_people
    with bot.runtime.sessions() as session:
        for team_id, target in session.execute(
            select(OutboundMessage.team_id, OutboundMessage.target_id)
        ):
            assert set(target.split(",")) <= set(PEOPLE[team_id]) | {f"C0{team_id}"}


@pytest.mark.parametrize("how", ["app_uninstalled", "tokens_revoked"])
def test_uninstalling_stops_all_work_for_that_workspace_only(bot: Bot, how: str) -> None:
    bot.install(ALPHA, "Alpha Inc", ALICE)
    bot.install(BETA, "Beta Ltd", BORIS)
    start_cohort(bot, ALPHA)
    start_cohort(bot, BETA)
    with bot.runtime.sessions() as session:
        queued_for_alpha = session.scalar(
            select(OutboundMessage.id).where(
                OutboundMessage.team_id == ALPHA, OutboundMessage.status == "pending"
            )
        )
    assert queued_for_alpha is not None

    bot.standin.revoke_tokens(ALPHA)
    event: dict[str, object] = {"type": how}
    if how == "tokens_revoked":
        event["tokens"] = {"oauth": [], "bot": ["U0BOTLPHA"]}
    assert bot.slack(ALPHA).event(event).status == 200

    assert bot.stored_token(ALPHA) is None
    with bot.runtime.sessions() as session:
        workspace = session.scalar(select(Workspace).where(Workspace.team_id == ALPHA))
        assert workspace is not None and workspace.uninstalled_at is not None
        alpha_statuses = set(
            session.scalars(select(OutboundMessage.status).where(OutboundMessage.team_id == ALPHA))
        )
        assert alpha_statuses == {"cancelled"}
    calls_before = len(bot.standin.calls)
    bot.tick()
    later = bot.standin.calls[calls_before:]
    assert later, "Beta's messages still go out"
    assert {bot.standin.team_of(call) for call in later} == {BETA}
    # Nothing new is queued for Alpha, even by a tick weeks later.
    bot.tick(days=30)
    with bot.runtime.sessions() as session:
        assert set(
            session.scalars(select(OutboundMessage.status).where(OutboundMessage.team_id == ALPHA))
        ) == {"cancelled"}


def test_installing_again_resumes_the_workspace_with_its_data(bot: Bot) -> None:
    bot.install(ALPHA, "Alpha Inc", ALICE)
    start_cohort(bot, ALPHA)
    bot.standin.revoke_tokens(ALPHA)
    bot.slack(ALPHA).event({"type": "app_uninstalled"})

    bot.install(ALPHA, "Alpha Inc", ALICE)

    with bot.runtime.sessions() as session:
        workspace = session.scalar(select(Workspace).where(Workspace.team_id == ALPHA))
        assert workspace is not None and workspace.uninstalled_at is None
        assert session.scalar(select(Pair.mentee_id).where(Pair.team_id == ALPHA)) == ADA
    reply = bot.slack(ALPHA).command("/mentoring", "cohorts", user_id=ALICE).json()["text"]
    assert "Spring 2027" in reply
    bot.tick(days=0)
    welcomes = [
        call
        for call in bot.standin.calls
        if call.method == "chat.postMessage" and "back in this workspace" in call.args["text"]
    ]
    assert len(welcomes) == 1 and bot.standin.team_of(welcomes[0]) == ALPHA


def test_a_message_for_a_workspace_without_a_token_is_dropped_not_sent(bot: Bot) -> None:
    bot.install(BETA, "Beta Ltd", BORIS)
    with bot.runtime.sessions() as session, session.begin():
        session.add(
            OutboundMessage(
                team_id="T0GHOST",
                dedupe_key="note:1",
                target_kind="user",
                target_id=BEA,
                payload={"text": "hello"},
                not_before=utcnow(),
            )
        )
    bot.tick(days=0)
    with bot.runtime.sessions() as session:
        ghost = session.scalar(select(OutboundMessage).where(OutboundMessage.team_id == "T0GHOST"))
        assert ghost is not None
        assert (ghost.status, ghost.last_error) == ("cancelled", "workspace_uninstalled")
    with_tokens = [c for c in bot.standin.calls if c.method != "oauth.v2.access"]
    assert {bot.standin.team_of(call) for call in with_tokens} == {BETA}
    assert all(call.args.get("text") != "hello" for call in bot.standin.calls)


def test_tokens_are_encrypted_at_rest_and_never_logged(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bot.install(ALPHA, "Alpha Inc", ALICE)
    start_cohort(bot, ALPHA)
    bot.tick()
    token = bot.stored_token(ALPHA) or ""
    assert token.startswith("xoxb-t0alpha-")  # what mentorbot uses, once decrypted
    with bot.runtime.engine.connect() as connection:
        stored = [
            value
            for table in ("slack_bots", "slack_installations")
            for value in connection.execute(text(f"SELECT bot_token FROM {table}")).scalars()
        ]
    assert len(stored) == 2
    assert all(value.startswith("gAAAAA") and "xoxb" not in value for value in stored)
    assert all(
        Fernet(TOKEN_KEY.encode()).decrypt(value.encode()).decode() == token for value in stored
    )
    # Every request and call above ran with that token; none of the logs shows it.
    assert any(call.token == token for call in bot.standin.calls)
    # slack_sdk logs oauth.v2.access's whole answer at DEBUG: the token shows only redacted.
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert token[len("xoxb-") :] not in logged and "xoxb-…redacted" in logged


def test_a_person_of_another_workspace_is_unknown_and_never_stored(bot: Bot) -> None:
    bot.install(ALPHA, "Alpha Inc", ALICE)
    bot.install(BETA, "Beta Ltd", BORIS)
    start_cohort(bot, BETA)
    beta = bot.slack(BETA)
    with bot.runtime.sessions() as session:
        before = session.execute(select(Member.team_id, Member.user_id)).all()
    # Slack shows Alpha's Amos to Beta (a shared channel), with Alpha's team_id.
    for command in (
        f"coordinator add <@{AMOS}|amos>",
        f"coordinator remove <@{AMOS}|amos>",
        f"pair <@{AMOS}|amos> <@{BO}|bo>",
        f"pair <@{BEA}|bea> <@{AMOS}|amos>",
        f"capacity <@{AMOS}|amos> 4",
    ):
        reply = beta.command("/mentoring", command, user_id=BORIS).json()["text"]
        expected = (
            "was not a coordinator" if "remove" in command else "I don't know <@U0AMOS> in this"
        )
        assert expected in reply, (command, reply)
    with bot.runtime.sessions() as session:
        assert session.execute(select(Member.team_id, Member.user_id)).all() == before
        assert (
            session.scalar(select(OutboundMessage).where(OutboundMessage.target_id == AMOS)) is None
        )
        assert session.scalar(select(Pair).where(Pair.mentor_id == AMOS)) is None
    bot.tick(days=0)
    assert AMOS not in bot.posts_by_team().get(BETA, set())


def test_a_click_replayed_from_another_workspace_is_answered_as_unknown(bot: Bot) -> None:
    bot.install(ALPHA, "Alpha Inc", ALICE)
    bot.install(BETA, "Beta Ltd", BORIS)
    start_cohort(bot, ALPHA)
    with bot.runtime.sessions() as session:
        pair_id, cohort_id = session.execute(select(Pair.id, Pair.cohort_id)).one()
    message = {"ts": "1700000000.000100", "text": "", "blocks": []}
    beta = bot.slack(BETA)
    presses = [
        (BO, "checkin_open", str(pair_id), "mentoring pair"),
        (BO, "pause_open", str(pair_id), "mentoring pair"),
        (BO, "agreement_open", str(pair_id), "mentoring pair"),
        (BO, "closing_open", str(pair_id), "mentoring pair"),
        (BORIS, "cohort_extend", str(cohort_id), "cohort"),
    ]
    for user_id, action_id, value, called in presses:
        answer = beta.block_action(user_id, action_id, value=value, message=message)
        assert answer.status == 200
        said = bot.standin.responses[-1][1]["text"]
        assert f"I don't know that {called} in this workspace" in said, (action_id, said)
    with bot.runtime.sessions() as session:
        pair = session.get(Pair, pair_id)
        cohort = session.get(Cohort, cohort_id)
        assert pair is not None and pair.status == "active" and pair.paused_until is None
        assert cohort is not None and cohort.team_id == ALPHA
    # In its own workspace, an ended pair is still answered as ended.
    alpha = bot.slack(ALPHA)
    alpha.command("/mentoring", f"unpair <@{ADA}|ada>", user_id=ALICE)
    alpha.block_action(ADA, "checkin_open", value=str(pair_id), message=message)
    assert "that mentoring pair has ended" in bot.standin.responses[-1][1]["text"]
