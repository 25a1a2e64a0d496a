"""`/mentoring feedback [cohort <name>]`: what people said of the mentoring, aggregated."""

from __future__ import annotations

from mentorbot.handlers.commands.request import MentoringRequest


def feedback(request: MentoringRequest) -> None:
    """Aggregated survey answers per cohort; withheld below the anonymity threshold."""
    raise NotImplementedError
