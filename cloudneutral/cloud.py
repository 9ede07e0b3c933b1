"""``connect(url)`` and :class:`Cloud`, the object user code holds."""

from __future__ import annotations

from types import TracebackType

from ._runtime import Clock, RetryPolicy, Runtime, SystemClock
from .blobs import DEFAULT_PART_SIZE, BlobService, BucketHandle
from .compute import ServerService
from .driver import ProviderDriver
from .errors import ConfigurationError, InvalidArgument, Unsupported
from .models import Capability
from .registry import ConnectionURL, load_opener, parse_url
from .storage import VolumeService

__all__ = ["Cloud", "connect"]


class Cloud:
    """One connection to one provider: ``servers``, ``volumes`` and ``blobs`` services.

    A service the provider lacks raises :class:`~cloudneutral.errors.Unsupported` when
    touched. Close the cloud (or use it as a context manager) to release connections.
    """

    def __init__(
        self, driver: ProviderDriver, url: ConnectionURL, runtime: Runtime, *, part_size: int
    ) -> None:
        self.driver = driver
        self.url = url
        self.runtime = runtime
        self._blobs = BlobService(driver.blobs, runtime, part_size=part_size) if driver.blobs else None
        self._servers = ServerService(driver.compute, runtime) if driver.compute else None
        self._volumes = VolumeService(driver.volumes, runtime) if driver.volumes else None

    @property
    def provider(self) -> str:
        return self.driver.name

    @property
    def capabilities(self) -> frozenset[Capability]:
        return self.driver.capabilities

    def _missing(self, what: str) -> Unsupported:
        return Unsupported(f"provider has no {what} service", provider=self.provider)

    @property
    def blobs(self) -> BlobService:
        if self._blobs is None:
            raise self._missing("blob")
        return self._blobs

    @property
    def servers(self) -> ServerService:
        if self._servers is None:
            raise self._missing("server")
        return self._servers

    @property
    def volumes(self) -> VolumeService:
        if self._volumes is None:
            raise self._missing("volume")
        return self._volumes

    @property
    def bucket(self) -> BucketHandle:
        """The bucket (and prefix) the URL named. Raises ``InvalidArgument`` if it named none."""
        if not self.url.bucket:
            raise InvalidArgument(f"the URL {self.url} names no bucket (PROVIDER://BUCKET/PREFIX)")
        return self.blobs.bucket(self.url.bucket, self.url.prefix)

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
    :class:`~cloudneutral.FakeClock`); ``retry`` bounds retries of transient errors.
    Raises :class:`ConfigurationError` for a bad URL or an uninstalled provider.
    """
    parsed = parse_url(url) if isinstance(url, str) else url
    opener = load_opener(parsed.provider)
    try:
        driver = opener(parsed)
    except ConfigurationError:
        raise
    except Exception as exc:
        raise ConfigurationError(f"cannot open {parsed}: {type(exc).__name__}: {exc}") from exc
    if not isinstance(driver, ProviderDriver):
        raise ConfigurationError(
            f"provider {parsed.provider!r} returned {type(driver).__name__}, not a driver"
        )
    runtime = Runtime(
        provider=driver.name,
        translate=driver.translate_error,
        clock=clock or SystemClock(),
        retry=retry or RetryPolicy(),
    )
    return Cloud(driver, parsed, runtime, part_size=part_size)
