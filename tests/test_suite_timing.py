"""The suite's own machinery: pytest's clock is real while freezegun freezes the bot's."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from _pytest import timing
from freezegun import freeze_time

FROZEN = datetime(2027, 3, 9, 10, 0, tzinfo=UTC)


def test_pytest_measures_real_seconds_while_time_is_frozen() -> None:
    """`pytest --durations` measures with `_pytest.timing`; freezegun must leave it alone."""
    started = timing.Instant()
    with freeze_time(FROZEN, tick=True):
        assert abs(time.time() - FROZEN.timestamp()) < 60  # the bot's clock is frozen...
        within = started.elapsed().seconds
        now = timing.Instant()
    assert 0 <= within < 60  # ...pytest's still counts the seconds that really pass
    assert abs(now.time - time.time()) < 60
