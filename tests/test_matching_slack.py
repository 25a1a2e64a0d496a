"""Matching through Slack: the profile modal (from `/checkin profile` and the App Home),
`/mentoring match <cohort>` with its drop, swap, confirm and discard controls, kickoffs for
the pairs it creates, and polite refusals that change nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.models import Cohort, MatchProposal, Member, Pair, Profile
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.standin.contract import check_message_content, check_view
from tests.programme import (
    ANA,
    BEN,
    CAT,
    CHANNEL,
    COORD,
    DAN,
    EVE,
    OUTSIDER,
    create_spring,
    mention,
    mentoring,
)
from tests.rhythm import chosen, form, run_until, sent
from tests.test_concerns import opened

START = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


pytestmark = pytest.mark.usefixtures("people")


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    [found] = [b for b in view["blocks"] if b.get("block_id") == block_id]
    return dict(found)


def profile_values(
    role: str | None,
    areas: str,
    *,
    capacity: str | None = None,
    cohort: str | None = None,
    goals: str | None = None,
) -> dict[str, Any]:
    fields: dict[str, Any] = {"areas": areas}
    if role:
        fields["role"] = {"type": "radio_buttons", "selected_option": {"value": role}}
    if capacity:
        fields["capacity"] = {"type": "number_input", "value": capacity}
    if cohort:
        fields["cohort"] = chosen(cohort)
    if goals:
        fields["goals"] = goals
    return form(**fields)


def fill_profile(
    slack: SignedSlackClient, user_id: str, role: str, areas: str, **more: str
) -> dict[str, Any]:
    """Open `/checkin profile` (Slack's time zone is read then) and submit it."""
    assert slack.command("/checkin", "profile", user_id=user_id).status == 200
    answer: dict[str, Any] = slack.view_submission(
        user_id, "profile", profile_values(role, areas, **more)
    ).json()
    return answer


def profiles(sessions: sessionmaker[Session]) -> dict[str, tuple[Any, ...]]:
    with sessions() as session:
        rows = session.scalars(select(Profile)).all()
        return {p.user_id: (p.role, p.cohort_id, p.areas, p.goals) for p in rows}


def pairs(sessions: sessionmaker[Session]) -> list[tuple[str, str, str, str]]:
    with sessions() as session:
        rows = session.execute(
            select(Cohort.name, Pair.mentor_id, Pair.mentee_id, Pair.status)
            .join(Cohort, Cohort.id == Pair.cohort_id)
            .order_by(Pair.id)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def proposal_rows(sessions: sessionmaker[Session]) -> list[tuple[str, list[Any], str]]:
    """Each proposal: its status, its rows (mentor, mentee, score) and who made it."""
    with sessions() as session:
        found = session.scalars(select(MatchProposal).order_by(MatchProposal.id)).all()
        return [
            (p.status, [(r["mentor"], r["mentee"], r["score"]) for r in p.rows], p.created_by)
            for p in found
        ]


def spring_id(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalars(select(Cohort.id).where(Cohort.name == "Spring 2027")).one())


def message_id(message: dict[str, Any]) -> str:
    """The proposal's id, as its Discard button carries it."""
    [button] = [
        e for e in block(message, "match_decide")["elements"] if e["action_id"] == "match_discard"
    ]
    return str(button["value"]).removeprefix("discard:")


def row_texts(message: dict[str, Any]) -> list[str]:
    return [
        b["text"]["text"]
        for b in message["blocks"]
        if str(b.get("block_id", "")).startswith("match_row")
    ]


def options_of(message: dict[str, Any], row: int) -> dict[str, str]:
    """A row's "Change…" menu: label → value."""
    menu = block(message, f"match_row_{row}")["accessory"]
    return {o["text"]["text"]: o["value"] for o in menu["options"]}


def act(
    slack: SignedSlackClient,
    standin: SlackStandin,
    user_id: str,
    message: dict[str, Any],
    action_id: str,
    **action: Any,
) -> dict[str, Any]:
    """Use a control of the proposal message; returns what the bot sent to the response_url."""
    before = len(standin.responses)
    shown = {"ts": "1700000000.000100", **message}
    answer = slack.block_action(user_id, action_id, message=shown, action=action)
    assert answer.status == 200
    assert len(standin.responses) == before + 1
    return dict(standin.responses[-1][1])


def choose(
    slack: SignedSlackClient,
    standin: SlackStandin,
    user_id: str,
    message: dict[str, Any],
    value: str,
) -> dict[str, Any]:
    """Pick an option in a row's "Change…" menu."""
    selected = {"type": "static_select", "selected_option": {"value": value}}
    return act(slack, standin, user_id, message, "match_row", **selected)


def press(
    slack: SignedSlackClient,
    standin: SlackStandin,
    user_id: str,
    message: dict[str, Any],
    action_id: str,
) -> dict[str, Any]:
    """Press Confirm or Discard."""
    [button] = [
        e for e in block(message, "match_decide")["elements"] if e["action_id"] == action_id
    ]
    return act(slack, standin, user_id, message, action_id, value=button["value"])


def programme(slack: SignedSlackClient) -> None:
    """Spring 2027; Dan mentored Eve in an older cohort. Profiles: Cat (London) and Dan
    (London) mentor; Eve (London), Ben (New York) and Ana (Tokyo) would like a mentor."""
    create_spring(slack, "starts 2027-03-01")
    mentoring(slack, f"cohort create Old 2026 <#{CHANNEL}|mentoring-spring> starts 2026-09-01")
    mentoring(slack, f"pair {mention(DAN)} {mention(EVE)} cohort Old 2026")
    mentoring(slack, "cohort end Old 2026")
    for user_id, role, areas, extra in (
        (CAT, "mentor", "Python, Design", {"capacity": "1"}),
        (DAN, "mentor", "leadership, public speaking", {}),
        (EVE, "mentee", "design, python", {}),
        (BEN, "mentee", "python, leadership", {}),
        (ANA, "mentee", "python", {}),
    ):
        assert fill_profile(slack, user_id, role, areas, **extra)["response_action"] == "update"


def test_the_profile_modal_saves_checks_and_comes_back_prefilled(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True):
        create_spring(slack, "starts 2027-03-01")
        spring = spring_id(runtime.sessions)
        slack.command("/checkin", "profile", user_id=ANA)
        modal = opened(standin)
        assert check_view(modal, "modal") == []
        assert modal["callback_id"] == "profile"
        assert "Asia/Tokyo" in json.dumps(modal) and "09:00-18:00" in json.dumps(modal)
        assert "initial_option" not in block(modal, "role")["element"]
        cohorts = block(modal, "cohort")["element"]["options"]
        assert [(o["text"]["text"], o["value"]) for o in cohorts] == [
            ("Spring 2027", str(spring)),
            ("Any cohort", "any"),
        ]

        # Mistakes are shown next to their field, and nothing is saved.
        for values, field in (
            (profile_values("mentee", "python, " + "x" * 41), "areas"),
            (profile_values("mentee", " , "), "areas"),
            (profile_values(None, "python"), "role"),
            (profile_values("mentor", "python", capacity="25"), "capacity"),
        ):
            answer = slack.view_submission(ANA, "profile", values).json()
            assert answer["response_action"] == "errors" and list(answer["errors"]) == [field]
        assert profiles(runtime.sessions) == {}

        goals = "Give a talk <!channel>"
        answer = slack.view_submission(
            ANA,
            "profile",
            profile_values(
                "mentee", "Python, Public  Speaking, python", cohort=str(spring), goals=goals
            ),
        ).json()
        assert answer["response_action"] == "update"
        assert check_view(answer["view"], "modal") == []
        shown = json.dumps(answer["view"])
        assert "python, public speaking" in shown and "*Spring 2027*" in shown
        assert "Give a talk &lt;!channel&gt;" in shown and "<!channel>" not in shown
        assert profiles(runtime.sessions) == {
            ANA: ("mentee", spring, ["python", "public speaking"], goals)
        }

        # Opened again, it shows what was saved.
        slack.command("/checkin", "profile", user_id=ANA)
        again = opened(standin)
        assert block(again, "role")["element"]["initial_option"]["value"] == "mentee"
        assert block(again, "cohort")["element"]["initial_option"]["value"] == str(spring)
        assert block(again, "areas")["element"]["initial_value"] == "python, public speaking"
        assert block(again, "goals")["element"]["initial_value"] == goals

        # A mentor's capacity is their capacity for pairing, shown next time.
        answer = fill_profile(slack, CAT, "mentor", "design", capacity="2", cohort="any")
        assert "up to 2 mentees at once" in json.dumps(answer["view"])
        slack.command("/checkin", "profile", user_id=CAT)
        assert block(opened(standin), "capacity")["element"]["initial_value"] == "2"
        assert block(opened(standin), "cohort")["element"]["initial_option"]["value"] == "any"
    with runtime.sessions() as session:
        cat = session.scalars(select(Member).where(Member.user_id == CAT)).one()
        assert (cat.mentor_capacity, cat.tz) == (2, "Europe/London")
    assert profiles(runtime.sessions)[CAT] == ("mentor", None, ["design"], None)


def test_the_app_home_opens_the_same_profile_modal(
    slack: SignedSlackClient, standin: SlackStandin
) -> None:
    slack.event({"type": "app_home_opened", "user": EVE, "channel": "D0", "tab": "home"})
    home = standin.home_view(EVE)
    assert home is not None
    assert block(home, "profile")["accessory"]["action_id"] == "profile_open"
    opens = len(standin.calls_to("views.open"))
    slack.block_action(EVE, "profile_open", value="profile", view=home)
    assert len(standin.calls_to("views.open")) == opens + 1
    modal = opened(standin)
    assert modal["callback_id"] == "profile" and "Europe/London" in json.dumps(modal)


def test_match_proposes_then_drop_swap_and_confirm_create_pairs_with_kickoffs(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True) as clock:
        programme(slack)
        refused = mentoring(slack, "match Spring 2027", user_id=OUTSIDER)
        assert "only programme coordinators" in refused
        assert proposal_rows(runtime.sessions) == []

        message = slack.command("/mentoring", "match spring 2027", user_id=COORD).json()
        assert message["response_type"] == "ephemeral"
        assert check_message_content(message) == []
        assert message["text"] == "2 proposed pairs for Spring 2027"
        first, second = row_texts(message)
        assert first.startswith(f"*1.* <@{CAT}> mentors <@{EVE}> · score *2*")
        assert "Shared: design, python" in first and "9 h of working hours" in first
        assert "both Europe/London" in first
        assert second.startswith(f"*2.* <@{DAN}> mentors <@{BEN}> · score *1*")
        assert "Shared: leadership · 4 h of working hours" in second
        assert "Europe/London and America/New_York" in second
        left_out = f"<@{ANA}> (no mentor with room fits: working hours or past pairs)"
        assert left_out in json.dumps(message)
        assert list(options_of(message, 1)) == ["Drop this row", "Swap mentees with row 2"]
        stored = [("open", [(CAT, EVE, 2), (DAN, BEN, 1)], COORD)]
        assert proposal_rows(runtime.sessions) == stored

        # Only coordinators may touch it, even with the message in hand.
        answer = press(slack, standin, OUTSIDER, message, "match_confirm")
        assert "only programme coordinators" in answer["text"]
        answer = choose(slack, standin, OUTSIDER, message, options_of(message, 1)["Drop this row"])
        assert "only programme coordinators" in answer["text"]

        # A value from another version of the message is refused, and so is a swap with
        # a row that is not there.
        answer = choose(slack, standin, COORD, message, "shuffle:1")
        assert "out of date" in answer["text"] and answer["replace_original"] is False
        # "²" is a digit to Python's str.isdigit, not a number to int(): still just out of date.
        answer = choose(slack, standin, COORD, message, "drop:²:1")
        assert "out of date" in answer["text"] and "went wrong" not in answer["text"]
        answer = choose(slack, standin, COORD, message, f"swap:{message_id(message)}:{EVE}:{ANA}")
        assert "no longer in the proposal" in answer["text"]

        # Swapping would give Dan his past mentee Eve: refused, nothing changes.
        answer = choose(
            slack, standin, COORD, message, options_of(message, 1)["Swap mentees with row 2"]
        )
        assert answer["replace_original"] is False
        assert f"<@{DAN}> and <@{EVE}> were paired before" in answer["text"]
        assert "unchanged" in answer["text"]
        assert proposal_rows(runtime.sessions) == stored

        # Dropping Ben's row: the message is replaced, Ben is listed as left out.
        answer = choose(slack, standin, COORD, message, options_of(message, 2)["Drop this row"])
        assert answer["replace_original"] is True and check_message_content(answer) == []
        assert [t.split("\n")[0] for t in row_texts(answer)] == [
            f"*1.* <@{CAT}> mentors <@{EVE}> · score *2*"
        ]
        assert f"<@{BEN}> (a mentor who fits still has room)" in json.dumps(answer)
        assert proposal_rows(runtime.sessions) == [("open", [(CAT, EVE, 2)], COORD)]
        message = answer

        answer = press(slack, standin, COORD, message, "match_confirm")
        assert answer["replace_original"] is True and check_message_content(answer) == []
        assert answer["text"] == "Created 1 pair in Spring 2027"
        assert f"<@{CAT}> mentors <@{EVE}>" in json.dumps(answer)
        assert pairs(runtime.sessions) == [
            ("Old 2026", DAN, EVE, "ended"),
            ("Spring 2027", CAT, EVE, "active"),
        ]

        # Confirmed is final: another press changes nothing.
        again = press(slack, standin, COORD, message, "match_confirm")
        assert "confirmed already" in again["text"] and again["replace_original"] is False
        again = choose(slack, standin, COORD, message, options_of(message, 1)["Drop this row"])
        assert "confirmed already" in again["text"]
        assert len(pairs(runtime.sessions)) == 2
        run_until(runtime, clock, START, START + timedelta(days=1), timedelta(hours=2))

    # The new pair's kickoff group DM went out once, as for a pair made by hand.
    kickoffs = [s.to for s in sent(runtime.sessions, "kickoff")]
    assert kickoffs.count(f"{EVE},{CAT}") == 1


def test_a_swap_that_fits_rescores_and_discard_creates_nothing(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True):
        create_spring(slack, "starts 2027-03-01")
        fill_profile(slack, CAT, "mentor", "python, design, <!here> & co", capacity="1")
        fill_profile(slack, DAN, "mentor", "leadership", capacity="1")
        fill_profile(slack, EVE, "mentee", "design, python, <!here> & co")
        fill_profile(slack, BEN, "mentee", "python, leadership")
        message = slack.command("/mentoring", "match Spring 2027", user_id=COORD).json()
        # What people typed is shown, never able to ping anyone.
        assert "Shared: design, python, &lt;!here&gt; &amp; co" in row_texts(message)[0]
        assert "<!here>" not in json.dumps(message)
        assert [t.split("\n")[0] for t in row_texts(message)] == [
            f"*1.* <@{CAT}> mentors <@{EVE}> · score *3*",
            f"*2.* <@{DAN}> mentors <@{BEN}> · score *1*",
        ]
        answer = choose(
            slack, standin, COORD, message, options_of(message, 2)["Swap mentees with row 1"]
        )
        assert answer["replace_original"] is True
        assert [t.split("\n")[0] for t in row_texts(answer)] == [
            f"*1.* <@{CAT}> mentors <@{BEN}> · score *1*",
            f"*2.* <@{DAN}> mentors <@{EVE}> · score *0*",
        ]
        assert "No areas in common" in row_texts(answer)[1]
        answer = press(slack, standin, COORD, answer, "match_discard")
        assert answer["replace_original"] is True and "no pair was created" in answer[
            "text"
        ] + json.dumps(answer)
        refused = press(slack, standin, COORD, message, "match_confirm")
        assert "set aside already" in refused["text"]
    assert proposal_rows(runtime.sessions) == [("dropped", [(CAT, BEN, 1), (DAN, EVE, 0)], COORD)]
    assert pairs(runtime.sessions) == []


def test_match_says_why_when_nobody_can_be_matched(
    slack: SignedSlackClient, runtime: Runtime
) -> None:
    with freeze_time(START, tick=True):
        assert "no running cohort" in mentoring(slack, "match")
        create_spring(slack, "starts 2027-03-01")
        assert "no cohort called *Autumn*" in mentoring(slack, "match Autumn")
        empty = mentoring(slack, "match Spring 2027")
        assert "no mentee profiles" in empty and "`/checkin profile`" in empty
        fill_profile(slack, ANA, "mentee", "python")
        assert "no mentor has room" in mentoring(slack, "match")
        fill_profile(slack, BEN, "mentor", "python")
        no_fit = mentoring(slack, "match Spring 2027")
        assert "1 mentee and 1 mentor with room are unpaired" in no_fit
        assert "overlap by less than an hour" in no_fit
    assert proposal_rows(runtime.sessions) == []
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(MatchProposal)) == 0
