"""Cohorts: made with defaults or options, the channel greeted (or why not told), shown, ended."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.db import unit_of_work
from mentorbot.bot.models import Cohort
from mentorbot.bot.services.pairs import Planned, create_pairs
from mentorbot.bot.timeutil import utcnow
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.standin.contract import check_message_content
from tests.payloads import strings_in
from tests.programme import (
    ANA,
    BEN,
    CHANNEL,
    COORD,
    OUTSIDER,
    counts,
    create_spring,
    mention,
    mentoring,
    mentoring_shown,
    words_of,
)

pytestmark = pytest.mark.usefixtures("people")


def test_cohort_create_defaults_greets_the_channel_and_lists(
    slack: SignedSlackClient, sessions: sessionmaker[Session], standin: SlackStandin
) -> None:
    reply = create_spring(slack)
    assert "Cohort *Spring 2027* is set up in <#C0SPRING>: 12 weeks" in reply
    with sessions() as session:
        cohort = session.scalars(select(Cohort)).one()
    today = utcnow().date()  # the coordinator is in London; near midnight it may differ
    assert cohort.starts_on in (today - timedelta(days=1), today, today + timedelta(days=1))
    assert cohort.ends_on - cohort.starts_on == timedelta(weeks=12)
    assert (cohort.cadence, cohort.channel_id, cohort.created_by) == ("biweekly", CHANNEL, COORD)
    [welcome] = standin.messages_in(CHANNEL)
    assert "home of the mentoring cohort *Spring 2027*" in welcome["text"]

    taken = mentoring(slack, f"cohort create spring 2027 <#{CHANNEL}>")
    assert "there is a cohort called *spring 2027* already" in taken
    listed = mentoring(slack, "cohorts")
    assert "*Spring 2027* in <#C0SPRING>: week 1 of 12; 0 pairs." in listed


def test_cohort_options_are_read(slack: SignedSlackClient, sessions: sessionmaker[Session]) -> None:
    create_spring(slack, "starts 2030-01-07 weeks 8 cadence monthly")
    with sessions() as session:
        cohort = session.scalars(select(Cohort)).one()
    assert (cohort.starts_on, cohort.ends_on, cohort.cadence) == (
        date(2030, 1, 7),
        date(2030, 3, 4),
        "monthly",
    )
    assert "starts 7 January 2030" in mentoring(slack, "cohort list")


@pytest.mark.parametrize(
    ("set_up", "says"),
    [
        ({"bot_is_member": False}, "I'm not in <#C0PRIVATE> yet"),
        ({"bot_is_member": True, "archived": True}, "is archived"),
    ],
)
def test_a_channel_the_bot_cannot_post_in_gets_the_coordinator_told(
    slack: SignedSlackClient, standin: SlackStandin, set_up: dict[str, bool], says: str
) -> None:
    standin.add_channel("C0PRIVATE", "mentoring-private", members=[COORD], **set_up)
    mentoring(slack, "cohort create Private <#C0PRIVATE|mentoring-private>")
    [(_, told)] = standin.responses
    assert says in told["text"]
    assert told["response_type"] == "ephemeral"
    if not set_up.get("archived"):
        assert "/invite @mentorbot" in told["text"]
    assert standin.messages_in("C0PRIVATE") == []


def test_cohort_show_and_end(
    slack: SignedSlackClient, sessions: sessionmaker[Session], standin: SlackStandin
) -> None:
    create_spring(slack)
    mentoring(slack, f"pair {mention(ANA)} {mention(BEN)}")
    shown = mentoring_shown(slack, "cohort show SPRING 2027")
    assert "*Spring 2027* in <#C0SPRING>: week 1 of 12" in shown
    assert f"<@{ANA}> mentors <@{BEN}>, biweekly: no agreement yet." in shown

    ended = mentoring(slack, "cohort end Spring 2027")
    assert "has ended" in ended and "1 pair got a thank-you note" in ended
    assert counts(sessions)["pair_status"] == ["ended"]
    assert "has ended already" in mentoring(slack, "cohort end Spring 2027")
    assert "ended" in mentoring(slack, "cohort list")
    refused = mentoring(slack, f"pair {mention(ANA)} {mention(BEN)} cohort Spring 2027")
    assert "has ended; pick a running one" in refused


def test_cohort_show_pages_through_every_pair_with_their_risks(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    create_spring(slack)
    now = utcnow()
    with unit_of_work(runtime.sessions) as session:
        [cohort] = session.scalars(select(Cohort)).all()
        planned = [Planned(f"U0M{n:03d}", f"U0E{n:03d}") for n in range(149)]
        planned.append(Planned(COORD, "U0E149"))  # the coordinator mentors one of them
        made = create_pairs(session, cohort=cohort, planned=planned, now=now, kickoff=False)
        for pair in made[::10]:  # every tenth pair has been quiet for five weeks
            pair.quiet_since = now - timedelta(weeks=5)
        ids = [pair.id for pair in made]
        quiet = {pair.id for pair in made[::10]} - {made[-1].id}
        made[-1].quiet_since = now - timedelta(weeks=5)

    reply = slack.command("/mentoring", "cohort show Spring 2027", user_id=COORD)
    message = reply.json()
    pages = [message]
    while True:
        assert check_message_content(message) == [], message
        assert len(message["blocks"]) <= 30
        assert all(len(text) <= 3000 for text in strings_in(message["blocks"]))
        [controls] = [b for b in message["blocks"] if b["type"] == "actions"]
        labels = {e["text"]["text"]: e for e in controls["elements"]}
        if "Next" not in labels:
            break
        slack.block_action(
            COORD, "cohort_show_page", value=labels["Next"]["value"], message=message
        )
        message = standin.responses[-1][1]
        assert message["replace_original"] is True
        pages.append(message)
    assert len(pages) == 8 and "Previous" in labels
    listed = [
        int(block["block_id"].removeprefix("pair_"))
        for page in pages
        for block in page["blocks"]
        if block.get("block_id", "").startswith("pair_")
    ]
    assert listed == ids  # every pair, once, oldest first
    everything = "\n".join(words_of(page) for page in pages)
    assert "*Pairs* 1 to 20 of 150" in words_of(pages[0])
    assert "*Pairs* 141 to 150 of 150" in words_of(pages[-1])
    assert "Page 8 of 8" in words_of(pages[-1])
    flagged = [
        int(block["block_id"].removeprefix("pair_"))
        for page in pages
        for block in page["blocks"]
        if ":warning: At risk: no check-in for 5 weeks" in block.get("text", {}).get("text", "")
    ]
    # The coordinator's own pair is listed, without its risks (the other person's to tell).
    assert set(flagged) == quiet and f"<@{COORD}> mentors <@U0E149>" in everything
    # Previous goes back a page.
    slack.block_action(
        COORD, "cohort_show_page", value=labels["Previous"]["value"], message=message
    )
    assert "*Pairs* 121 to 140 of 150" in words_of(standin.responses[-1][1])
    # Only coordinators turn pages.
    slack.block_action(
        OUTSIDER, "cohort_show_page", value=labels["Previous"]["value"], message=message
    )
    assert "only programme coordinators" in standin.responses[-1][1]["text"]
