"""``ErrorPolicy.delay``: exponential backoff, capped, for any attempt number."""

from __future__ import annotations

import pytest

from fabula.read import ErrorPolicy


def test_the_delay_doubles_up_to_the_cap() -> None:
    policy = ErrorPolicy(backoff=0.1, max_backoff=0.5)
    assert [policy.delay(n) for n in range(1, 6)] == [0.1, 0.2, 0.4, 0.5, 0.5]


@pytest.mark.parametrize("attempt", [1_025, 10_000, 10**9])
@pytest.mark.parametrize("backoff", [0.0, 0.1, 1e300])
def test_endless_retries_stay_at_the_cap(attempt: int, backoff: float) -> None:
    # a runner retrying a database failure without end counts its attempts without end
    policy = ErrorPolicy(backoff=backoff, max_backoff=5.0)
    assert policy.delay(attempt) == (0.0 if backoff == 0.0 else 5.0)
