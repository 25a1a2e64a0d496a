"""A cohort's report as files: a CSV of per-pair engagement and a PNG chart of weekly check-ins.

The same files for Slack (`/mentoring report`) and for the command line (`mentorbot report`);
this module knows nothing of Slack. Like every coordinator view, the report holds
engagement only: no check-in text, no concern text, no feedback comments.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentorbot.bot import languages
from mentorbot.bot.models import Cohort, Workspace
from mentorbot.bot.rendering import render_json, render_text
from mentorbot.bot.services.health import PairEngagement, engagement, weekly_checkins
from mentorbot.bot.services.mentor_requests import RequestCounts, request_counts

# The CSV's columns, in order (the header row).
COLUMNS = (
    "pair_id",
    "cohort",
    "mentor_id",
    "mentor_name",
    "mentee_id",
    "mentee_name",
    "status",
    "cadence",
    "paired_on",
    "ended_on",
    "checkins",
    "checkins_last_4_weeks",
    "last_checkin_on",
    "average_rating",
    "goals_open",
    "goals_done",
    "meetings_checked_in",
    "open_concerns",
    "at_risk",
)
# The requests CSV's rows: RequestCounts' fields (`withdrawn`: closed without an answer).
REQUEST_STATUSES = ("made", "accepted", "declined", "expired", "waiting", "withdrawn")
# A spreadsheet would run a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Chart size in inches and resolution: 1000 x 500 pixels.
CHART_SIZE = (10, 5)
CHART_DPI = 100


class ReportError(Exception):
    """A one-line problem with a local report (unknown cohort, ambiguous workspace)."""


@dataclass(frozen=True)
class ReportFile:
    """One file of a report: its name, its bytes and a title for people."""

    filename: str
    content: bytes
    title: str


@dataclass(frozen=True)
class ReportData:
    """What a cohort's report is made of, read from the database in one go."""

    cohort_name: str
    slug: str
    rows: list[PairEngagement]
    weeks: list[tuple[date, int]]
    # Mentees' requests to mentors, in a cohort where mentees find their own (else None).
    requests: RequestCounts | None = None


def slug(name: str, fallback: str = "cohort") -> str:
    """A file-name-safe form of a cohort's name: `Été 2027` → `ete-2027`."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return text[:60].strip("-") or fallback


def report_data(
    session: Session, *, cohort: Cohort, now: datetime, viewer: str | None = None
) -> ReportData:
    """Read a cohort's per-pair engagement and weekly check-ins as of `now`; a coordinator
    (`viewer`) who is in a pair gets every row but their own pair's."""
    requests = request_counts(session, cohorts=[cohort])[cohort.id]
    return ReportData(
        cohort_name=cohort.name,
        slug=slug(cohort.name, f"cohort-{cohort.id}"),
        rows=engagement(session, cohort=cohort, now=now, viewer=viewer),
        weeks=weekly_checkins(session, cohort=cohort, now=now),
        requests=requests if cohort.self_serve != "off" or requests.made else None,
    )


def report_files(data: ReportData) -> list[ReportFile]:
    """The report's files: `<slug>-pairs.csv` and `<slug>-weekly-checkins.png`, and for a
    cohort where mentees find their own mentor `<slug>-requests.csv` (counts by status)."""
    words = _words(data.cohort_name)
    files = [
        ReportFile(f"{data.slug}-pairs.csv", pairs_csv(data.rows), words["csv_title"]),
        ReportFile(
            f"{data.slug}-weekly-checkins.png",
            weekly_chart(data.weeks, words),
            words["chart_title"],
        ),
    ]
    if data.requests is not None:
        content = requests_csv(data.requests)
        files.append(ReportFile(f"{data.slug}-requests.csv", content, words["requests_title"]))
    return files


