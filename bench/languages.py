"""What a language costs to render: the messages a tick writes most, in each language.

A mentee's meeting prep, a mentor's prompt, a pair's kickoff and a check-in's
confirmation, each rendered R times in every language mentorbot speaks: p50 and p95 per
message. Target: every language within a few percent of English (a translation is a
catalogue lookup; the templates are the same).

    python bench/languages.py [--repeat 2000]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from mentorbot.bot import languages
from mentorbot.bot.rendering import render_json

MEETING = datetime(2027, 3, 2, 11, tzinfo=UTC)
PAIR = SimpleNamespace(id=1, mentee_id="U1", mentor_id="U2", cadence="weekly", team_id="T1")
COHORT = SimpleNamespace(name="Spring 2027")
GOALS = [SimpleNamespace(title="Give a talk at the guild", due_on=MEETING.date())]
CHECKIN = SimpleNamespace(
    id=1, rating=4, shared_with_mentor=True, went_well="A good talk", next_steps="", blockers=""
)


def messages() -> dict[str, Callable[[], Any]]:
    madrid = ZoneInfo("Europe/Madrid")
    return {
        "meeting prep": lambda: render_json(
            "meeting_prompts/mentee_prep.json.j2",
            pair=PAIR,
            meeting=MEETING,
            zone=madrid,
            holidays=[],
            away=[],
            reader=PAIR.mentee_id,
        ),
        "mentor's prompt": lambda: render_json(
            "meeting_prompts/mentor_before_meeting.json.j2",
            pair=PAIR,
            meeting=MEETING,
            zone=madrid,
            goals=GOALS,
            shared=None,
            holidays=[],
            away=[],
            reader=PAIR.mentor_id,
        ),
        "kickoff": lambda: render_json("pairs/welcome.json.j2", pair=PAIR, cohort=COHORT),
        "check-in confirmation": lambda: render_json(
            "checkins/recorded.json.j2", checkin=CHECKIN, pair=PAIR, undo=True
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    print(f"{'message':<24} {'language':<9} {'p50':>8} {'p95':>8}")
    for name, render in messages().items():
        for code in languages.available():
            with languages.speaking(code):
                render()  # compiled and cached before timing
                times = []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    render()
                    times.append(time.perf_counter() - started)
            p50 = statistics.median(times) * 1e6
            p95 = statistics.quantiles(times, n=20)[-1] * 1e6
            print(f"{name:<24} {code:<9} {p50:>6.0f}µs {p95:>6.0f}µs")


if __name__ == "__main__":
    main()
