"""The shared machinery: retries, error translation, waiting and paging."""

from __future__ import annotations

import random

import pytest

from cloudneutral import errors
from cloudneutral._runtime import FakeClock, RetryPolicy, Runtime
from cloudneutral.models import Page


class Flaky:
    """Fails with ``exc`` the first ``failures`` calls, then returns ``"ok"``."""

    def __init__(self, failures: int, exc: Exception) -> None:
        self.failures = failures
        self.exc = exc
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.exc
        return "ok"


class NativeBoom(Exception):
    pass


def translate(exc: Exception) -> errors.CloudError:
    if isinstance(exc, NativeBoom):
        return errors.TransientError(f"boom: {exc}")
    return errors.ProviderError(str(exc))


def runtime(clock: FakeClock | None = None, attempts: int = 4) -> Runtime:
    return Runtime(
        provider="test",
        translate=translate,
        clock=clock or FakeClock(),
        retry=RetryPolicy(attempts=attempts, initial=0.5, maximum=2.0),
        rng=random.Random(7),
    )


def test_transient_errors_are_retried_until_success() -> None:
    clock = FakeClock()
    flaky = Flaky(2, NativeBoom("slow down"))
    assert runtime(clock).call(flaky) == "ok"
    assert flaky.calls == 3
    assert len(clock.slept) == 2
    assert 0 <= clock.slept[0] <= 0.5 and 0 <= clock.slept[1] <= 1.0


def test_retries_are_bounded_and_raise_the_translated_error_from_the_native_one() -> None:
    flaky = Flaky(10, NativeBoom("slow down"))
    with pytest.raises(errors.TransientError) as caught:
        runtime(attempts=3).call(flaky)
    assert flaky.calls == 3
    assert isinstance(caught.value.__cause__, NativeBoom)
    assert caught.value.provider == "test"
    assert str(caught.value) == "test: boom: slow down"


def test_backoff_never_exceeds_the_maximum() -> None:
    clock = FakeClock()
    with pytest.raises(errors.TransientError):
        runtime(clock, attempts=8).call(Flaky(99, NativeBoom("x")))
    assert len(clock.slept) == 7
    assert max(clock.slept) <= 2.0


def test_non_idempotent_calls_are_not_retried() -> None:
    flaky = Flaky(1, NativeBoom("x"))
    with pytest.raises(errors.TransientError):
        runtime().call_once(flaky)
    assert flaky.calls == 1


def test_permanent_errors_are_raised_at_once() -> None:
    flaky = Flaky(1, errors.NotFound("gone"))
    with pytest.raises(errors.NotFound) as caught:
        runtime().call(flaky)
    assert flaky.calls == 1
    assert caught.value.provider == "test"
    assert caught.value.__cause__ is None


def test_unknown_native_errors_become_provider_errors() -> None:
    with pytest.raises(errors.ProviderError) as caught:
        runtime().call(Flaky(1, ValueError("weird")))
    assert not caught.value.transient
    assert isinstance(caught.value.__cause__, ValueError)


def test_a_broken_translator_does_not_hide_the_failure() -> None:
    def broken(exc: Exception) -> errors.CloudError:
        raise RuntimeError("translator bug")

    rt = Runtime(provider="p", translate=broken, clock=FakeClock())
    with pytest.raises(errors.ProviderError, match="ValueError: real failure"):
        rt.call(Flaky(1, ValueError("real failure")))


def test_wait_polls_until_done_without_real_sleeping() -> None:
    clock = FakeClock()
    states = iter(["pending", "pending", "running"])
    assert runtime(clock).wait("x", lambda: next(states), lambda s: s == "running", timeout=60) == "running"
    assert len(clock.slept) == 2


def test_wait_times_out_with_the_last_state_in_the_message() -> None:
    clock = FakeClock()
    with pytest.raises(errors.Timeout, match=r"after 10s \(last seen: pending\)") as caught:
        runtime(clock).wait("server to run", lambda: "pending", lambda s: s == "running", timeout=10)
    assert caught.value.transient
    assert clock.now >= 10
    assert clock.now <= 10 + 1e-9  # never sleeps past the deadline


def test_wait_stops_early_on_a_dead_end_state() -> None:
    clock = FakeClock()
    with pytest.raises(errors.ProviderError, match="server is error"):
        runtime(clock).wait(
            "run",
            lambda: "error",
            lambda s: s == "running",
            timeout=60,
            failed=lambda s: "server is error" if s == "error" else None,
        )
    assert clock.slept == []


def test_wait_rejects_a_negative_timeout() -> None:
    with pytest.raises(errors.InvalidArgument):
        runtime().wait("x", lambda: 1, lambda v: False, timeout=-1)


def test_paginate_is_lazy_and_follows_tokens() -> None:
    calls: list[tuple[int, str | None]] = []
    pages = {None: Page((1, 2), "a"), "a": Page((3, 4), "b"), "b": Page((5,), None)}

    def fetch(size: int, token: str | None) -> Page[int]:
        calls.append((size, token))
        return pages[token]

    iterator = runtime().paginate(fetch, 2)
    assert calls == []
    first = next(iterator)
    assert first.items == (1, 2) and calls == [(2, None)]
    assert [i for page in iterator for i in page.items] == [3, 4, 5]
    assert calls == [(2, None), (2, "a"), (2, "b")]


def test_paginate_refuses_a_token_that_does_not_advance() -> None:
    with pytest.raises(errors.ProviderError, match="same page token"):
        list(runtime().paginate(lambda size, token: Page((1,), "same"), 1))
