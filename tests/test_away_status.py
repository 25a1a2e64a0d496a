"""Away status: while a person's Slack status says they are away, their DMs wait for their
return (the status's expiry, or its change), the other person's prompt says so, and the
App Home offers *Send them now*. The status's words are never kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from mentorbot.bot.away_status import AwayRule, away_in, rule_of
from mentorbot.bot.db import unit_of_work
from mentorbot.bot.delivery import deliver_due
from mentorbot.bot.models import Member, OutboundMessage
from mentorbot.bot.outbox import enqueue
from mentorbot.bot.settings import Settings, SettingsError
from mentorbot.bot.working_hours import (
    AWAY_RECHECK,
    Availability,
    availability,
    next_allowed_for_all,
)
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.standin.objects import user_object
from tests.factories import TEAM
from tests.programme import ANA, BEN
from tests.rhythm import agree, pair_ana_and_ben, run_until, sent, the_pair
from tests.weeks import DAY, HOUR, START

RULE = rule_of(None, None)  # the defaults
NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
# Monday 1 March 2027: 09:00 in New York is 14:00 UTC.
MONDAY_9_NY = datetime(2027, 3, 1, 14, tzinfo=UTC)
SECRET_WORDS = "SECRET-TRIP to Lisbon"


def status(emoji: str = "", text: str = "", expiration: int = 0) -> dict[str, Any]:
    return {"status_emoji": emoji, "status_text": text, "status_expiration": expiration}


@pytest.mark.parametrize(
    ("emoji", "text", "away"),
    [
        (":palm_tree:", "", True),
        (":PALM_TREE:", "", True),
        ("", "Out   of Office until Monday", True),
        ("", "pto", True),
        ("", "On vacation!", True),
        ("", "holidays in Lisbon", True),
        ("", "In a meeting", False),
        ("", "Photo shoot", False),  # "pto" only as a whole word
        ("", "Woooo", False),
        (":coffee:", "", False),
    ],
)
def test_a_status_says_away_by_its_emoji_or_a_whole_word(emoji: str, text: str, away: bool) -> None:
    assert (away_in(status(emoji, text), RULE, NOW) is not None) == away


def test_an_expired_status_says_nothing_and_an_expiry_is_the_return() -> None:
    later = int((NOW + 3 * DAY).timestamp())
    assert away_in(status(":airplane:", expiration=int(NOW.timestamp()) - 60), RULE, NOW) is None
    found = away_in(status(":airplane:", expiration=later), RULE, NOW)
    assert found is not None and found.until == NOW + 3 * DAY
    assert away_in(status(":airplane:"), RULE, NOW) == away_in(status(":airplane:"), RULE, NOW)
    assert away_in("not a profile", RULE, NOW) is None


def test_the_emoji_and_words_are_settings() -> None:
    chosen = Settings.from_env(
        {"MENTORBOT_AWAY_EMOJI": ":Sunny:", "MENTORBOT_AWAY_WORDS": "gone fishing, AFK"}
    )
    assert chosen.away_emoji == (":sunny:",) and chosen.away_words == ("gone fishing", "AFK")
    rule = AwayRule(frozenset(chosen.away_emoji), chosen.away_words)
    assert away_in(status(text="Gone  fishing"), rule, NOW) is not None
    assert away_in(status(":palm_tree:"), rule, NOW) is None
    off = Settings.from_env({"MENTORBOT_AWAY_EMOJI": "none", "MENTORBOT_AWAY_WORDS": "none"})
    assert off.away_emoji == () and off.away_words == ()
    with pytest.raises(SettingsError, match="MENTORBOT_AWAY_EMOJI"):
        Settings.from_env({"MENTORBOT_AWAY_EMOJI": "palm tree"})


def user_change(standin: SlackStandin, user_id: str) -> dict[str, Any]:
    """Slack's `user_change` event for the person as the stand-in now has them."""
    person = standin.user(user_id)
    assert person is not None
    return {"type": "user_change", "user": user_object(standin.bot, person)}


def queue_dm(runtime: Runtime, key: str, user_id: str, at: datetime, **more: Any) -> None:
    with unit_of_work(runtime.sessions) as session:
        enqueue(
            session,
            team_id=TEAM,
            dedupe_key=key,
            target_kind="user",
            target_id=user_id,
            payload={"text": f"hello {key}"},
            not_before=at,
            now=at,
            **more,
        )


