"""Concerns: raised privately, routed to coordinators outside the pair only, handled once
(reply, re-match, end the pair), and never heard of by the other person in the pair."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.models import Concern, OutboundMessage, Pair
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.standin.contract import check_view
from mentorbot.standin.objects import conversation_id
from tests.programme import ANA, BEN, CAT, COORD, DAN, EVE, OUTSIDER, mention
from tests.rhythm import Clock, chosen, form, opened, pair_ana_and_ben, run_until, sent

START = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
SECRET = "SECRET-WORRY"


pytestmark = pytest.mark.usefixtures("people")


def pair_of(sessions: sessionmaker[Session], mentee: str) -> Pair:
    with sessions() as session:
        return session.scalars(
            select(Pair).where(Pair.mentee_id == mentee).order_by(Pair.id.desc())
        ).first() or pytest.fail(f"no pair for {mentee}")


def concerns(sessions: sessionmaker[Session]) -> list[tuple[Any, ...]]:
    with sessions() as session:
        rows = session.scalars(select(Concern).order_by(Concern.id)).all()
    return [
        (c.raised_by, c.pair_id, c.text, c.status, c.handled_by, c.resolution, c.reply)
        for c in rows
    ]


def raise_one(
    slack: SignedSlackClient, standin: SlackStandin, user_id: str, text: str, pair: str | None
) -> dict[str, Any]:
    """`/checkin concern`, then submit the modal; returns the bot's answer to the submission."""
    slack.command("/checkin", "concern", user_id=user_id)
    modal = opened(standin)
    values = form(text=text, **({"pair": chosen(pair)} if pair else {}))
    answer: dict[str, Any] = slack.view_submission(
        user_id, "concern", values, modal["private_metadata"]
    ).json()
    return answer


def deliver(runtime: Runtime, clock: Clock, start: datetime) -> datetime:
    """Run the tick for a day, so every DM reaches its reader in their working hours."""
    return run_until(runtime, clock, start, start + timedelta(days=1), timedelta(hours=2))


def concern_dm(standin: SlackStandin, coordinator: str) -> dict[str, Any]:
    """The latest concern DM a coordinator received (as Slack holds it, with its ts)."""
    found = [m for m in standin.messages_in(coordinator) if "concern_reply" in json.dumps(m)]
    return found[-1]


def press(
    slack: SignedSlackClient, standin: SlackStandin, user_id: str, action_id: str, message: Any
) -> Any:
    """Press a concern button in a coordinator's DM; returns the response the bot sent."""
    [value] = {
        e["value"]
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    }
    before = len(standin.responses)
    channel = standin.dm_channel_for(user_id)
    answer = slack.block_action(
        user_id, action_id, value=value, message=message, channel_id=channel
    )
    assert answer.status == 200
    return standin.responses[before][1] if len(standin.responses) > before else None


def reaching(standin: SlackStandin, user_id: str) -> list[Any]:
    """Every Slack call that reaches this person: their DM, group DMs with them, their App
    Home, ephemerals to them (the App Home is last)."""
    channels = {user_id, standin.dm_channel_for(user_id)}
    for call in standin.calls_to("conversations.open"):
        users = [u for u in str(call.args.get("users") or "").split(",") if u]
        if user_id in users and len(users) > 1:
            channels.add(conversation_id("G", [*users, standin.bot_user_id]))
    found = [
        call.args
        for call in standin.calls
        if call.method != "views.publish"
        and (str(call.args.get("channel")) in channels or call.args.get("user") == user_id)
    ]
    return [*found, standin.messages_in(user_id), standin.home_view(user_id)]


def never_told(standin: SlackStandin, user_id: str) -> None:
    """Nothing that reached the person carries a concern's text or mentions a concern
    (beyond the App Home's own "Raise a concern" button)."""
    seen = reaching(standin, user_id)
    assert SECRET not in json.dumps(seen)
    assert "concern" not in json.dumps(seen[:-1]).lower()


