"""Importing pairs from a CSV file: `mentorbot import-pairs` and `/mentoring import`."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.models import CheckIn, Member, OutboundMessage, Pair
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.processes import bot_env, mentorbot, wait_for
from tests.programme import (
    ANA,
    BEN,
    CAT,
    COORD,
    DAN,
    EVE,
    OUTSIDER,
    counts,
    create_spring,
    mentoring,
)

GOOD = b"mentor,mentee\nU0ANA,ben@example.com\ncat@example.com,U0DAN\n"
# The same as a spreadsheet exports it: a byte-order mark, CRLF, capitals, an empty column.
EXCEL = b"\xef\xbb\xbfMentor,Mentee,\r\nU0ANA,ben@example.com,\r\ncat@example.com,U0DAN,\r\n"
# Line numbers count the header as line 1; line 4 is blank.
BAD = (
    b"mentor,mentee\n"  # 1
    b"U0ANA,U0BEN\n"  # 2
    b"U0ANA,cat@example.com\n"  # 3
    b"\n"  # 4
    b"U0ANA,U0DAN\n"  # 5
    b"U0ANA,eve@example.com\n"  # 6: Ana's fourth mentee, over the default capacity of 3
    b"U0ONLYONE\n"  # 7: one column
    b"U0CAT,not-an-address\n"  # 8
    b"U0CAT,nobody@example.com\n"  # 9
    b"U0ANA,U0BEN\n"  # 10: repeats line 2
    b"U0CAT,ben@example.com\n"  # 11: Ben already has Ana
    b"U0DAN,dan@example.com\n"  # 12: the same person twice
    b'"U0EVE\nU0ANA",U0CAT\n'  # 13-14: one quoted value over two lines
)
# People are named by their Slack name and the ID or e-mail address they were given as.
BAD_LINES = {
    6: "ana (U0ANA) already mentors 3 people, their capacity",
    7: "expected two values, the mentor then the mentee",
    8: "“not-an-address” is neither a Slack member ID nor an e-mail address",
    9: "nobody in this workspace has the e-mail address nobody@example.com",
    10: "repeats line 2",
    11: "ben (ben@example.com) already has a mentor in Spring 2027, ana (U0ANA);",
    12: "dan (U0DAN) cannot mentor themselves",
    13: "“U0EVE U0ANA” is neither",
}


pytestmark = pytest.mark.usefixtures("people")


def pairs(sessions: sessionmaker[Session]) -> set[tuple[str, str, str]]:
    with sessions() as session:
        rows = session.execute(select(Pair.mentor_id, Pair.mentee_id, Pair.status))
        return {(mentor, mentee, status) for mentor, mentee, status in rows}


def kickoff_keys(sessions: sessionmaker[Session]) -> set[str]:
    with sessions() as session:
        return set(session.scalars(select(OutboundMessage.dedupe_key)))


def pair_ids(sessions: sessionmaker[Session]) -> set[int]:
    with sessions() as session:
        return set(session.scalars(select(Pair.id)))


def write(tmp_path: Path, data: bytes, name: str = "pairs.csv") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def import_pairs(
    standin: SlackStandin, database_url: str, path: str, *options: str
) -> subprocess.CompletedProcess[str]:
    """`mentorbot import-pairs PATH --cohort "Spring 2027" OPTIONS…`, finished."""
    env = bot_env(standin, database_url)
    return mentorbot("import-pairs", path, "--cohort", "Spring 2027", *options, env=env)


def reported(out: str) -> dict[int, str]:
    """The report's lines about rows, by line number."""
    return {
        int(line.split(":")[0].removeprefix("• line ")): line
        for line in out.splitlines()
        if line.startswith("• line ")
    }


# -- the command line ---------------------------------------------------------------------------