def requests_csv(counts: RequestCounts) -> bytes:
    """A cohort's mentor requests by how they stand: `status,requests` rows, never words."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("status", "requests"))
    for status in REQUEST_STATUSES:
        writer.writerow((status, getattr(counts, status)))
    return out.getvalue().encode("utf-8")


def pairs_csv(rows: Sequence[PairEngagement]) -> bytes:
    """Per-pair engagement as CSV (UTF-8, a header row, one row per pair)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.pair_id,
                _cell(row.cohort_name),
                row.mentor_id,
                _cell(row.mentor_name),
                row.mentee_id,
                _cell(row.mentee_name),
                row.status,
                row.cadence,
                row.paired_on.isoformat(),
                row.ended_on.isoformat() if row.ended_on else "",
                row.checkins,
                row.checkins_recent,
                row.last_checkin.date().isoformat() if row.last_checkin else "",
                "" if row.average_rating is None else f"{row.average_rating:.1f}",
                row.goals_open,
                row.goals_done,
                row.meetings_checked_in,
                row.open_concerns,
                render_text("health/risks.txt.j2", risks=row.risks),
            ]
        )
    return out.getvalue().encode("utf-8")


def _cell(text: str) -> str:
    """A name as a CSV cell a spreadsheet shows as text, never runs as a formula."""
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def weekly_chart(weeks: Sequence[tuple[date, int]], words: dict[str, str]) -> bytes:
    """A bar chart of check-ins per week as PNG bytes; the same data gives the same bytes."""
    # Matplotlib is slow to import: only a report pays for it. Figure and the Agg canvas,
    # not pyplot: no global state, so reports can be drawn in background threads.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=CHART_SIZE, dpi=CHART_DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(weeks)))
    counts = [count for _monday, count in weeks]
    axes.bar(positions, counts, color="#4a90d9")
    step = max(1, len(weeks) // 16)
    axes.set_xticks(positions[::step])
    axes.set_xticklabels(
        [languages.format_day(monday, "short") for monday, _count in weeks][::step],
        rotation=45,
        ha="right",
    )
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(bottom=0, top=max([*counts, 1]) * 1.15)
    if not weeks:
        axes.text(0.5, 0.5, words["empty"], ha="center", va="center", transform=axes.transAxes)
    # Names are shown as typed: a `$` in a cohort's name is not TeX.
    axes.set_title(words["chart_title"], parse_math=False)
    axes.set_xlabel(words["x_label"], parse_math=False)
    axes.set_ylabel(words["y_label"], parse_math=False)
    figure.tight_layout()
    out = io.BytesIO()
    # No "Software" stamp (it carries the version): the bytes depend on the data only.
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def _words(cohort_name: str) -> dict[str, Any]:
    words: dict[str, Any] = render_json("health/report_words.json.j2", cohort_name=cohort_name)
    return words


# -- the command line: `mentorbot report --cohort NAME --out DIR` --------------------------------


def write_report(
    session: Session, *, team_id: str | None, cohort_name: str, out: Path, now: datetime
) -> list[Path]:
    """Write a cohort's report files into `out` (created if missing); returns their paths.

    With one workspace in the database `team_id` may be left out; with several it is needed.
    """
    team = report_team(session, team_id)
    cohort = session.scalar(
        select(Cohort).where(
            Cohort.team_id == team, func.lower(Cohort.name) == cohort_name.strip().lower()
        )
    )
    if cohort is None:
        names = session.scalars(
            select(Cohort.name).where(Cohort.team_id == team).order_by(Cohort.starts_on.desc())
        ).all()
        known = ", ".join(names) if names else "none yet"
        raise ReportError(f"there is no cohort called {cohort_name!r} (cohorts: {known})")
    files = report_files(report_data(session, cohort=cohort, now=now))
    try:
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for file in files:
            path = out / file.filename
            path.write_bytes(file.content)
            paths.append(path)
    except OSError as error:
        raise ReportError(f"cannot write to {out}: {error.strerror or error}") from None
    return paths


def report_team(session: Session, team_id: str | None) -> str:
    """The workspace a local report is about: the one given, or the only one there is."""
    teams = set(session.scalars(select(Workspace.team_id)))
    teams |= set(session.scalars(select(Cohort.team_id).distinct()))
    if team_id:
        if team_id not in teams:
            raise ReportError(f"there is no workspace {team_id!r} in the database")
        return team_id
    if len(teams) > 1:
        listed = ", ".join(sorted(teams))
        raise ReportError(f"there are several workspaces ({listed}): name one with --team")
    if not teams:
        raise ReportError("the database holds no workspace yet: there is nothing to report")
    return teams.pop()
