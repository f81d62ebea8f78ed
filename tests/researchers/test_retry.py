from __future__ import annotations

import pytest

from aarlab.researchers.errors import ModelError
from aarlab.researchers.retry import with_retries


class Overloaded(Exception):
    pass


class BadRequest(Exception):
    pass


def test_bounded_outer_retries_with_exponential_backoff() -> None:
    sleeps: list[float] = []
    calls = iter([Overloaded(), Overloaded(), "ok"])

    def call() -> str:
        v = next(calls)
        if isinstance(v, Exception):
            raise v
        return v

    assert with_retries(call, (Overloaded,), (BadRequest,), attempts=3, base_delay_s=1.0, sleep=sleeps.append) == "ok"
    assert sleeps == [1.0, 2.0]


def test_gives_up_and_does_not_retry_fatal_errors() -> None:
    sleeps: list[float] = []

    def overloaded() -> None:
        raise Overloaded()

    with pytest.raises(ModelError, match="after 2 extra retries"):
        with_retries(overloaded, (Overloaded,), (BadRequest,), attempts=2, base_delay_s=1.0, sleep=sleeps.append)
    assert sleeps == [1.0, 2.0]

    def bad() -> None:
        raise BadRequest("prompt too long")

    with pytest.raises(ModelError, match="prompt too long"):
        with_retries(bad, (Overloaded,), (BadRequest,), sleep=sleeps.append)
    assert len(sleeps) == 2
