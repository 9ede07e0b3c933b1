"""What every portable service shares: the clock, retries, error translation, waiting, paging.

This is the one place where a driver call is made: :meth:`Runtime.call` translates an
escaping native exception once (``raise ... from exc``), stamps the provider name, and
retries transient failures with bounded, jittered back-off; :meth:`Runtime.call_once` does
the same without retrying, for operations that are not idempotent (creating a server).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from typing import NoReturn, ParamSpec, Protocol, TypeVar

import attrs

from .errors import CloudError, InvalidArgument, NotFound, ProviderError, Timeout
from .models import Page
from .redaction import redact

__all__ = ["NO_RETRY", "Clock", "FakeClock", "RetryPolicy", "Runtime", "SystemClock"]

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")


class Clock(Protocol):
    """Time as the portable layer sees it; inject a :class:`FakeClock` so tests never sleep."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin, never going backwards."""

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass."""


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class FakeClock:
    """A clock whose ``sleep`` only advances the time it reports. ``slept`` records each sleep."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@attrs.frozen
class RetryPolicy:
    """Bounded exponential back-off with full jitter for transient errors.

    Attempt ``n`` (from 1) that fails transiently waits a random time in
    ``[0, min(maximum, initial * 2 ** (n - 1))]`` before the next; after ``attempts``
    attempts the last error is raised.
    """

    attempts: int = 4
    initial: float = 0.2
    maximum: float = 5.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        return rng.uniform(0.0, min(self.maximum, self.initial * 2 ** (attempt - 1)))


NO_RETRY = RetryPolicy(attempts=1)


@attrs.define
class Runtime:
    """The shared machinery one :class:`~cloudneutral.Cloud` hands to its services."""

    provider: str
    translate: Callable[[Exception], CloudError]
    clock: Clock = attrs.field(factory=SystemClock)
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    rng: random.Random = attrs.field(factory=random.Random)

    def translated(self, exc: Exception) -> CloudError:
        """``exc`` as a :class:`CloudError` stamped with this provider (translated once), its
        message passed through the one redactor (no credential ever reaches a message)."""
        if isinstance(exc, CloudError):
            error = exc
        else:
            try:
                error = self.translate(exc)
            except Exception:  # a broken translator must not hide the real failure
                error = ProviderError(f"{type(exc).__name__}: {exc}")
        if not error.provider:
            error.provider = self.provider
        clean = redact(error.message)
        if clean != error.message:
            error.message = clean
            error.args = (clean,)
        return error

    def raise_translated(self, exc: Exception) -> NoReturn:
        """Raise ``exc`` translated (``from`` the native exception when it was not ours)."""
        error = self.translated(exc)
        if error is exc:
            raise error
        raise error from exc

    def call(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Call an idempotent driver method; translate failures; retry transient ones."""
        attempt = 1
        while True:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                error = self.translated(exc)
                if not error.transient or attempt >= self.retry.attempts or isinstance(error, Timeout):
                    self.raise_translated(exc)
            self.clock.sleep(self.retry.delay(attempt, self.rng))
            attempt += 1

    def call_once(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Call a driver method that must not be repeated; translate a failure."""
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            self.raise_translated(exc)

    def wait(
        self,
        describe: str,
        poll: Callable[[], T],
        done: Callable[[T], bool],
        *,
        timeout: float,
        interval: float = 2.0,
        failed: Callable[[T], str | None] = lambda _: None,
    ) -> T:
        """Poll until ``done(value)``; return that value.

        Raises :class:`Timeout` naming ``describe`` and the last value when ``timeout``
        seconds pass; raises what ``poll`` raises; raises :class:`ProviderError` with the
        message ``failed(value)`` returns when that is not ``None`` (a state that can never
        reach the goal, such as ``error``).
        """
        if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout < 0:
            raise InvalidArgument(f"timeout must be a number of seconds >= 0, not {timeout!r}")
        deadline = self.clock.monotonic() + timeout
        delay = min(interval, 0.5)
        while True:
            value = poll()
            if done(value):
                return value
            reason = failed(value)
            if reason is not None:
                raise ProviderError(f"while waiting for {describe}: {reason}", provider=self.provider)
            remaining = deadline - self.clock.monotonic()
            if remaining <= 0:
                raise Timeout(
                    f"gave up waiting for {describe} after {timeout:g}s (last seen: {value})",
                    provider=self.provider,
                )
            self.clock.sleep(min(delay, remaining))
            delay = min(interval, delay * 2)

    def wait_gone(self, describe: str, state: Callable[[], T], gone: T, *, timeout: float) -> None:
        """Poll ``state()`` until it returns ``gone`` or raises ``NotFound`` (deleted and no
        longer reported). Raises :class:`Timeout` as :meth:`wait` does."""

        def poll() -> T:
            try:
                return state()
            except NotFound:
                return gone

        self.wait(describe, poll, lambda value: value == gone, timeout=timeout)

    def paginate(self, fetch: Callable[[int, str | None], Page[T]], page_size: int) -> Iterator[Page[T]]:
        """Lazily yield pages from a driver's ``fetch(page_size, token)``, each fetched on demand.

        Raises :class:`ProviderError` when the provider hands back a token it already gave
        (a loop that would never end).
        """
        seen: set[str] = set()
        token: str | None = None
        while True:
            page = self.call(fetch, page_size, token)
            yield page
            if page.next_token is None:
                return
            if page.next_token in seen:
                raise ProviderError("provider returned the same page token twice", provider=self.provider)
            seen.add(page.next_token)
            token = page.next_token

    def collect(self, fetch: Callable[[int, str | None], Page[T]], page_size: int = 1000) -> list[T]:
        """Every item of a listing, all pages fetched."""
        return [item for page in self.paginate(fetch, page_size) for item in page.items]