def row(runtime: Runtime, key: str) -> OutboundMessage:
    with runtime.sessions() as session:
        return session.scalars(
            select(OutboundMessage).where(OutboundMessage.dedupe_key == key)
        ).one()


def deliver_at(runtime: Runtime, moment: datetime) -> None:
    with freeze_time(moment):
        deliver_due(runtime.sessions, runtime.client, moment)


@pytest.mark.usefixtures("people")
def test_dms_wait_while_away_until_the_status_expires_and_the_others_go(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    """Ben's status says :palm_tree: until Wednesday 17:00 UTC (noon in New York): his DM
    waits until then; Ana's goes at once."""
    back = MONDAY_9_NY + 2 * DAY + 3 * HOUR
    standin.set_status(BEN, ":palm_tree:", SECRET_WORDS, int(back.timestamp()))
    with freeze_time(MONDAY_9_NY):
        assert slack.event(user_change(standin, BEN)).status == 200
    queue_dm(runtime, "ben", BEN, MONDAY_9_NY)
    queue_dm(runtime, "ana", ANA, MONDAY_9_NY - 13 * HOUR)  # 10:00 in Tokyo
    deliver_at(runtime, MONDAY_9_NY - 13 * HOUR)
    deliver_at(runtime, MONDAY_9_NY)
    assert row(runtime, "ana").status == "sent"
    assert (row(runtime, "ben").status, row(runtime, "ben").not_before) == ("pending", back)
    deliver_at(runtime, back - HOUR)
    assert row(runtime, "ben").status == "pending"
    deliver_at(runtime, back)
    assert row(runtime, "ben").status == "sent"
    assert [m["text"] for m in standin.messages_in(standin.dm_channel_for(BEN))] == ["hello ben"]
    assert_status_words_kept_nowhere(runtime)


@pytest.mark.usefixtures("people")
def test_a_status_with_no_end_holds_dms_until_it_is_cleared_and_expiries_still_apply(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    standin.set_status(BEN, "", "Out of office")
    with freeze_time(MONDAY_9_NY):
        assert slack.event(user_change(standin, BEN)).status == 200
    queue_dm(runtime, "keeps", BEN, MONDAY_9_NY)
    queue_dm(runtime, "for-today", BEN, MONDAY_9_NY, expires_at=MONDAY_9_NY + 4 * HOUR)
    for hours in range(0, 26, 2):
        deliver_at(runtime, MONDAY_9_NY + hours * HOUR)
    assert row(runtime, "keeps").status == "pending"
    assert row(runtime, "for-today").status == "expired"  # never delivered late
    tuesday = MONDAY_9_NY + DAY + 2 * HOUR  # 11:00 in New York
    standin.set_status(BEN)  # cleared in Slack
    with freeze_time(tuesday):
        assert slack.event(user_change(standin, BEN)).status == 200
    deliver_at(runtime, tuesday)
    assert row(runtime, "keeps").status == "sent"


@pytest.mark.usefixtures("people")
def test_the_sender_sees_a_cleared_status_by_itself_when_no_event_came(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    """A lost `user_change`: the sender reads an away person's profile again hourly."""
    standin.set_status(BEN, ":airplane:")
    queue_dm(runtime, "ben", BEN, MONDAY_9_NY)
    deliver_at(runtime, MONDAY_9_NY)  # the sender reads Ben's profile: away
    assert row(runtime, "ben").status == "pending"
    standin.set_status(BEN)
    later = MONDAY_9_NY + 90 * timedelta(minutes=1)
    deliver_at(runtime, later)
    assert row(runtime, "ben").status == "sent"


@pytest.mark.usefixtures("people")
def test_the_other_persons_prompt_says_they_are_away_and_theirs_never_comes_late(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    """Ben (New York) is away until the day after the pair's Wednesday meeting: Ana's prompt
    says so, beside *Move this meeting*; Ben's prep waits, then expires with the meeting."""
    back = datetime(2027, 3, 4, 17, tzinfo=UTC)  # Thursday noon in New York
    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        agree(slack, the_pair(runtime.sessions).id, weekday="2", at="16:00", cadence="weekly")
        clock.move_to(START + HOUR)  # Slack's `updated` is in whole seconds: one later
        standin.set_status(BEN, ":palm_tree:", SECRET_WORDS, int(back.timestamp()))
        assert slack.event(user_change(standin, BEN)).status == 200
        run_until(runtime, clock, START + HOUR, datetime(2027, 3, 5, tzinfo=UTC), HOUR)
    prompts = sent(runtime.sessions, "prompt")
    assert len(prompts) == 1 and prompts[0].to == ANA
    until = f"<!date^{int(back.timestamp())}^{{date_long_pretty}} at {{time}}|Friday 5 March"
    assert f"<@{BEN}> is away until {until} 2027 at 02:00 JST>" in prompts[0].text
    assert "maybe move this meeting?" in prompts[0].text
    assert "meeting_move_open" in prompts[0].text
    assert sent(runtime.sessions, "prep") == []
    with runtime.sessions() as session:
        prep = session.scalars(select(OutboundMessage).where(OutboundMessage.kind == "prep")).one()
    assert prep.status == "expired"
    assert_status_words_kept_nowhere(runtime)


@pytest.mark.usefixtures("people")
def test_the_app_home_says_messages_wait_and_send_them_now_lets_them_go(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    standin.set_status(BEN, ":palm_tree:")
    with freeze_time(MONDAY_9_NY):
        assert slack.event(user_change(standin, BEN)).status == 200
        queue_dm(runtime, "one", BEN, MONDAY_9_NY)
        queue_dm(runtime, "two", BEN, MONDAY_9_NY)
        deliver_due(runtime.sessions, runtime.client, MONDAY_9_NY)
        home = {"type": "app_home_opened", "user": BEN, "channel": "D0HOME", "tab": "home"}
        assert slack.event(home).status == 200
        view = standin.home_view(BEN)
        shown = json.dumps(view)
        assert "Messages are waiting while you're away" in shown and "2 messages" in shown
        hours = slack.command("/checkin", "hours", user_id=BEN).json()["text"]
        assert "Your Slack status says you're away: your messages wait" in hours
        assert SECRET_WORDS not in shown
        assert slack.block_action(BEN, "away_send_now", value="away", view=view).status == 200
        deliver_due(runtime.sessions, runtime.client, MONDAY_9_NY)
        assert {row(runtime, key).status for key in ("one", "two")} == {"sent"}
        assert "Messages are waiting" not in json.dumps(standin.home_view(BEN))
        # The same spell away: what comes next goes too. A new spell holds messages again.
        queue_dm(runtime, "three", BEN, MONDAY_9_NY)
        deliver_due(runtime.sessions, runtime.client, MONDAY_9_NY)
        assert row(runtime, "three").status == "sent"
    standin.set_status(BEN)
    later = MONDAY_9_NY + HOUR
    with freeze_time(later):
        assert slack.event(user_change(standin, BEN)).status == 200
        standin.set_status(BEN, ":airplane:")
        assert slack.event(user_change(standin, BEN)).status == 200
    queue_dm(runtime, "four", BEN, later)
    deliver_at(runtime, later)
    assert row(runtime, "four").status == "pending"


def assert_status_words_kept_nowhere(runtime: Runtime) -> None:
    """The status's words are in no member row and no message."""
    with runtime.sessions() as session:
        members = [
            {column: str(getattr(m, column)) for column in Member.__table__.columns.keys()}  # noqa: SIM118
            for m in session.scalars(select(Member))
        ]
        payloads = [m.payload for m in session.scalars(select(OutboundMessage))]
    assert "SECRET-TRIP" not in json.dumps(members) + json.dumps(payloads)


def test_a_group_dm_waits_for_everyone_back_even_after_a_long_spell_away() -> None:
    def person(tz: str, **away: Any) -> Availability:
        return availability(
            tz=tz,
            hours=None,
            workdays=None,
            default_tz="UTC",
            default_hours="09:00-18:00",
            default_workdays="mon-fri",
            **away,
        )

    london, paris = "Europe/London", "Europe/Paris"
    back = MONDAY_9_NY + 10 * DAY  # Thursday 11 March, 14:00 UTC: longer than a week
    together = [person(london), person(paris, away=True, away_until=back)]
    assert next_allowed_for_all(together, MONDAY_9_NY) == back
    assert next_allowed_for_all(together[:1], MONDAY_9_NY) == MONDAY_9_NY
    no_end = [person(london), person(paris, away=True)]
    assert next_allowed_for_all(no_end, MONDAY_9_NY) == MONDAY_9_NY + AWAY_RECHECK
