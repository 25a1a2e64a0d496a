"""People's own data: `/checkin my-data` sends a person everything stored about them (and
nothing of anyone else's), `/checkin delete-my-data` deletes their words and their id once
they confirm, leaving only anonymous counts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from freezegun import freeze_time
from sqlalchemy import JSON, String, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot import message_kinds
from mentorbot.bot.message_kinds import MessageKey
from mentorbot.bot.migrate import alembic_config
from mentorbot.bot.models import (
    Base,
    CheckIn,
    Concern,
    Feedback,
    Member,
    Milestone,
    OutboundMessage,
    Pair,
)
from mentorbot.bot.outbox import Outgoing, TargetKind, enqueue_many
from mentorbot.bot.services.cohorts import create_cohort
from mentorbot.bot.services.own_data import delete
from mentorbot.bot.services.pairs import Planned, create_pairs
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.standin.contract import check_blocks
from tests.factories import TEAM
from tests.programme import ANA, BEN, CAT, COORD, DAN, mention, mentoring
from tests.rhythm import Clock, chosen, form, opened, pair_ana_and_ben, run_until, ticked

START = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
# Ben's words, each findable anywhere it is stored.
BEN_QUICK = "BENQUICK planned my first talk"
BEN_SHARED = "BENSHARED the demo went well"
BEN_GOAL = "BENGOAL Give a talk at the guild"
BEN_WIN = "BENWIN spoke at the guild"
BEN_FEEDBACK = "BENFEEDBACK Ana listens well"
BEN_CONCERN = "BENCONCERN meetings are often moved"
REPLY = "COORDREPLY let us talk tomorrow"
BENS = (BEN_QUICK, BEN_SHARED, BEN_GOAL, BEN_WIN, BEN_FEEDBACK, BEN_CONCERN, REPLY)
# Other people's words that Ben's export must not hold, and his deletion must not touch.
ANA_CHECKIN = "ANACHECKIN Ben is doing well"
ANA_CONCERN = "ANACONCERN Ben cancels a lot"
DAN_CHECKIN = "DANCHECKIN my own private note"
# Ana names Ben in her own check-in, the way Slack escapes a typed mention.
ANA_MENTION = f"ANAMENTION met {mention(BEN, 'benjamin')} today"


pytestmark = pytest.mark.usefixtures("people")


def submit_modal(
    slack: SignedSlackClient, standin: SlackStandin, user_id: str, text: str, values: Any
) -> dict[str, Any]:
    """`/checkin <text>` opens a modal; submit it with `values`; returns Bolt's answer."""
    assert slack.command("/checkin", text, user_id=user_id).status == 200
    modal = opened(standin)
    answer = slack.view_submission(user_id, modal["callback_id"], values, modal["private_metadata"])
    assert answer.status == 200, answer.body
    return dict(answer.json())


def quick(slack: SignedSlackClient, user_id: str, text: str) -> dict[str, Any]:
    reply = slack.command("/checkin", text, user_id=user_id)
    assert reply.status == 200, reply.body
    return dict(reply.json())


