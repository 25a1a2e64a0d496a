"""The report: a CSV of per-pair engagement and a PNG chart of weekly check-ins, exact for a
seeded cohort; `/mentoring report` shares them in the coordinator's DM with files upload v2."""

from __future__ import annotations

import csv
import io
import struct
from datetime import date

import pytest
from freezegun import freeze_time
from sqlalchemy import update
from sqlalchemy.orm import Session

from mentorbot.bot.models import Cohort, Pair
from mentorbot.bot.reports import COLUMNS, report_data, report_files, slug, weekly_chart
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.programme import ANA, BEN, CAT, COORD, DAN, mentoring
from tests.test_health import E3, M3, NOW, SECRETS, seed, seeded

WORDS = {
    "chart_title": "Spring 2027: check-ins per week",
    "x_label": "Week starting (Monday)",
    "y_label": "Check-ins",
    "empty": "The cohort has not started yet",
}


def rows_of(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", content[16:24])
    return width, height


def test_the_report_files_of_a_seeded_cohort(session: Session) -> None:
    ids = seed(session)
    session.execute(update(Pair).where(Pair.id == ids.steady).values(meetings_checked_in=4))
    spring = session.get(Cohort, ids.spring)
    assert spring is not None
    data = report_data(session, cohort=spring, now=NOW)
    csv_file, png_file = report_files(data)

    assert (csv_file.filename, csv_file.title) == (
        "spring-2027-pairs.csv",
        "Spring 2027: engagement per pair",
    )
    header, *rows = rows_of(csv_file.content)
    assert header == list(COLUMNS)
    by_id = {int(row[0]): dict(zip(header, row, strict=True)) for row in rows}
    assert sorted(by_id) == sorted([ids.steady, ids.low, ids.quiet, ids.paused, ids.ended])
    assert list(by_id[ids.steady].values())[1:] == [
        "Spring 2027",
        ANA,
        "Ana",
        BEN,
        "'=Ben",  # a name a spreadsheet would run as a formula is kept as text
        "active",
        "weekly",
        "2027-03-01",
        "",
        "5",
        "4",
        "2027-03-30",
        "4.0",
        "1",
        "1",
        "4",
        "0",
        "",
    ]
    low = by_id[ids.low]
    assert (low["mentor_id"], low["mentee_id"], low["cadence"]) == (CAT, DAN, "biweekly")
    assert (low["checkins"], low["checkins_last_4_weeks"], low["average_rating"]) == (
        "2",
        "2",
        "1.5",
    )
    assert (low["goals_open"], low["goals_done"]) == ("0", "0")  # its one goal was dropped
    assert low["at_risk"] == "low ratings (latest 1/5, last three 1.5 on average)"
    quiet = by_id[ids.quiet]
    assert (quiet["mentor_name"], quiet["mentee_name"]) == (M3, E3)  # no cached names
    assert (quiet["checkins"], quiet["last_checkin_on"], quiet["average_rating"]) == ("0", "", "")
    assert (quiet["open_concerns"], quiet["at_risk"]) == (
        "1",
        "no check-in for 4 weeks; 1 open concern",
    )
    ended = by_id[ids.ended]
    assert (ended["status"], ended["ended_on"], ended["at_risk"]) == ("ended", "2027-03-20", "")
    assert by_id[ids.paused]["status"] == "paused"
    text = csv_file.content.decode()
    for secret in SECRETS:
        assert secret not in text

    assert (png_file.filename, png_file.title) == (
        "spring-2027-weekly-checkins.png",
        "Spring 2027: check-ins per week",
    )
    assert png_size(png_file.content) == (1000, 500)
    assert data.weeks == [
        (date(2027, 3, 1), 3),
        (date(2027, 3, 8), 3),
        (date(2027, 3, 15), 1),
        (date(2027, 3, 22), 1),
        (date(2027, 3, 29), 1),
    ]
    # The same data draws the same bytes; other data draws others.
    assert weekly_chart(data.weeks, WORDS) == png_file.content
    assert weekly_chart([(date(2027, 3, 1), 4), *data.weeks[1:]], WORDS) != png_file.content
    assert png_size(weekly_chart([], WORDS)) == (1000, 500)


def test_file_names_are_safe_whatever_the_cohorts_name() -> None:
    assert slug("Spring 2027") == "spring-2027"
    assert slug("  Été 2027 / Paris ") == "ete-2027-paris"
    assert slug("../../etc") == "etc"
    assert slug("★★★", "cohort-7") == "cohort-7"


pytestmark = pytest.mark.usefixtures("people")


def test_mentoring_report_shares_a_csv_and_a_chart_in_the_coordinators_dm(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    ids = seeded(runtime.sessions)
    with runtime.sessions() as session:
        spring = session.get(Cohort, ids.spring)
        assert spring is not None
        expected = report_files(report_data(session, cohort=spring, now=NOW))
    with freeze_time(NOW):
        reply = mentoring(slack, "report Spring 2027")
    assert reply.startswith(":hourglass_flowing_sand: Preparing your report on *Spring 2027*")
    runtime.settle()
    assert len(standin.uploaded_files) == 2
    uploaded = {file.filename: file for file in standin.uploaded_files}
    assert sorted(uploaded) == ["spring-2027-pairs.csv", "spring-2027-weekly-checkins.png"]
    assert uploaded["spring-2027-pairs.csv"].data == expected[0].content
    assert uploaded["spring-2027-weekly-checkins.png"].data == expected[1].content
    dm = standin.dm_channel_for(COORD)
    assert all(file.completed and file.channels == [dm] for file in uploaded.values())
    [shared] = [m for m in standin.messages_in(dm) if m.get("upload")]
    assert shared["text"].startswith(":bar_chart: Your mentoring report")
    assert "*Spring 2027*" in shared["text"] and "never what anyone wrote" in shared["text"]
    assert [c.method for c in standin.calls if c.method.startswith("files.")] == [
        "files.getUploadURLExternal",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]

    # No cohort named: every running cohort, both in one message (newest first).
    with freeze_time(NOW):
        reply = mentoring(slack, "report")
    assert "*Autumn 2027*, *Spring 2027*" in reply
    runtime.settle()
    assert len(standin.uploaded_files) == 6
    names = sorted(file.filename for file in standin.uploaded_files)
    assert names.count("autumn-2027-pairs.csv") == 1 and names.count("spring-2027-pairs.csv") == 2

    # Slack refuses the upload: the coordinator is told, politely, where they typed it.
    standin.fail_next("files.completeUploadExternal", error="not_in_channel")
    answered = len(standin.responses)
    with freeze_time(NOW):
        mentoring(slack, "report cohort spring 2027")
    runtime.settle()
    assert len(standin.responses) == answered + 1
    _url, failure = standin.responses[-1]
    assert failure["response_type"] == "ephemeral"
    assert "could not share your report in our DM (not_in_channel)" in failure["text"]

    with freeze_time(NOW):
        unknown = mentoring(slack, "report Winter")
        refused = mentoring(slack, "report", user_id=BEN)
    assert "no cohort called *Winter*" in unknown and "*Autumn 2027*" in unknown
    assert "only programme coordinators" in refused