def test_a_concern_reaches_coordinators_outside_the_pair_and_never_the_other_person(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        slack.command("/mentoring", f"coordinator add {mention(CAT)}", user_id=COORD)
        slack.command("/mentoring", f"coordinator add {mention(ANA)}", user_id=COORD)
        pair = pair_of(runtime.sessions, BEN)
        moment = deliver(runtime, clock, START)

        slack.command("/checkin", f"concern {SECRET}: Ana cancels <!channel>", user_id=BEN)
        modal = opened(standin)
        assert check_view(modal, "modal") == []
        [text] = [b for b in modal["blocks"] if b.get("block_id") == "text"]
        assert text["element"]["initial_value"] == f"{SECRET}: Ana cancels <!channel>"
        [choice] = [b for b in modal["blocks"] if b.get("block_id") == "pair"]
        assert choice["element"]["initial_option"]["value"] == str(pair.id)
        assert {o["value"] for o in choice["element"]["options"]} == {str(pair.id), "none"}

        values = form(text=f"{SECRET}: Ana cancels <!channel>", pair=chosen(str(pair.id)))
        ack = slack.view_submission(BEN, "concern", values, modal["private_metadata"]).json()
        assert ack["response_action"] == "update"
        shown = json.dumps(ack["view"])
        assert f"<@{CAT}>, <@{COORD}>" in shown and "only to them" in shown
        assert f"<@{ANA}> is not told" in shown
        deliver(runtime, clock, moment)

    assert concerns(runtime.sessions) == [
        (BEN, pair.id, f"{SECRET}: Ana cancels <!channel>", "open", None, None, None)
    ]
    # Ana coordinates too, but she is in the pair: only Priya and Cat hear of it.
    assert sorted(s.to for s in sent(runtime.sessions, "concern")) == [CAT, COORD]
    dm = concern_dm(standin, COORD)
    body = json.dumps(dm)
    assert f"{SECRET}: Ana cancels &lt;!channel&gt;" in body and "<!channel>" not in body
    assert f"raised privately by <@{BEN}>" in body
    assert f"<@{ANA}> mentors <@{BEN}>" in body and "Spring 2027" in body
    buttons = {
        e["action_id"] for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"]
    }
    assert buttons == {"concern_reply", "concern_rematch", "concern_end"}
    assert all(
        "confirm" in e
        for b in dm["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] != "concern_reply"
    )
    # Ana: nothing that reached her carries the concern or mentions it.
    assert len(reaching(standin, ANA)) > 3  # she did get messages: the kickoff, prompts…
    never_told(standin, ANA)


def test_replying_handles_a_concern_once_and_only_coordinators_may(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        slack.command("/mentoring", f"coordinator add {mention(CAT)}", user_id=COORD)
        pair = pair_of(runtime.sessions, BEN)
        assert raise_one(slack, standin, BEN, SECRET, str(pair.id))["response_action"] == "update"
        moment = deliver(runtime, clock, START)
        mine, cats = concern_dm(standin, COORD), concern_dm(standin, CAT)

        # Not a coordinator (Ben, or Ana in the pair): refused, nothing changes.
        for someone in (BEN, ANA, DAN):
            refused = press(slack, standin, someone, "concern_end", mine)
            assert "only programme coordinators" in refused["text"]
            refused = press(slack, standin, someone, "concern_reply", mine)
            assert "only programme coordinators" in refused["text"]
        assert concerns(runtime.sessions)[0][3] == "open"

        opens = len(standin.calls_to("views.open"))
        press(slack, standin, COORD, "concern_reply", mine)
        assert len(standin.calls_to("views.open")) == opens + 1
        reply_modal = opened(standin)
        assert check_view(reply_modal, "modal") == []
        assert reply_modal["callback_id"] == "concern_reply" and SECRET in json.dumps(reply_modal)
        metadata = reply_modal["private_metadata"]
        empty = slack.view_submission(COORD, "concern_reply", form(), metadata).json()
        assert empty["response_action"] == "errors" and list(empty["errors"]) == ["reply"]
        forged = slack.view_submission(BEN, "concern_reply", form(reply="Ignore it"), metadata)
        assert "only programme coordinators" in json.dumps(forged.json())
        assert concerns(runtime.sessions)[0][3] == "open"

        reply = form(reply="Thanks, let us talk tomorrow <!here>")
        done = slack.view_submission(COORD, "concern_reply", reply, metadata).json()
        assert done["response_action"] == "update"
        assert f"on its way to <@{BEN}>" in json.dumps(done["view"])
        # Every coordinator's copy now says who handled it, without buttons.
        updated = sorted(c.args["channel"] for c in standin.calls_to("chat.update"))
        assert updated == sorted(standin.dm_channel_for(user) for user in (CAT, COORD))
        for user in (CAT, COORD):
            now_reads = json.dumps(concern_dm_any(standin, user))
            assert f"Handled by <@{COORD}>" in now_reads and "concern_rematch" not in now_reads

        # A second press, by Cat on her old copy, says who handled it and changes nothing.
        second = press(slack, standin, CAT, "concern_rematch", cats)
        assert f"Handled by <@{COORD}>" in json.dumps(second) and second["replace_original"]
        second = press(slack, standin, CAT, "concern_reply", cats)
        assert f"Handled by <@{COORD}>" in json.dumps(second)
        late = slack.view_submission(CAT, "concern_reply", form(reply="Me too"), metadata).json()
        assert "handled this concern already" in json.dumps(late["view"])
        deliver(runtime, clock, moment)

    assert pair_of(runtime.sessions, BEN).status == "active"
    assert concerns(runtime.sessions) == [
        (BEN, pair.id, SECRET, "handled", COORD, "replied", "Thanks, let us talk tomorrow <!here>")
    ]
    [heard] = sent(runtime.sessions, "concernhandled")
    assert heard.to == BEN
    assert "let us talk tomorrow &lt;!here&gt;" in heard.text and "<!here>" not in heard.text
    never_told(standin, ANA)


def concern_dm_any(standin: SlackStandin, coordinator: str) -> dict[str, Any]:
    """The latest concern DM a coordinator received, handled or not."""
    found = [m for m in standin.messages_in(coordinator) if "A concern" in json.dumps(m)]
    return found[-1]


def test_a_rematch_or_an_end_closes_the_pair_kindly_without_revealing_the_concern(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        slack.command("/mentoring", f"pair {mention(CAT)} {mention(DAN)}", user_id=COORD)
        first, second = pair_of(runtime.sessions, BEN), pair_of(runtime.sessions, DAN)
        raise_one(slack, standin, BEN, f"{SECRET} one", str(first.id))
        raise_one(slack, standin, CAT, f"{SECRET} two", str(second.id))  # the mentor raises it
        moment = deliver(runtime, clock, START)
        [about_ben, about_dan] = [
            m for m in standin.messages_in(COORD) if "concern_reply" in json.dumps(m)
        ]

        rematched = press(slack, standin, COORD, "concern_rematch", about_ben)
        assert "proposed a re-match" in json.dumps(rematched)
        ended = press(slack, standin, COORD, "concern_end", about_dan)
        assert "ended the pair gracefully" in json.dumps(ended)
        # A second press says who handled it.
        assert "Handled by" in json.dumps(press(slack, standin, COORD, "concern_end", about_dan))
        moment = deliver(runtime, clock, moment)

        # A third concern, about a pair that ends before anyone handles it.
        mentoring_pair = f"pair {mention(ANA)} {mention(EVE)}"
        slack.command("/mentoring", mentoring_pair, user_id=COORD)
        third = pair_of(runtime.sessions, EVE)
        raise_one(slack, standin, EVE, f"{SECRET} three", str(third.id))
        moment = deliver(runtime, clock, moment)
        slack.command("/mentoring", f"unpair {mention(EVE)}", user_id=COORD)
        about_eve = concern_dm(standin, COORD)
        assert "concern_end" in json.dumps(about_eve)
        refused = press(slack, standin, COORD, "concern_end", about_eve)
        assert "reply to the person instead" in refused["text"]
        deliver(runtime, clock, moment)

    with runtime.sessions() as session:
        status = dict(session.execute(select(Pair.mentee_id, Pair.status)).all())
    assert status == {BEN: "ended", DAN: "ended", EVE: "ended"}
    assert [(c[0], c[3], c[5]) for c in concerns(runtime.sessions)] == [
        (BEN, "handled", "rematch"),
        (CAT, "handled", "ended"),
        (EVE, "open", None),
    ]
    told = {s.to: s.text for s in sent(runtime.sessions, "concernhandled")}
    assert set(told) == {BEN, CAT}
    assert "a new match will be proposed to you" in told[BEN]
    assert "ended your mentoring pair gracefully" in told[CAT]
    farewells = {s.to: s.text for s in sent(runtime.sessions, "farewell")}
    assert set(farewells) == {f"{BEN},{ANA}", f"{DAN},{CAT}", f"{EVE},{ANA}"}
    for text in farewells.values():
        assert SECRET not in text and "concern" not in text.lower()
    assert "look for a new match" in farewells[f"{BEN},{ANA}"]
    # The other person in each pair never heard of any concern.
    for other in (ANA, DAN):
        never_told(standin, other)


def test_concerns_without_a_pair_several_pairs_and_no_coordinator_to_tell(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        slack.command("/mentoring", f"pair {mention(ANA)} {mention(CAT)}", user_id=COORD)
        slack.command("/mentoring", f"pair {mention(COORD)} {mention(DAN)}", user_id=COORD)
        ben_pair, cat_pair = pair_of(runtime.sessions, BEN), pair_of(runtime.sessions, CAT)
        dan_pair = pair_of(runtime.sessions, DAN)

        # Someone in no pair: no choice to make; it goes to coordinators, with no pair buttons.
        slack.command("/checkin", "concern", user_id=OUTSIDER)
        modal = opened(standin)
        assert not any(b.get("block_id") == "pair" for b in modal["blocks"])
        assert "initial_value" not in json.dumps(modal)
        answer = raise_one(slack, standin, OUTSIDER, "The programme feels unclear", None)
        assert f"<@{COORD}>" in json.dumps(answer["view"])

        # A mentor of two picks; leaving the choice empty is a field error.
        slack.command("/checkin", "concern", user_id=ANA)
        modal = opened(standin)
        [choice] = [b for b in modal["blocks"] if b.get("block_id") == "pair"]
        assert "initial_option" not in choice["element"]
        assert {o["value"] for o in choice["element"]["options"]} == {
            str(ben_pair.id),
            str(cat_pair.id),
            "none",
        }
        missing = slack.view_submission(ANA, "concern", form(text="Hm"), "pick").json()
        assert missing["response_action"] == "errors" and list(missing["errors"]) == ["pair"]
        not_mine = form(text="Hm", pair=chosen(str(dan_pair.id)))
        assert "pair" in slack.view_submission(ANA, "concern", not_mine, "pick").json()["errors"]
        raise_one(slack, standin, ANA, "Not about anyone", "none")

        # Dan's mentor is the only coordinator: nobody can receive it, and Dan is told so.
        honest = raise_one(slack, standin, DAN, f"{SECRET} about my mentor", str(dan_pair.id))
        shown = json.dumps(honest["view"])
        assert "could not pass your concern on" in shown and "outside your pair" in shown

        # The App Home's button opens the same form, about that pair.
        event = {"type": "app_home_opened", "user": BEN, "channel": "D0", "tab": "home"}
        slack.event(event)
        home = standin.home_view(BEN)
        assert home is not None and "Raise a concern" in json.dumps(home)
        slack.block_action(BEN, "concern_open", value=str(ben_pair.id), view=home)
        from_home = opened(standin)
        assert from_home["callback_id"] == "concern"
        [choice] = [b for b in from_home["blocks"] if b.get("block_id") == "pair"]
        assert choice["element"]["initial_option"]["value"] == str(ben_pair.id)
        deliver(runtime, clock, START)

    assert [(c[0], c[1], c[3]) for c in concerns(runtime.sessions)] == [
        (OUTSIDER, None, "open"),
        (ANA, None, "open"),
        (DAN, dan_pair.id, "open"),
    ]
    to_coord = [s for s in sent(runtime.sessions, "concern")]
    assert [s.to for s in to_coord] == [COORD, COORD]
    assert all("Not about a pair" in s.text for s in to_coord)
    assert all("concern_rematch" not in s.text and "concern_end" not in s.text for s in to_coord)
    assert SECRET not in json.dumps([s.text for s in sent(runtime.sessions)])


def test_an_empty_or_overlong_concern_changes_nothing(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True):
        pair_ana_and_ben(slack, "2027-03-01")
        pair = pair_of(runtime.sessions, BEN)
        with runtime.sessions() as session:
            queued = session.scalar(select(func.count()).select_from(OutboundMessage))
        calls = len(standin.calls)
        for text in ("", "   \n ", "x" * 3001):
            values = form(text=text, pair=chosen(str(pair.id)))
            answer = slack.view_submission(BEN, "concern", values, "pick").json()
            assert answer["response_action"] == "errors" and list(answer["errors"]) == ["text"]
        assert concerns(runtime.sessions) == []
        with runtime.sessions() as session:
            assert session.scalar(select(func.count()).select_from(OutboundMessage)) == queued
        assert standin.calls[calls:] == []
