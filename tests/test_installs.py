"""Installing over OAuth, uninstalling and installing again; tokens kept encrypted."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from mentorbot.bot.models import Member, OutboundMessage, Pair, Workspace
from tests.http import answer
from tests.workspaces import (
    ADA,
    ALICE,
    ALPHA,
    AMOS,
    BETA,
    BORIS,
    TOKEN_KEY,
    Bot,
    start_cohort,
)


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
