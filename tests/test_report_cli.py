"""`mentorbot report --cohort NAME --out DIR`: the report's files written locally, the same
bytes as in Slack; an unknown cohort or an ambiguous workspace stops with one line, exit 2."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from freezegun import freeze_time
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.db import unit_of_work
from mentorbot.bot.models import Cohort, Workspace
from mentorbot.bot.reports import COLUMNS, report_data, report_files
from mentorbot.cli import main
from tests.processes import clean_env, mentorbot
from tests.test_health import NOW, TEAM, seeded


def test_report_writes_the_same_files_as_slack_gets(
    sessions: sessionmaker[Session],
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ids = seeded(sessions)
    with sessions() as session:
        spring = session.get(Cohort, ids.spring)
        assert spring is not None
        expected = report_files(report_data(session, cohort=spring, now=NOW))
    monkeypatch.setenv("MENTORBOT_DATABASE_URL", database_url)
    out = tmp_path / "reports" / "spring"  # created, parents and all

    with freeze_time(NOW):
        code = main(["report", "--cohort", "spring 2027", "--out", str(out)])
    printed = capsys.readouterr()
    assert (code, printed.err) == (0, "")
    csv_path, png_path = out / "spring-2027-pairs.csv", out / "spring-2027-weekly-checkins.png"
    assert printed.out.splitlines() == [str(csv_path), str(png_path)]
    assert csv_path.read_bytes() == expected[0].content
    assert png_path.read_bytes() == expected[1].content
    header, *rows = list(csv.reader(io.StringIO(csv_path.read_text())))
    assert header == list(COLUMNS) and len(rows) == 5

    # Several workspaces in the database: the command asks which.
    with unit_of_work(sessions) as session:
        session.add(Workspace(team_id="T0OTHER", settings={}))
    with freeze_time(NOW):
        code = main(["report", "--cohort", "Spring 2027", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert (
        err == "mentorbot: there are several workspaces (T0MENTOR, T0OTHER): name one with --team\n"
    )
    with freeze_time(NOW):
        code = main(["report", "--cohort", "Spring 2027", "--out", str(out), "--team", TEAM])
    assert code == 0 and capsys.readouterr().out.count("\n") == 2


def test_the_console_command_writes_files_and_stops_with_one_line_when_the_cohort_is_unknown(
    sessions: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    seeded(sessions)
    env = clean_env(MENTORBOT_DATABASE_URL=database_url)  # no Slack token needed

    out = tmp_path / "out"
    done = mentorbot("report", "--cohort", "Autumn 2027", "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr
    written = sorted(path.name for path in out.iterdir())
    assert written == ["autumn-2027-pairs.csv", "autumn-2027-weekly-checkins.png"]
    assert done.stdout.splitlines() == [str(out / name) for name in written]
    rows = list(csv.reader(io.StringIO((out / written[0]).read_text())))
    assert [row[2:6] for row in rows[1:]] == [["U0M9", "U0M9", "U0E9", "U0E9"]]
    assert (out / written[1]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    unknown = mentorbot("report", "--cohort", "Winter", "--out", str(tmp_path / "x"), env=env)
    assert unknown.returncode == 2
    assert unknown.stderr == (
        "mentorbot: there is no cohort called 'Winter' (cohorts: Autumn 2027, Spring 2027)\n"
    )
    assert not (tmp_path / "x").exists()
    missing = mentorbot("report", "--out", str(out), env=env)
    assert missing.returncode == 2 and "--cohort" in missing.stderr