def a_programme(
    slack: SignedSlackClient, standin: SlackStandin, runtime: Runtime, clock: Clock
) -> None:
    """Ana mentors Ben and Cat mentors Dan in Spring 2027; Ben writes a bit of everything,
    Ana and Dan write their own check-ins, Ana raises a concern about her pair with Ben, and
    a week of ticks delivers it all (the coordinator answers Ben's concern)."""
    pair_ana_and_ben(slack, "2027-03-01")
    mentoring(slack, f"pair {mention(CAT)} {mention(DAN)}")
    with runtime.sessions() as session:
        pair_id = session.scalars(select(Pair.id).where(Pair.mentee_id == BEN)).one()
    assert "Checked in" in quick(slack, BEN, BEN_QUICK)["text"]
    shared = form(went_well=BEN_SHARED, rating=chosen("4"), share=ticked("share"))
    assert submit_modal(slack, standin, BEN, "", shared)["response_action"] == "update"
    quick(slack, BEN, f"goal {BEN_GOAL} by 2027-06-30")
    quick(slack, BEN, f"win {BEN_WIN}")
    survey = form(
        trust=chosen("5"), communication=chosen("4"), usefulness=chosen("4"), comment=BEN_FEEDBACK
    )
    assert submit_modal(slack, standin, BEN, "feedback", survey)["response_action"] == "update"
    concern = form(text=BEN_CONCERN, pair=chosen(str(pair_id)))
    assert submit_modal(slack, standin, BEN, "concern", concern)["response_action"] == "update"
    about_ben = form(text=ANA_CONCERN, pair=chosen(str(pair_id)))
    assert submit_modal(slack, standin, ANA, "concern", about_ben)["response_action"] == "update"
    assert "Checked in" in quick(slack, ANA, ANA_CHECKIN)["text"]
    assert "Checked in" in quick(slack, ANA, ANA_MENTION)["text"]
    assert "Checked in" in quick(slack, DAN, DAN_CHECKIN)["text"]
    moment = run_until(runtime, clock, START, START + timedelta(days=8), timedelta(hours=3))
    # The coordinator answers Ben's concern.
    [dm] = [
        m
        for m in standin.messages_in(COORD)
        if "concern_reply" in json.dumps(m) and "BENCONCERN" in json.dumps(m)
    ]
    [value] = [
        e["value"]
        for b in dm["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "concern_reply"
    ]
    slack.block_action(COORD, "concern_reply", value=value, message=dm)
    metadata = opened(standin)["private_metadata"]
    slack.view_submission(COORD, "concern_reply", form(reply=REPLY), metadata)
    run_until(runtime, clock, moment, moment + timedelta(days=1), timedelta(hours=3))


def snapshot(sessions: sessionmaker[Session]) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as plain values (for "nothing changed")."""
    with sessions() as session:
        return {
            table.name: [dict(row._mapping) for row in session.execute(select(table))]
            for table in Base.metadata.sorted_tables
        }


def texts_stored(sessions: sessionmaker[Session]) -> list[tuple[str, str, Any, str]]:
    """(table, column, row key, text) of every string and JSON value in the database (the
    key: the row's id, or its primary key's values where it has no id)."""
    found = []
    with sessions() as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.c if isinstance(c.type, String | JSON)]
            for row in session.execute(select(table)):
                for column in columns:
                    value = row._mapping[column.name]
                    if value is not None:
                        text = value if isinstance(value, str) else json.dumps(value)
                        key = tuple(row._mapping[c.name] for c in table.primary_key)
                        found.append(
                            (table.name, column.name, key[0] if "id" in table.c else key, text)
                        )
    return found


def checkins_per_cohort(sessions: sessionmaker[Session]) -> dict[int, int]:
    with sessions() as session:
        rows = session.execute(
            select(Pair.cohort_id, func.count())
            .join(CheckIn, CheckIn.pair_id == Pair.id)
            .group_by(Pair.cohort_id)
        )
        return {cohort_id: count for cohort_id, count in rows}


def own_checkins(sessions: sessionmaker[Session], user_id: str) -> list[str | None]:
    with sessions() as session:
        return list(
            session.scalars(
                select(CheckIn.went_well).where(CheckIn.author_id == user_id).order_by(CheckIn.id)
            )
        )


@pytest.fixture
def clock() -> Any:
    with freeze_time(START, tick=True) as frozen:
        yield frozen


# -- export -------------------------------------------------------------------------------------


def test_my_data_sends_everything_of_theirs_and_nothing_of_anyone_elses(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin, clock: Clock
) -> None:
    a_programme(slack, standin, runtime, clock)
    before = snapshot(runtime.sessions)

    reply = quick(slack, BEN, "my-data")
    runtime.settle()

    assert "sending your data to our DM" in reply["text"]
    [upload] = standin.uploaded_files
    assert upload.filename.startswith("mentorbot-my-data-2027-03-") and upload.filename.endswith(
        ".json"
    )
    assert upload.completed and upload.channels == [standin.dm_channel_for(BEN)]
    text = upload.data.decode("utf-8")
    assert text.startswith("{\n  ")  # pretty-printed
    data = json.loads(text)
    assert (data["format"], data["version"], data["user_id"]) == ("mentorbot-my-data", 1, BEN)
    assert data["exported_at"].endswith("+00:00")
    assert (data["member"]["tz"], data["member"]["data_deleted_at"]) == ("America/New_York", None)
    # Their language too: Slack's locale for them (asked for with their profile), and none
    # chosen.
    assert (data["member"]["slack_locale"], data["member"]["language"]) == ("en-US", None)
    [pair] = data["pairs"]
    assert (pair["cohort"], pair["your_role"], pair["other_person"], pair["status"]) == (
        "Spring 2027",
        "mentee",
        ANA,
        "active",
    )
    assert [c["went_well"] or c["next_steps"] for c in data["check_ins"]] == [
        BEN_QUICK,
        BEN_SHARED,
    ]
    assert [(c["rating"], c["shared_with_mentor"]) for c in data["check_ins"]][1] == (4, True)
    assert [(g["title"], g["due_on"], g["created_by"]) for g in data["goals"]] == [
        (BEN_GOAL, "2027-06-30", "you")
    ]
    assert BEN_WIN in [m["detail"] for m in data["milestones"] if m["kind"] == "win"]
    [feedback] = data["feedback_given"]
    assert (feedback["trust"], feedback["comment"]) == (5, BEN_FEEDBACK)
    [concern] = data["concerns_raised"]
    assert (concern["text"], concern["status"], concern["reply"]) == (BEN_CONCERN, "handled", REPLY)
    kinds = {m["kind"] for m in data["messages_to_you"]}
    assert {"kickoff", "celebrate", "concernhandled"} <= kinds
    assert all(m["to"] in ("you", "group") for m in data["messages_to_you"])
    # Nothing of anyone else's words: Ana's concern about Ben, Ana's and Dan's check-ins.
    for theirs in (ANA_CONCERN, ANA_CHECKIN, DAN_CHECKIN, "ANAMENTION"):
        assert theirs not in text
    assert any("belongs to the person who raised it" in note for note in data["notes"])
    # Ana's export holds her check-in and her concern, not Ben's words.
    quick(slack, ANA, "my-data")
    runtime.settle()
    ana = standin.uploaded_files[-1].data.decode("utf-8")
    assert ANA_CHECKIN in ana and ANA_CONCERN in ana
    assert BEN_QUICK not in ana and BEN_CONCERN not in ana and BEN_FEEDBACK not in ana
    assert snapshot(runtime.sessions) == before  # exporting changes nothing


def test_every_message_of_a_programme_has_the_columns_its_key_gets_from_the_migration(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin, clock: Clock
) -> None:
    """The producers set each row's columns as migration 0011 reads them from its key: a row
    queued before the upgrade and one queued after say the same."""
    a_programme(slack, standin, runtime, clock)
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    migration = script.get_revision("0011").module
    with runtime.sessions() as session:
        known = migration.Known.read(session.connection())
        rows = session.scalars(select(OutboundMessage)).all()
        stored = {
            (row.team_id, row.dedupe_key): {name: getattr(row, name) for name in migration.COLUMNS}
            for row in rows
        }
    assert stored == {
        (team_id, key): migration.columns_from_key(team_id, key, known) for team_id, key in stored
    }
    kinds = {columns["kind"] for columns in stored.values()}
    assert {"kickoff", "prompt", "prep", "followup", "celebrate", "concern"} <= kinds
    assert "concernhandled" in kinds


def test_a_failed_upload_is_explained_to_the_person(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    pair_ana_and_ben(slack, "2027-03-01")
    standin.fail_next("files.completeUploadExternal", error="not_in_channel")
    answered = len(standin.responses)

    reply = quick(slack, BEN, "my-data")
    runtime.settle()

    assert "sending your data" in reply["text"]
    [(_, said)] = standin.responses[answered:]
    assert "could not send you the file" in said["text"]
    assert said["response_type"] == "ephemeral"
    assert [f for f in standin.uploaded_files if f.completed] == []


# -- deletion -----------------------------------------------------------------------------------


def offer(slack: SignedSlackClient, user_id: str) -> dict[str, Any]:
    """`/checkin delete-my-data`: the ephemeral offer, checked as Slack would."""
    reply = quick(slack, user_id, "delete-my-data")
    assert check_blocks(reply["blocks"]) == []
    return reply


def press(
    slack: SignedSlackClient, standin: SlackStandin, user_id: str, action_id: str, message: Any
) -> str:
    """Press a button of the offer; returns what the bot answered through response_url."""
    [value] = [
        e["value"]
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    ]
    before = len(standin.responses)
    shown = {**message, "ts": "1.0"}
    assert slack.block_action(user_id, action_id, value=value, message=shown).status == 200
    [(_, said)] = standin.responses[before:]
    return str(said["text"])


def test_deleting_takes_out_their_words_and_id_everywhere_and_keeps_the_counts(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin, clock: Clock
) -> None:
    a_programme(slack, standin, runtime, clock)
    counts = checkins_per_cohort(runtime.sessions)
    assert sum(counts.values()) == 5
    stored = json.dumps(texts_stored(runtime.sessions))
    assert all(words in stored for words in BENS) and BEN in stored

    message = offer(slack, BEN)
    shown = json.dumps(message)
    assert "the words of 2 check-ins, 1 goal, 1 win" in shown
    assert "mentoring pair ends" in shown and "anonymous counts" in shown
    button = next(e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert (button["action_id"], button["style"]) == ("own_data_delete", "danger")
    assert button["confirm"]["confirm"]["text"] == "Delete"

    said = press(slack, standin, BEN, "own_data_delete", message)

    assert said.startswith(":white_check_mark: Done: I deleted the words of 2 check-ins, 1 goal")
    assert "Your mentoring pair has ended" in said
    leftovers = [
        (table, column, row_id)
        for table, column, row_id, text in texts_stored(runtime.sessions)
        if BEN in text or any(words in text for words in BENS)
    ]
    # Only the record of the deletion names Ben: his member row, emptied.
    [member_row] = [row for row in leftovers if row[0] == "member"]
    assert leftovers == [member_row] and member_row[1] == "user_id"
    with runtime.sessions() as session:
        member = session.scalars(select(Member).where(Member.user_id == BEN)).one()
        assert member.data_deleted_at is not None
        assert (member.name, member.tz, member.is_coordinator) == (None, None, False)
        assert (member.slack_locale, member.language) == (None, None)
        pair = session.scalars(select(Pair).where(Pair.mentor_id == ANA)).one()
        assert pair.status == "ended" and pair.mentee_id.startswith("ERASED-")
        assert len(pair.mentee_id) == 15
        # Everything Ben wrote now carries the one placeholder.
        assert set(
            session.scalars(select(CheckIn.author_id).where(CheckIn.pair_id == pair.id))
        ) == {pair.mentee_id, ANA}
        # His ratings and survey scores go too: an average of them would still be his.
        assert set(
            session.scalars(select(CheckIn.rating).where(CheckIn.author_id == pair.mentee_id))
        ) == {None}
        scores = session.execute(
            select(Feedback.trust, Feedback.communication, Feedback.usefulness).where(
                Feedback.author_id == pair.mentee_id
            )
        ).all()
        assert scores and all(tuple(row) == (None, None, None) for row in scores)
        farewell = session.scalars(
            select(OutboundMessage).where(OutboundMessage.dedupe_key == f"farewell:pair{pair.id}")
        ).one()
    assert checkins_per_cohort(runtime.sessions) == counts
    # Ana's check-ins stay hers; where she named Ben, the placeholder stands, without his name.
    assert own_checkins(runtime.sessions, ANA) == [
        ANA_CHECKIN,
        f"ANAMENTION met {pair.mentee_id} today",
    ]
    assert "benjamin" not in json.dumps(texts_stored(runtime.sessions))
    assert own_checkins(runtime.sessions, DAN) == [DAN_CHECKIN]
    # Ana hears, in neutral words, that the pair ended: not why.
    assert (farewell.target_kind, farewell.target_id) == ("user", ANA)
    assert "has come to an end" in farewell.payload["text"]
    assert "delet" not in json.dumps(farewell.payload).lower()
    # Ana's concern about the pair is hers: kept as she wrote it.
    assert ANA_CONCERN in json.dumps(texts_stored(runtime.sessions))

    # A second press (an old copy of the button) changes nothing and says so.
    after = snapshot(runtime.sessions)
    again = press(slack, standin, BEN, "own_data_delete", message)
    assert "deleted already" in again
    assert snapshot(runtime.sessions) == after


def test_cancelling_or_someone_elses_press_deletes_nothing(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin, clock: Clock
) -> None:
    pair_ana_and_ben(slack, "2027-03-01")
    quick(slack, BEN, BEN_QUICK)
    quick(slack, BEN, f"goal {BEN_GOAL}")
    message = offer(slack, BEN)
    before = snapshot(runtime.sessions)

    # Ana presses Ben's button: refused, for her and for him.
    refused = press(slack, standin, ANA, "own_data_delete", message)
    assert "only the person who asked" in refused
    assert snapshot(runtime.sessions) == before
    # A forged or mangled value is refused too.
    for value in (f"{BEN}:soon", "nonsense", f"{BEN}:inf"):
        forged = {**message, "blocks": _with_value(message["blocks"], value)}
        assert "out of date" in press(slack, standin, BEN, "own_data_delete", forged)
    assert snapshot(runtime.sessions) == before

    said = press(slack, standin, BEN, "own_data_cancel", message)

    assert "Nothing was deleted" in said
    assert snapshot(runtime.sessions) == before
    assert own_checkins(runtime.sessions, BEN) == [BEN_QUICK]


def _with_value(blocks: list[Any], value: str) -> list[Any]:
    """The offer's blocks with the delete button carrying `value`."""
    changed = json.loads(json.dumps(blocks))
    for block in changed:
        for element in block.get("elements", []):
            if element.get("action_id") == "own_data_delete":
                element["value"] = value
    return changed


def test_a_new_offer_after_a_deletion_deletes_what_came_since(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin, clock: Clock
) -> None:
    pair_ana_and_ben(slack, "2027-03-01")
    quick(slack, BEN, BEN_QUICK)
    first = offer(slack, BEN)
    clock.tick(timedelta(minutes=1))
    assert "Done" in press(slack, standin, BEN, "own_data_delete", first)
    clock.tick(timedelta(days=1))
    # Ben is paired again and starts afresh; the member row (the deletion's record) is his.
    mentoring(slack, f"pair {mention(CAT)} {mention(BEN)}")
    quick(slack, BEN, "BENAGAIN a fresh start")
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).where(Member.user_id == BEN)) == 1
    clock.tick(timedelta(minutes=1))
    assert "deleted already" in press(slack, standin, BEN, "own_data_delete", first)
    assert own_checkins(runtime.sessions, BEN) == ["BENAGAIN a fresh start"]

    second = offer(slack, BEN)
    clock.tick(timedelta(minutes=1))
    assert "Done" in press(slack, standin, BEN, "own_data_delete", second)
    assert own_checkins(runtime.sessions, BEN) == []
    assert "BENAGAIN" not in json.dumps(texts_stored(runtime.sessions))


