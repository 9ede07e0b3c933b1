"""Faults and spies under the portable layer, through the public ``Cloud.from_driver``.

:class:`SpyDriver` wraps any :class:`~cloudneutral.driver.ProviderDriver`: it logs every
driver call, remembers the ids of the uploads it opened, can declare fewer capabilities
than the driver it wraps, and can make its next calls raise an exception. The suite uses
it to prove that the portable layer refuses undeclared capabilities without calling the
driver, to find the upload a failed write opened, and (in :meth:`Harness.inject
<cloudneutral.conformance.harness.Harness.inject>`'s default) to make a driver raise what
its SDK raises when the provider answers a :class:`Fault`.
"""

from __future__ import annotations

import contextlib
import copy
import enum
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import attrs

from cloudneutral import Cloud
from cloudneutral.errors import (
    AuthenticationError,
    CloudError,
    PermissionDenied,
    TransientError,
)
from cloudneutral.models import Capability

__all__ = ["EXPECTED", "Fault", "Injection", "SpyDriver", "driver_faults", "portable_fault", "rewrap"]


class Fault(str, enum.Enum):
    """An answer the suite makes the provider give, and what it must come back as."""

    #: Throttling (S3's 503 SlowDown, HTTP 429): transient, retried.
    THROTTLE = "throttle"
    #: A server error (HTTP 500): transient, retried.
    SERVER_ERROR = "server-error"
    #: Credentials refused (HTTP 401, or the provider's answer to an unknown key).
    UNAUTHENTICATED = "unauthenticated"
    #: Authenticated but not allowed (HTTP 403).
    FORBIDDEN = "forbidden"


#: The portable class each fault must be translated to.
EXPECTED: dict[Fault, type[CloudError]] = {
    Fault.THROTTLE: TransientError,
    Fault.SERVER_ERROR: TransientError,
    Fault.UNAUTHENTICATED: AuthenticationError,
    Fault.FORBIDDEN: PermissionDenied,
}


def portable_fault(fault: Fault) -> CloudError:
    """The portable error itself, for adapters whose harness does not say what their SDK
    raises (only the portable layer's handling of it is then checked)."""
    return EXPECTED[fault](f"injected fault: {fault.value}")


@attrs.define
class Injection:
    """What :meth:`Harness.inject` yields: the ``cloud`` to call while the fault is armed,
    and ``served``, how many requests (or driver calls) were answered with the fault."""

    cloud: Cloud
    served: int = 0


class _Proxy:
    """One wrapped driver object: each method call goes through :meth:`SpyDriver._call`."""

    def __init__(self, owner: SpyDriver, prefix: str, inner: Any) -> None:
        self._owner = owner
        self._prefix = prefix
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._inner, name)
        if not callable(target):
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._owner._call(f"{self._prefix}.{name}", target, args, kwargs)

        return call


class SpyDriver:
    """A :class:`~cloudneutral.driver.ProviderDriver` over ``inner`` that logs ``calls``.

    ``capabilities`` (default: the inner driver's) is what it declares. After
    :meth:`arm`, its next ``times`` driver calls raise a copy of ``error`` instead of
    reaching the driver (``served`` counts them). ``uploads`` holds the ids of the uploads
    opened or resumed through it. :meth:`close` leaves the inner driver open: it belongs
    to the caller's cloud.
    """

    def __init__(self, inner: Any, *, capabilities: Iterable[Capability] | None = None) -> None:
        self.inner = inner
        self.name: str = inner.name
        self.capabilities = frozenset(inner.capabilities if capabilities is None else capabilities)
        self.calls: list[str] = []
        self.uploads: list[str] = []
        self.served = 0
        self._error: BaseException | None = None
        self._left = 0
        self._tally: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self.blobs = _Proxy(self, "blobs", inner.blobs) if inner.blobs is not None else None
        self.servers = _Proxy(self, "servers", inner.servers) if inner.servers is not None else None
        self.volumes = _Proxy(self, "volumes", inner.volumes) if inner.volumes is not None else None

    def arm(self, error: BaseException, times: int, served: Callable[[], None] | None = None) -> None:
        """Make the next ``times`` driver calls raise ``error`` (calling ``served`` for each)."""
        with self._lock:
            self._error, self._left, self._tally = error, times, served

    def _call(
        self, name: str, target: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any]
    ) -> Any:
        with self._lock:
            self.calls.append(name)
            error = None
            if self._left > 0 and self._error is not None:
                self._left -= 1
                self.served += 1
                error = copy.copy(self._error)
                if self._tally is not None:
                    self._tally()
        if error is not None:
            raise error
        result = target(*args, **kwargs)
        if name in ("blobs.open_upload", "blobs.resume_upload"):
            with self._lock:
                self.uploads.append(str(result.id))
        return result

    def natives(self) -> Sequence[object]:
        return tuple(self.inner.natives())

    def translate_error(self, exc: Exception) -> CloudError:
        error: CloudError = self.inner.translate_error(exc)
        return error

    def close(self) -> None:
        """Nothing: the wrapped driver is closed by the cloud that owns it."""


def rewrap(cloud: Cloud, driver: SpyDriver) -> Cloud:
    """A :class:`Cloud` over ``driver`` with ``cloud``'s URL, clock and retry policy."""
    return Cloud.from_driver(driver, url=cloud.url, clock=cloud.runtime.clock, retry=cloud.runtime.retry)


@contextlib.contextmanager
def driver_faults(cloud: Cloud, error: BaseException, times: int) -> Iterator[Injection]:
    """The default :meth:`Harness.inject`: the next ``times`` driver calls of a cloud
    over ``cloud``'s driver raise ``error`` (as the adapter's SDK would)."""
    spy = SpyDriver(cloud.driver)
    injection = Injection(rewrap(cloud, spy))

    def served() -> None:
        injection.served += 1

    spy.arm(error, times, served)
    try:
        yield injection
    finally:
        spy.arm(error, 0)
