"""Importing pairs from a CSV file (`mentor,mentee`): all rows or none.

Reading Slack is the caller's part: it resolves each distinct value (a Slack ID or an e-mail
address) to a person, or to the reason it can't, and hands the result in.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput, Reason
from mentorbot.bot.models import Cohort, Pair
from mentorbot.bot.rendering import quoted
from mentorbot.bot.services.health import member_names
from mentorbot.bot.services.pairs import Planned, create_pairs, pairing_problems

MAX_ROWS = 5000
MAX_BYTES = 1_000_000
SLACK_ID = re.compile(r"[UW][A-Z0-9]{2,}")
EMAIL = re.compile(r"[^@\s,<>]+@[^@\s,<>]+\.[^@\s,<>]+")
COLUMNS = ("mentor", "mentee")
NAME_LIMIT = 80


@dataclass(frozen=True)
class Row:
    """One data row: its line number in the file and the two values as written."""

    line: int
    mentor: str
    mentee: str


@dataclass(frozen=True)
class Problem:
    """Why a row cannot be imported."""

    line: int
    reason: Reason


@dataclass(frozen=True)
class Person:
    """Who a value in the file turned out to be, and their Slack name."""

    user_id: str
    name: str | None = None


def named(given: str, name: str | None) -> str:
    """How an import names a person, the same in every line: their Slack name and the ID or
    e-mail address they were given as (just that, when Slack told no name)."""
    return f"{quoted(name, NAME_LIMIT)} ({given})" if name else given


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    planned: list[Planned] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        """True when every row can be (or was) imported."""
        return not self.problems


def read_rows(data: bytes) -> tuple[list[Row], list[Problem]]:
    """Parse the file: a `mentor,mentee` header, then rows; BadInput if the file is unusable."""
    if len(data) > MAX_BYTES:
        raise BadInput("imports/too_big", megabytes=MAX_BYTES // 1_000_000)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput("imports/not_utf8") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    names = [cell.strip().lower() for cell in header or []]
    if names[:2] != list(COLUMNS) or any(names[2:]):
        raise BadInput("imports/no_header")
    rows: list[Row] = []
    problems: list[Problem] = []
    end = reader.line_num
    for cells in reader:
        # A quoted value may span lines: a row is numbered by the line it starts on.
        line, end = end + 1, reader.line_num
        values = [cell.strip() for cell in cells]
        while len(values) > 2 and not values[-1]:
            values.pop()  # trailing empty cells, as spreadsheets export them
        if not any(values):
            continue
        if len(rows) + len(problems) >= MAX_ROWS:
            raise BadInput("imports/too_many_rows", limit=MAX_ROWS)
        if len(values) != 2 or not all(values):
            problems.append(Problem(line, Reason("imports/two_values")))
            continue
        bad = [v for v in values if not (SLACK_ID.fullmatch(v) or EMAIL.fullmatch(v))]
        if bad:
            shown = " ".join(bad[0].split())[:80]  # on one line
            problems.append(Problem(line, Reason("imports/not_a_person", value=shown)))
            continue
        rows.append(Row(line, values[0], values[1]))
    return rows, problems


def identities(rows: list[Row]) -> list[str]:
    """The distinct values the caller must resolve, in file order."""
    return list(dict.fromkeys(v for row in rows for v in (row.mentor, row.mentee)))


def import_pairs(
    session: Session,
    *,
    cohort: Cohort,
    rows: list[Row],
    problems: list[Problem],
    people: dict[str, Person | Reason],
    dry_run: bool,
    now: datetime,
) -> ImportReport:
    """Check every row; create all the pairs (and their kickoffs) only if every row is fine."""
    report = ImportReport(rows=len(rows) + len(problems), dry_run=dry_run)
    report.problems.extend(problems)
    checked: list[tuple[Row, Planned]] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        mentor, mentee = people.get(row.mentor), people.get(row.mentee)
        unresolved = next((p for p in (mentor, mentee) if not isinstance(p, Person)), None)
        if unresolved is not None or not isinstance(mentor, Person):
            reason = unresolved or Reason("imports/unknown_person")
            report.problems.append(Problem(row.line, reason))
            continue
        assert isinstance(mentee, Person)
        key = (mentor.user_id, mentee.user_id)
        if key in seen:
            report.problems.append(Problem(row.line, Reason("imports/repeats", line=seen[key])))
            continue
        seen[key] = row.line
        checked.append((row, Planned(mentor.user_id, mentee.user_id, row.mentor, row.mentee)))
    names = {p.user_id: p.name for p in people.values() if isinstance(p, Person) and p.name}

    def name(user_id: str, given: str) -> str:
        if user_id not in names:  # someone not in the file (a current mentor): as cached
            names.update(member_names(session, team_id=cohort.team_id, user_ids=[user_id]))
        return named(given, names.get(user_id))

    verdicts = pairing_problems(
        session, cohort=cohort, planned=[plan for _, plan in checked], name=name
    )
    for (row, plan), verdict in zip(checked, verdicts, strict=True):
        if verdict:
            report.problems.append(Problem(row.line, verdict))
        else:
            report.planned.append(plan)
    report.problems.sort(key=lambda problem: problem.line)
    if report.ok and not dry_run:
        report.pairs = create_pairs(session, cohort=cohort, planned=report.planned, now=now)
    return report
