"""Figures of a run: percentiles, the rows of the table, the kinds of errors."""

from __future__ import annotations

import math
from dataclasses import dataclass

from load_generator import ACK_DEADLINE, Outcome


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(share * len(ordered))))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Figures:
    requests: int
    p50: float
    p99: float
    max: float
    errors: int
    lag: float

    @classmethod
    def of(cls, outcomes: list[Outcome]) -> Figures:
        answered = [o.seconds for o in outcomes if o.status] or [float("nan")]
        return cls(
            requests=len(outcomes),
            p50=percentile(answered, 0.50),
            p99=percentile(answered, 0.99),
            max=max(answered),
            errors=sum(o.error for o in outcomes),
            lag=max((o.lag for o in outcomes), default=0.0),
        )


def row(database: str, target: str, rate: float, figures: Figures) -> str:
    ms = [f"{value * 1000:>7.0f}ms" for value in (figures.p50, figures.p99, figures.max)]
    return (
        f"{database:<11} {target:<28} {rate:>5.0f}/s {figures.requests:>8,} {' '.join(ms)} "
        f"{figures.errors:>6} {figures.lag * 1000:>8.0f}ms"
    )


HEADER = (
    f"{'database':<11} {'target':<28} {'rate':>7} {'requests':>8} {'p50':>9} {'p99':>9} "
    f"{'max':>9} {'errors':>6} {'send lag':>10}"
)


def error_breakdown(outcomes: list[Outcome]) -> str:
    refused = sum(o.status == 0 for o in outcomes)
    non_2xx = sum(o.status != 0 and not 200 <= o.status < 300 for o in outcomes)
    late = sum(o.status != 0 and o.seconds > ACK_DEADLINE for o in outcomes)
    wrong = sum(200 <= o.status < 300 and not o.expected for o in outcomes)
    return f"no answer {refused}, non-2xx {non_2xx}, later than 3 s {late}, wrong answer {wrong}"