def test_cli_imports_ids_and_emails_with_progress_and_kickoffs(
    slack: SignedSlackClient,
    sessions: sessionmaker[Session],
    standin: SlackStandin,
    database_url: str,
    tmp_path: Path,
) -> None:
    create_spring(slack)
    csv = write(tmp_path, GOOD)
    result = mentorbot(
        "import-pairs", csv, "--cohort", "spring 2027", env=bot_env(standin, database_url)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Imported 2 pairs into Spring 2027" in result.stdout
    # tqdm on stderr: four distinct people to look up (the bar is cleared when done)
    assert "looking people up in Slack:" in result.stderr and "/4 [" in result.stderr
    assert "Traceback" not in result.stderr
    assert pairs(sessions) == {(ANA, BEN, "active"), (CAT, DAN, "active")}
    assert kickoff_keys(sessions) == {f"kickoff:pair{n}" for n in pair_ids(sessions)}
    # each e-mail and each ID was asked about once
    emails = [call.args.get("email") for call in standin.calls_to("users.lookupByEmail")]
    assert sorted(emails) == ["ben@example.com", "cat@example.com"]
    asked = [call.args.get("user") for call in standin.calls_to("users.info")]
    assert (asked.count(ANA), asked.count(DAN)) == (1, 1)

    again = mentorbot(
        "import-pairs", csv, "--cohort", "Spring 2027", env=bot_env(standin, database_url)
    )
    assert again.returncode == 1
    assert (
        "line 2: ana (U0ANA) already mentors ben (ben@example.com) in Spring 2027" in again.stdout
    )
    assert len(pair_ids(sessions)) == 2


def test_cli_reports_every_bad_row_by_line_and_imports_nothing(
    slack: SignedSlackClient,
    sessions: sessionmaker[Session],
    standin: SlackStandin,
    database_url: str,
    tmp_path: Path,
) -> None:
    create_spring(slack)
    before = counts(sessions)
    result = import_pairs(standin, database_url, write(tmp_path, BAD))
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "I imported nothing into Spring 2027: 8 of 11 rows need fixing first." in out
    lines = reported(out)
    assert sorted(lines) == sorted(BAD_LINES)
    for number, problem in BAD_LINES.items():
        assert problem in lines[number], lines[number]
    assert "no pair was made" in out
    assert counts(sessions) == before
    assert pairs(sessions) == set()


def test_cli_names_every_person_the_same_way(
    slack: SignedSlackClient,
    sessions: sessionmaker[Session],
    standin: SlackStandin,
    database_url: str,
    tmp_path: Path,
) -> None:
    create_spring(slack)
    standin.add_user("U0GONE", "gone", deleted=True, real_name="Gone Person")
    standin.add_user("U0FAR", "far", team_id="T0ELSEWHERE")  # seen through a shared channel
    rows = (
        b"mentor,mentee\n"
        b"U0GONE,U0BEN\n"  # 2
        b"U0ANA,U0ROBOT\n"  # 3
        b"U0DAN,dan@example.com\n"  # 4
        b"U0NOPE,U0BEN\n"  # 5
        b"U0FAR,U0BEN\n"  # 6
    )
    result = import_pairs(standin, database_url, write(tmp_path, rows))
    assert result.returncode == 1, result.stdout + result.stderr
    assert reported(result.stdout) == {
        2: "• line 2: the Slack account of Gone Person (U0GONE) is deactivated.",
        3: "• line 3: robot (U0ROBOT) is an app, not a person.",
        4: "• line 4: dan (U0DAN) cannot mentor themselves; pick two different people.",
        5: "• line 5: I don't know U0NOPE in this workspace.",
        6: "• line 6: I don't know U0FAR in this workspace.",
    }
    # Nothing of a member of another workspace is kept.
    with sessions() as session:
        assert session.scalar(select(Member).where(Member.user_id == "U0FAR")) is None
    assert pairs(sessions) == set()


def test_cli_refuses_two_people_mentoring_each_other(
    slack: SignedSlackClient,
    sessions: sessionmaker[Session],
    standin: SlackStandin,
    database_url: str,
    tmp_path: Path,
) -> None:
    create_spring(slack)
    swapped = b"mentor,mentee\nU0ANA,U0BEN\nben@example.com,ana@example.com\n"
    result = import_pairs(standin, database_url, write(tmp_path, swapped))
    assert result.returncode == 1, result.stdout + result.stderr
    [(number, line)] = reported(result.stdout).items()
    assert number == 3 and "cannot mentor each other" in line
    assert "were the two swapped?" in line
    assert pairs(sessions) == set()


def test_cli_dry_run_reports_and_changes_nothing(
    slack: SignedSlackClient,
    sessions: sessionmaker[Session],
    standin: SlackStandin,
    database_url: str,
    tmp_path: Path,
) -> None:
    create_spring(slack)
    before = counts(sessions)
    result = import_pairs(standin, database_url, write(tmp_path, EXCEL), "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All 2 rows can be imported into Spring 2027: 2 new pairs." in result.stdout
    assert "dry run; nothing changed" in result.stdout
    assert counts(sessions) == before


def test_cli_explains_unusable_files_in_one_line(
    slack: SignedSlackClient,
    sessions: sessionmaker[Session],
    standin: SlackStandin,
    database_url: str,
    tmp_path: Path,
) -> None:
    create_spring(slack)
    before = counts(sessions)
    env = bot_env(standin, database_url)
    cases = [
        (write(tmp_path, b"U0ANA,U0BEN\n", "noheader.csv"), "Spring 2027", "header"),
        (write(tmp_path, b"mentee,mentor\nU0ANA,U0BEN\n", "swapped.csv"), "Spring 2027", "header"),
        (write(tmp_path, b"", "empty.csv"), "Spring 2027", "header"),
        (write(tmp_path, b"mentor,mentee\nJos\xe9,U0BEN\n", "latin1.csv"), "Spring 2027", "UTF-8"),
        (write(tmp_path, GOOD, "good.csv"), "Autumn", "no cohort called Autumn"),
        (str(tmp_path / "missing.csv"), "Spring 2027", "cannot read"),
    ]
    for path, cohort, explains in cases:
        result = mentorbot("import-pairs", path, "--cohort", cohort, env=env)
        said = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
        assert result.returncode != 0, (path, said)
        assert len(said) == 1 and explains in said[0], (path, said)
        assert "Traceback" not in result.stderr
    assert counts(sessions) == before


# -- Slack ----------------------------------------------------------------------------------------


def share(slack: SignedSlackClient, standin: SlackStandin, user: str, data: bytes) -> None:
    shared = standin.share_file_in_dm(user, "spring.csv", data)
    assert slack.file_shared_in_dm(user, shared).status == 200


def dm_texts(standin: SlackStandin, user: str) -> list[str]:
    return [str(m.get("text") or "") for m in standin.messages_in(user) if m.get("bot_id")]


def wait_for_dm(standin: SlackStandin, user: str, words: str) -> str:
    wait_for(lambda: any(words in t for t in dm_texts(standin, user)), f"a DM saying {words!r}")
    return next(t for t in dm_texts(standin, user) if words in t)


def test_slack_import_from_a_shared_csv(
    slack: SignedSlackClient, sessions: sessionmaker[Session], standin: SlackStandin
) -> None:
    create_spring(slack)
    share(slack, standin, COORD, GOOD)
    hint = wait_for_dm(standin, COORD, "/mentoring import")
    assert "spring.csv" in hint

    ack = mentoring(slack, "import cohort Spring 2027")
    assert "I'm reading the newest CSV file you shared" in ack
    report = wait_for_dm(standin, COORD, "Imported")
    assert "*spring.csv*: :white_check_mark: Imported 2 pairs into *Spring 2027*" in report
    assert pairs(sessions) == {(ANA, BEN, "active"), (CAT, DAN, "active")}
    assert kickoff_keys(sessions) == {f"kickoff:pair{n}" for n in pair_ids(sessions)}
    assert [(d.token, d.status) for d in standin.downloads] == [("xoxb-test-token", 200)]


def test_slack_dry_run_and_bad_rows_change_nothing(
    slack: SignedSlackClient, sessions: sessionmaker[Session], standin: SlackStandin
) -> None:
    create_spring(slack)
    before = counts(sessions)
    share(slack, standin, COORD, GOOD)
    assert "dry run" in mentoring(slack, "import cohort Spring 2027 dry-run")
    wait_for_dm(standin, COORD, "can be imported")
    assert counts(sessions) == before

    share(slack, standin, COORD, BAD)
    mentoring(slack, "import cohort Spring 2027")
    report = wait_for_dm(standin, COORD, "I imported nothing")
    plain = re.sub(r"<@([A-Z0-9]+)>", r"@\1", report).replace("*", "")
    reported = [line for line in plain.splitlines() if line.startswith("• line ")]
    assert len(reported) == len(BAD_LINES), reported
    for line, (number, problem) in zip(reported, sorted(BAD_LINES.items()), strict=True):
        assert line.startswith(f"• line {number}: ") and problem in line, line
    assert counts(sessions) == before


def test_slack_import_finds_the_file_and_downloads_it_as_slack_serves_it(
    slack: SignedSlackClient, sessions: sessionmaker[Session], standin: SlackStandin
) -> None:
    create_spring(slack)
    shared = standin.share_file_in_dm(COORD, "spring.csv", GOOD)
    mentoring(slack, "import cohort Spring 2027 dry-run")
    wait_for_dm(standin, COORD, "can be imported")
    # The newest file in the DM, then Slack's own record of it, then its bytes.
    asked = [c for c in standin.calls if c.method in ("conversations.history", "files.info")]
    assert [c.method for c in asked] == ["conversations.history", "files.info"]
    assert asked[1].args["file"] == shared["id"] and asked[1].token == "xoxb-test-token"
    [download] = standin.downloads
    assert (download.file_id, download.token, download.status) == (
        shared["id"],
        "xoxb-test-token",
        200,
    )
    assert download.path == shared["url_private_download"].removeprefix(standin.base_url)
    assert download.at > asked[1].at

    # A file deleted since it was shared leaves a tombstone: said so, nothing fetched.
    standin.delete_shared_file(shared["id"])
    mentoring(slack, "import cohort Spring 2027")
    wait_for_dm(standin, COORD, "was deleted since")
    assert standin.calls_to("files.info")[-1].error == "file_deleted"
    assert len(standin.downloads) == 1 and pairs(sessions) == set()


def test_slack_import_refuses_a_file_that_is_not_csv_or_too_large(
    slack: SignedSlackClient, sessions: sessionmaker[Session], standin: SlackStandin
) -> None:
    create_spring(slack)
    before = counts(sessions)
    mentoring(slack, "import cohort Spring 2027")
    wait_for_dm(standin, COORD, "I found no CSV file from you")

    share(slack, standin, COORD, GOOD)  # an older CSV does not stand in for the newest file
    notes = standin.share_file_in_dm(COORD, "notes.pdf", b"%PDF-1.4", filetype="pdf")
    assert slack.file_shared_in_dm(COORD, notes).status == 200
    assert not any("notes.pdf" in text for text in dm_texts(standin, COORD))  # no hint
    mentoring(slack, "import cohort Spring 2027")
    refused = wait_for_dm(standin, COORD, "is a PDF file")
    assert "*notes.pdf*" in refused and "I can only import a CSV" in refused
    assert "Nothing was changed" in refused

    big = GOOD + b"U0EVE,eve@example.com\n" * 60_000
    assert len(big) > 1_000_000
    standin.share_file_in_dm(COORD, "everyone.csv", big)
    mentoring(slack, "import cohort Spring 2027")
    too_large = wait_for_dm(standin, COORD, "MB, and I import files of up to 1 MB")
    assert "*everyone.csv* is 1.3 MB" in too_large
    assert standin.downloads == []
    assert counts(sessions) == before


def test_only_coordinators_get_a_hint_or_may_import(
    slack: SignedSlackClient, sessions: sessionmaker[Session], standin: SlackStandin
) -> None:
    create_spring(slack)
    mentoring(slack, f"pair <@{EVE}> <@{BEN}>")  # Ben is a mentee: his DMs are check-ins
    assert pairs(sessions) == {(EVE, BEN, "active")}
    for user in (BEN, OUTSIDER):
        share(slack, standin, user, GOOD)
        refused = mentoring(slack, "import cohort Spring 2027", user_id=user)
        assert "only programme coordinators" in refused
    # Replies to an event are sent before the bot answers it: none means none.
    for user in (BEN, OUTSIDER):
        assert dm_texts(standin, user) == []
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(CheckIn)) == 0
    assert standin.downloads == []
    assert pairs(sessions) == {(EVE, BEN, "active")}
