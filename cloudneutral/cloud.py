"""``connect(url)``, :meth:`Cloud.from_driver` and :class:`Cloud`, the object user code holds."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar, cast

from ._runtime import Clock, RetryPolicy, Runtime, SystemClock
from ._service import as_native
from .blobs import DEFAULT_PART_SIZE, BlobService, BucketHandle
from .driver import ProviderDriver
from .errors import CloudError, ConfigurationError, InvalidArgument, Unsupported
from .models import Capability
from .redaction import redact
from .registry import ConnectionURL, load_opener, parse_url
from .servers import ServerService
from .volumes import VolumeService

__all__ = ["Cloud", "connect"]

T = TypeVar("T")

#: The capability that makes each service reachable, and the driver attribute behind it.
_SERVICES = {"blobs": Capability.BLOBS, "servers": Capability.SERVERS, "volumes": Capability.VOLUMES}
_PROTOCOL = ("name", "capabilities", *_SERVICES, "natives", "translate_error", "close")


def _static(driver: object, attribute: str) -> object:
    """``driver.attribute`` as stored: a property (or any descriptor) is not evaluated; an
    attribute only ``__getattr__`` knows (a delegating wrapper) is."""
    try:
        return inspect.getattr_static(driver, attribute)
    except AttributeError:
        return getattr(driver, attribute, None)


def _has(driver: object, attribute: str) -> bool:
    try:
        inspect.getattr_static(driver, attribute)
    except AttributeError:
        return hasattr(driver, attribute)
    return True


class Cloud:
    """One connection to one provider: ``servers``, ``volumes`` and ``blobs`` services.

    A service whose capability the provider does not declare raises
    :class:`~cloudneutral.errors.Unsupported` when touched. Close the cloud (or use it as a
    context manager) to release connections.
    """

    def __init__(
        self, driver: ProviderDriver, url: ConnectionURL, runtime: Runtime, *, part_size: int
    ) -> None:
        self.driver = driver
        self.url = url
        self.runtime = runtime
        self._part_size = part_size
        # services are made when first used: an adapter may load a service's SDK lazily
        # (a blob-only job never imports Azure's compute and network clients)
        self._lock = threading.Lock()
        self._services: dict[str, object] = {}

    @classmethod
    def from_driver(
        cls,
        driver: ProviderDriver,
        *,
        url: ConnectionURL | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        part_size: int = DEFAULT_PART_SIZE,
    ) -> Cloud:
        """A :class:`Cloud` over any driver: wrap, fake or instrument one without touching
        private attributes (``Cloud.from_driver(Faulty(connect(url).driver))``).

        Raises ``ConfigurationError`` when ``driver`` is not a ``ProviderDriver`` or declares
        a capability whose driver it lacks.
        """
        # Checked without evaluating a service given by a property: an adapter may make (and
        # import the SDK of) a service only when it is first used.
        missing = [name for name in _PROTOCOL if not _has(driver, name)]
        if missing:
            raise ConfigurationError(
                f"{type(driver).__name__} is not a cloudneutral ProviderDriver (no {', '.join(missing)})"
            )
        for attribute, capability in _SERVICES.items():
            if capability in driver.capabilities and _static(driver, attribute) is None:
                raise ConfigurationError(
                    f"provider {driver.name!r} declares {capability.value} but has no {attribute} driver"
                )
        runtime = Runtime(
            provider=driver.name,
            translate=driver.translate_error,
            clock=clock or SystemClock(),
            retry=retry or RetryPolicy(),
        )
        return cls(driver, url or ConnectionURL(driver.name), runtime, part_size=part_size)

    @property
    def provider(self) -> str:
        return self.driver.name

    @property
    def capabilities(self) -> frozenset[Capability]:
        return self.driver.capabilities

    def _missing(self, what: str) -> Unsupported:
        return Unsupported(f"provider has no {what} service", provider=self.provider)

    def _service(self, attribute: str, make: Callable[[Any], T]) -> T:
        """The service over ``driver.<attribute>``, made by ``make`` on first use (once,
        whatever the threads); ``Unsupported`` when the provider lacks it."""
        made = self._services.get(attribute)
        if made is None:
            with self._lock:
                made = self._services.get(attribute)
                if made is None:
                    declared = _SERVICES[attribute] in self.driver.capabilities
                    driver = getattr(self.driver, attribute) if declared else None
                    if driver is None:
                        raise self._missing(attribute[:-1])
                    made = self._services[attribute] = make(driver)
        return cast(T, made)

    @property
    def blobs(self) -> BlobService:
        caps = self.driver.capabilities
        return self._service("blobs", lambda d: BlobService(d, self.runtime, caps, part_size=self._part_size))

    @property
    def servers(self) -> ServerService:
        return self._service("servers", lambda d: ServerService(d, self.runtime, self.driver.capabilities))

    @property
    def volumes(self) -> VolumeService:
        return self._service("volumes", lambda d: VolumeService(d, self.runtime, self.driver.capabilities))

    @property
    def bucket(self) -> BucketHandle:
        """The bucket (and prefix) the URL named. Raises ``InvalidArgument`` if it named none."""
        if not self.url.bucket:
            raise InvalidArgument(f"the URL {self.url} names no bucket (PROVIDER://BUCKET/PREFIX)")
        return self.blobs.bucket(self.url.bucket, self.url.prefix)

    def as_native(self, kind: type[T]) -> T:
        """The SDK object of type ``kind`` behind this connection (e.g. ``boto3.Session``).
        Raises ``Unsupported`` naming the types on offer. Services have their own
        (``cloud.blobs.as_native(...)``)."""
        return as_native(self.provider, f"{self.provider} connection", self.driver.natives(), kind)

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Cloud:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Cloud({self.url})"


def connect(
    url: str | ConnectionURL = "local://",
    *,
    clock: Clock | None = None,
    retry: RetryPolicy | None = None,
    part_size: int = DEFAULT_PART_SIZE,
) -> Cloud:
    """Open a connection described by ``url`` (``PROVIDER://[BUCKET[/PREFIX]][?opt=val]``).

    ``clock`` replaces the real clock for waits and retry back-off (tests pass a
    :class:`~cloudneutral.FakeClock`); ``retry`` bounds retries of transient errors;
    ``part_size`` is the default part size of large writes. Raises
    :class:`ConfigurationError` for a bad URL, an unknown option or an uninstalled provider.
    """
    parsed = parse_url(url) if isinstance(url, str) else url
    opener = load_opener(parsed.provider)
    checked = opener.check(parsed)
    try:
        driver = opener.open_driver(checked)
    except CloudError:
        raise
    except Exception as exc:
        raise ConfigurationError(f"cannot open {parsed}: {type(exc).__name__}: {redact(str(exc))}") from exc
    try:
        return Cloud.from_driver(driver, url=checked, clock=clock, retry=retry, part_size=part_size)
    except BaseException:
        driver.close()
        raise
