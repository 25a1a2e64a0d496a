"""Cohort health: the figures coordinators watch, computed in one place.

The App Home, `/mentoring status`, the weekly digest and the report (CSV and chart) all read
their figures from here. Everything is engagement, never content: the queries below read
check-ins' dates and ratings, goals' statuses, concerns' counts and feedback scores, and no
column anyone wrote in (check-in text, concern text, feedback comments) is ever selected.

Definitions (the templates say the same in coordinators' words):

- **Pairs**: active, paused and ended, by their status now.
- **Check-in rate, last 4 weeks**: each active pair is expected to check in once per cycle
  of its cadence (weekly: 4 cycles in 28 days, every two weeks: 2, monthly: 1); cycles are
  counted back from now, only whole ones since the pair was formed. A cycle counts as met
  when the pair (either person) checked in during it. The rate is met cycles over expected
  ones, across the cohort's active pairs; paused and ended pairs are left out.
- **At risk**: a live pair with any of
  *quiet*: active and no check-in for two cycles of its cadence since it was formed, last
  checked in, or came back from a pause (`Pair.quiet_since`);
  *low ratings*: its latest rating is 2 or less, or the average of its last three is;
  *concerns*: a concern about it is still open.
- **Goals**: done out of all goals set, dropped ones left out.
- **Feedback**: the results of the latest closed survey round (`feedback.visible_results`),
  numbers only, withheld below its anonymity threshold (MIN_GROUP people with scores);
  and the round still open, whose results come when it closes.
- **Failed deliveries**: messages about the cohort that did not go out, by reason: Slack
  refused them for good (the person left, deactivated or gone; the channel was archived or
  closed to mentorbot; other), or they expired: their moment (a meeting, a due date) came
  before they could reach their reader in working hours.

The package's modules:

- `engagement`: one pair's figures (check-ins, ratings, goals, concerns) and its risks.
- `figures`: a cohort's figures: pairs by status, the check-in rate, pairs at risk, goals.
- `failed_deliveries`: the cohort's messages that did not go out, by reason.
- `pair_actions`: what the per-pair buttons do: open one pair's figures, nudge a quiet pair.
"""

from mentorbot.bot.services.health.engagement import (
    LOW_RATING,
    RATINGS_AVERAGED,
    WINDOW,
    PairEngagement,
    Risk,
    engagement,
    member_names,
    risks_of,
)
from mentorbot.bot.services.health.failed_deliveries import (
    CHANNEL_GONE,
    GONE_NAMED,
    PERSON_GONE,
    FailedDeliveries,
    failed_deliveries,
)
from mentorbot.bot.services.health.figures import (
    CheckinRate,
    CohortHealth,
    cohort_health,
    cohorts_for,
    weekly_checkins,
)
from mentorbot.bot.services.health.pair_actions import (
    nudge_pair,
    nudged_today,
    pair_engagement,
)

__all__ = [
    "CHANNEL_GONE",
    "GONE_NAMED",
    "LOW_RATING",
    "PERSON_GONE",
    "RATINGS_AVERAGED",
    "WINDOW",
    "CheckinRate",
    "CohortHealth",
    "FailedDeliveries",
    "PairEngagement",
    "Risk",
    "cohort_health",
    "cohorts_for",
    "engagement",
    "failed_deliveries",
    "member_names",
    "nudge_pair",
    "nudged_today",
    "pair_engagement",
    "risks_of",
    "weekly_checkins",
]
