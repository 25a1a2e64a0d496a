"""`/mentoring cohort show`: a cohort's calendar and its live pairs, a page at a time.

A cohort of 150 pairs does not fit one message (50 blocks, 3,000 characters a section), so the
pairs come in pages of PAIRS_PER_PAGE, one section each, with Previous and Next buttons that
replace the message with the page before or after. Each pair shows its engagement (cadence,
agreement, next meeting) and why it is at risk, never what anyone wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from mentorbot.bot.models import Cohort, Pair
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.cohorts import pairs_of, summarize
from mentorbot.bot.services.health import Risk, engagement

# One section a pair, with the cohort's section, a context line and the buttons: 23 blocks.
PAIRS_PER_PAGE = 20


@dataclass(frozen=True)
class ShownPair:
    """One pair on a page, and why it may need help (nothing for the viewer's own pair)."""

    pair: Pair
    risks: tuple[Risk, ...]


def cohort_show(
    session: Session,
    *,
    cohort: Cohort,
    page: int,
    viewer: str,
    today: date,
    now: datetime,
    zone: ZoneInfo,
) -> Any:
    """The message showing page `page` (from 0; one past the end shows the last) of the
    cohort's live pairs, oldest first, as `viewer` sees them: a coordinator who is in a pair
    sees it listed, without its risks (its ratings and concerns are the other person's)."""
    [summary] = summarize(session, [cohort], today)
    pairs = pairs_of(session, cohort)
    pages = max(1, -(-len(pairs) // PAIRS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = pairs[page * PAIRS_PER_PAGE : (page + 1) * PAIRS_PER_PAGE]
    risks = {
        row.pair_id: row.risks
        for row in engagement(
            session, cohort=cohort, now=now, pair_ids=[pair.id for pair in shown], viewer=viewer
        )
    }
    return render_json(
        "cohorts/show.json.j2",
        summary=summary,
        shown=[ShownPair(pair, risks.get(pair.id, ())) for pair in shown],
        total=len(pairs),
        first=page * PAIRS_PER_PAGE + 1,
        page=page,
        pages=pages,
        zone=zone,
    )
