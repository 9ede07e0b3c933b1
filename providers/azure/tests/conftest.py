"""Shared fixtures of the Azure test tooling's tests."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """Fail any ``time.sleep`` of more than zero seconds; yields the delays asked for."""
    delays: list[float] = []
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        delays.append(seconds)
        if seconds > 0:
            raise AssertionError(f"time.sleep({seconds}) during a replay")
        real_sleep(0)

    monkeypatch.setattr(time, "sleep", sleep)
    yield delays