def test_the_other_person_is_told_which_of_their_pairs_ended_without_naming_anyone_gone(
    session: Session,
) -> None:
    """Ana mentors Ben and Cat in Spring (paired the same moment, as an import does) and Dan
    in Autumn. When Ben deletes his data, Ana is told which pair ended by what stays: the
    cohort, her role, the day it began, and the pairs that go on, named. Ben is not named:
    a stored message would keep the id the deletion takes out."""
    paired = datetime(2027, 3, 1, 9, tzinfo=UTC)
    spring, autumn = (
        create_cohort(
            session,
            team_id=TEAM,
            name=name,
            channel_id="C0COHORT",
            starts_on=paired.date(),
            cadence="biweekly",
            created_by=COORD,
            now=paired,
        )
        for name in ("Spring", "Autumn")
    )
    create_pairs(session, cohort=spring, planned=[Planned(ANA, BEN), Planned(ANA, CAT)], now=paired)
    create_pairs(session, cohort=autumn, planned=[Planned(ANA, DAN)], now=paired)

    def note_to(user_id: str) -> str:
        [row] = session.scalars(
            select(OutboundMessage).where(
                OutboundMessage.dedupe_key.like("farewell:%"),
                OutboundMessage.target_id == user_id,
                OutboundMessage.status == "pending",
            )
        )
        assert check_blocks(row.payload["blocks"]) == []
        return str(row.payload["text"])

    delete(session, team_id=TEAM, user_id=BEN, now=START)
    note = note_to(ANA)
    assert note.startswith(
        ":sunflower: Your mentoring pair in *Spring* (you were the mentor; paired on "
        "1 March 2027) has come to an end. Your pairs with <@U0CAT> (*Spring*) and "
        "<@U0DAN> (*Autumn*) go on as before."
    )
    assert BEN not in note and "ERASED" not in note and "delet" not in note.lower()

    # A mentee hears it too, in their role.
    delete(session, team_id=TEAM, user_id=ANA, now=START)
    assert note_to(CAT).startswith(
        ":sunflower: Your mentoring pair in *Spring* (you were the mentee; paired on "
        "1 March 2027) has come to an end. Thank you"
    )
    assert ANA not in note_to(CAT) + note_to(DAN)


