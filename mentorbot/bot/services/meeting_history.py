"""A pair's meetings as a calendar shows them: the rhythms the pair kept, its pauses and its
moved meetings, kept on the pair (`Pair.meeting_history`) as they happen.

A rhythm is a first regular meeting and a cycle: its meetings fall every cycle on the
mentee's wall clock, as `meetings.regular_after` steps. A new agreement starts a new rhythm
and closes the old one (its meetings before then stay). A regular meeting inside a pause is
not held; a moved meeting replaces its regular one. `sequence` counts the changes, so a
calendar can tell a newer version of an event.

The record stays small: a cohort of a year has at most 52 meetings to move or pause.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from mentorbot.bot.models import Pair
from mentorbot.bot.services.cohorts import cycle_of
from mentorbot.bot.timeutil import as_utc, parse_instant


@dataclass(frozen=True)
class Rhythm:
    """Meetings every `every`, from `first` (a regular meeting), before `until` if closed."""

    first: datetime
    every: timedelta
    until: datetime | None


@dataclass(frozen=True)
class MeetingHistory:
    """What the calendar needs of a pair's meetings (see the module's docstring)."""

    rhythms: list[Rhythm]
    # (from, until]: regular meetings in a pause are not held; the last may still run.
    pauses: list[tuple[datetime, datetime]]
    # The regular meeting, and when it happens instead.
    moves: dict[datetime, datetime] = field(default_factory=dict)
    sequence: int = 0
    changed_at: datetime | None = None

    def paused_at(self, moment: datetime) -> bool:
        """Whether a meeting at `moment` falls inside one of the pair's pauses."""
        return any(start < moment <= end for start, end in self.pauses)


def history_of(pair: Pair) -> MeetingHistory:
    """The pair's meeting history; a pair from before histories were kept gets one from its
    coming meeting (its past meetings are unknown)."""
    kept = pair.meeting_history or {}
    if kept.get("rhythms"):
        return MeetingHistory(
            rhythms=[
                Rhythm(
                    parse_instant(r["first"]),
                    timedelta(days=r["every"]),
                    parse_instant(r["until"]) if r.get("until") else None,
                )
                for r in kept["rhythms"]
            ],
            pauses=[(parse_instant(a), parse_instant(b)) for a, b in kept.get("pauses", [])],
            moves={parse_instant(a): parse_instant(b) for a, b in kept.get("moves", [])},
            sequence=int(kept.get("sequence", 0)),
            changed_at=parse_instant(kept["changed_at"]) if kept.get("changed_at") else None,
        )
    regular = pair.moved_from or pair.next_meeting_at
    if regular is None:
        return MeetingHistory(rhythms=[], pauses=[])
    pauses = []
    if pair.status == "paused" and pair.paused_until is not None:
        pauses.append((as_utc(regular) - timedelta(seconds=1), as_utc(pair.paused_until)))
    moves = {}
    if pair.moved_from is not None and pair.next_meeting_at is not None:
        moves[as_utc(pair.moved_from)] = as_utc(pair.next_meeting_at)
    return MeetingHistory(
        rhythms=[Rhythm(as_utc(regular), cycle_of(pair.cadence), None)],
        pauses=pauses,
        moves=moves,
        changed_at=as_utc(pair.created_at),
    )


def start_rhythm(pair: Pair, first: datetime, now: datetime) -> None:
    """A rhythm starts with the regular meeting `first` (pairing, or a new agreement); the
    one before it keeps only its meetings before `now`."""
    kept = _kept(pair)
    rhythms = [r for r in kept["rhythms"] if parse_instant(r["first"]) < now]
    if rhythms and not rhythms[-1].get("until"):
        rhythms[-1] = {**rhythms[-1], "until": _iso(now)}
    rhythms.append({"first": _iso(first), "every": cycle_of(pair.cadence).days})
    kept["rhythms"] = rhythms
    _save(pair, kept, now)


def record_move(pair: Pair, regular: datetime, to: datetime, now: datetime) -> None:
    """The regular meeting `regular` happens at `to` instead."""
    kept = _kept(pair)
    moves = [m for m in kept.get("moves", []) if parse_instant(m[0]) != as_utc(regular)]
    kept["moves"] = [*moves, [_iso(regular), _iso(to)]]
    _save(pair, kept, now)


def record_pause(pair: Pair, until: datetime, now: datetime) -> None:
    """The pair pauses from `now` until `until` (a pause of a paused pair moves its end)."""
    kept = _kept(pair)
    pauses = list(kept.get("pauses", []))
    if pauses and parse_instant(pauses[-1][1]) > now:
        pauses[-1] = [pauses[-1][0], _iso(until)]
    else:
        pauses.append([_iso(now), _iso(until)])
    kept["pauses"] = pauses
    _save(pair, kept, now)


def record_resume(pair: Pair, now: datetime) -> None:
    """The pair's pause ends at `now` (early, or as planned)."""
    kept = _kept(pair)
    pauses = list(kept.get("pauses", []))
    if pauses and parse_instant(pauses[-1][1]) > now:
        pauses[-1] = [pauses[-1][0], _iso(now)]
        kept["pauses"] = pauses
    _save(pair, kept, now)


def record_change(pair: Pair, now: datetime) -> None:
    """Something else the calendar shows changed (the pair ended, its cohort's end moved)."""
    _save(pair, _kept(pair), now)


def _kept(pair: Pair) -> dict[str, Any]:
    if (pair.meeting_history or {}).get("rhythms"):
        return dict(pair.meeting_history or {})
    # Start the record from what the pair holds now (a pair from before histories).
    history = history_of(pair)
    return {
        "rhythms": [{"first": _iso(r.first), "every": r.every.days} for r in history.rhythms],
        "pauses": [[_iso(a), _iso(b)] for a, b in history.pauses],
        "moves": [[_iso(a), _iso(b)] for a, b in history.moves.items()],
        "sequence": 0,
    }


def _save(pair: Pair, kept: dict[str, Any], now: datetime) -> None:
    # A new dict: the JSON column notices assignment, not changes inside it.
    pair.meeting_history = {
        **kept,
        "sequence": int(kept.get("sequence", 0)) + 1,
        "changed_at": _iso(now),
    }


def _iso(moment: datetime) -> str:
    return as_utc(moment).isoformat()
