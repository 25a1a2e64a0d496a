"""Many workspaces: each sees only its own people and data, and a message or a click from
another workspace is treated as unknown."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from dataclasses import replace
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mentorbot.bot.models import Cohort, Member, OutboundMessage, Pair, Workspace
from mentorbot.bot.timeutil import utcnow
from tests.workspaces import (
    ADA,
    ALICE,
    ALPHA,
    AMOS,
    BEA,
    BETA,
    BO,
    BORIS,
    PEOPLE,
    Bot,
    start_cohort,
)


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


def test_a_person_is_read_in_one_zone_by_every_command_of_their_workspace(bot: Bot) -> None:
    """Each workspace keeps the default zone it was installed with; for someone whose profile
    has no zone, `/mentoring` read the process's MENTORBOT_TIMEZONE and `/checkin` (and the
    sender) the workspace's, so a coordinator saw one zone in one and another in the other."""
    bot.install(ALPHA, "Alpha Inc", ALICE)
    with bot.runtime.sessions() as session, session.begin():  # installed in a Tokyo setting
        session.execute(
            update(Workspace)
            .where(Workspace.team_id == ALPHA)
            .values(settings={**workspace_settings(session, ALPHA), "timezone": "Asia/Tokyo"})
        )
    alpha = bot.slack(ALPHA)
    # Slack says Alice's profile changed: it has no time zone.
    profile = {"id": ALICE, "name": "alice", "team_id": ALPHA, "updated": int(time.time())}
    assert alpha.event({"type": "user_change", "user": profile}).status == 200
    start_cohort(bot, ALPHA)

    hours = alpha.command("/checkin", "hours", user_id=ALICE).json()["text"]
    assert alpha.command("/mentoring", "announce", user_id=ALICE).status == 200
    [modal] = bot.standin.calls_to("views.open")

    assert "Asia/Tokyo time" in hours
    assert "In your time zone, Asia/Tokyo." in json.dumps(modal.args)


def workspace_settings(session: Session, team_id: str) -> dict[str, Any]:
    found = session.scalar(select(Workspace.settings).where(Workspace.team_id == team_id))
    return dict(found or {})


def test_each_workspaces_calendar_feeds_hold_only_their_own_people(bot: Bot) -> None:
    """With OAuth installs, a person's feed is their workspace's, and the same person id in
    another workspace (a token for Alpha) opens nothing of Beta."""
    bot.runtime.settings = replace(bot.runtime.settings, public_url=bot.url)
    bot.install(ALPHA, "Alpha Inc", ALICE)
    bot.install(BETA, "Beta Ltd", BORIS)
    start_cohort(bot, ALPHA)
    start_cohort(bot, BETA)
    feeds = {}
    for team_id, (coordinator, _mentor, mentee) in PEOPLE.items():
        for user_id in (coordinator, mentee):
            text = bot.slack(team_id).command("/checkin", "calendar", user_id=user_id).json()
            link = re.search(r"`(http://[^`]+\.ics)`", text["text"])
            assert link, text
            with urllib.request.urlopen(link.group(1), timeout=10) as answer:
                feeds[(team_id, user_id)] = answer.read().decode()
    assert "Mentoring with mentor-T0ALPHA" in feeds[(ALPHA, ADA)]
    assert "Mentoring with mentor-T0BETA" in feeds[(BETA, BO)]
    for (team_id, _user), feed in feeds.items():
        other = BETA if team_id == ALPHA else ALPHA
        assert other not in feed, (team_id, feed)
    assert "Spring 2027: begins" in feeds[(ALPHA, ALICE)]  # a coordinator's cohort dates