def test_deleting_withdraws_the_messages_that_quote_their_words_and_no_others(
    session: Session,
) -> None:
    """Ana mentors Ben and Cat mentors Dan. When Ben deletes his data, what carries his words
    to others goes (the prompt quoting him to Ana, his win in the channel, his thank-you note,
    his concern to the coordinator), sent ones kept as a record without words; what quotes
    others stays (Dan's prompt to Cat, Ana's concern about the pair)."""
    spring = create_cohort(
        session,
        team_id=TEAM,
        name="Spring",
        channel_id="C0COHORT",
        starts_on=START.date(),
        cadence="biweekly",
        created_by=COORD,
        now=START,
    )
    bens, dans = create_pairs(
        session, cohort=spring, planned=[Planned(ANA, BEN), Planned(CAT, DAN)], now=START
    )
    his, hers = (
        Concern(id=901, team_id=TEAM, raised_by=BEN),
        Concern(id=902, team_id=TEAM, raised_by=ANA),
    )
    meeting = START + timedelta(days=3)
    outbox: dict[str, tuple[MessageKey, TargetKind, str]] = {
        "his prompt": (message_kinds.prompt(bens, meeting), "user", ANA),
        "his win": (message_kinds.win_share(bens, Milestone(id=903)), "channel", "C0COHORT"),
        "his thanks": (message_kinds.gratitude(bens, BEN), "user", ANA),
        "his concern": (message_kinds.concern(his, COORD), "user", COORD),
        "dan's prompt": (message_kinds.prompt(dans, meeting), "user", CAT),
        "her concern": (message_kinds.concern(hers, COORD), "user", COORD),
    }
    enqueue_many(
        session,
        [
            Outgoing(TEAM, key, kind, to, {"text": "words"}, START)
            for key, kind, to in outbox.values()
        ],
        now=START,
    )
    sent = ("his prompt", "his win", "dan's prompt")  # the rest wait, never tried
    session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.dedupe_key.in_([outbox[name][0].text for name in sent]))
        .values(status="sent", attempts=1)
    )

    delete(session, team_id=TEAM, user_id=BEN, now=START)

    left = {
        row.dedupe_key: (row.status, row.payload)
        for row in session.scalars(select(OutboundMessage))
    }
    state = {name: left.get(key.text) for name, (key, _kind, _to) in outbox.items()}
    assert state == {
        "his prompt": ("sent", {}),
        "his win": ("sent", {}),
        "his thanks": None,
        "his concern": None,
        "dan's prompt": ("sent", {"text": "words"}),
        "her concern": ("pending", {"text": "words"}),
    }
