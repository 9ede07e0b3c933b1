"""``open_provider(url)`` and :class:`LocalProvider`: the provider behind ``local://``.

URL options (anything else is a ``ConfigurationError``):

``root=DIR``
    Persist everything under ``DIR`` (created if missing; it must be empty or an earlier
    root), so separate processes share buckets, servers and volumes. See
    :mod:`cloudneutral.local.directory` for the layout and its atomicity guarantees.
``name=NAME``
    Without ``root``, every ``connect("local://")`` gets its own empty in-memory store;
    connections giving the same ``name`` share one store for the life of the process.
``steps=N``
    How many observations (``get``/``list``) each transitional state (pending, stopping,
    creating ...) lasts; default 1, ``0`` completes transitions at once.
``max_servers=N``, ``max_volumes=N``
    Account limits beyond which creation raises ``QuotaExceeded``.
"""

from __future__ import annotations

import errno
from pathlib import Path

from ..errors import (
    AlreadyExists,
    CloudError,
    ConfigurationError,
    NotFound,
    PermissionDenied,
    ProviderError,
    QuotaExceeded,
    TransientError,
)
from ..models import Capability
from ..registry import ConnectionURL
from .blobs import LocalBlobDriver
from .compute import LocalComputeDriver
from .memory import memory_backend
from .store import Backend
from .volumes import LocalVolumeData, LocalVolumeDriver

__all__ = ["LocalProvider", "open_provider"]

OPTIONS = ("root", "name", "steps", "max_servers", "max_volumes")

_QUOTA_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EMFILE, errno.ENFILE}
_TRANSIENT_ERRNOS = {errno.EAGAIN, errno.EWOULDBLOCK, errno.EINTR, errno.EBUSY, errno.ETIMEDOUT}


class LocalProvider:
    """One connection to the local provider: every capability, no account, no network."""

    name = "local"
    capabilities = frozenset(Capability)

    def __init__(
        self,
        backend: Backend,
        *,
        steps: int = 1,
        max_servers: int | None = None,
        max_volumes: int | None = None,
    ) -> None:
        self.backend = backend
        self.blobs = LocalBlobDriver(backend.blobs, self.name)
        self.compute = LocalComputeDriver(
            backend.state, steps=steps, max_servers=max_servers, provider=self.name
        )
        self.volumes = LocalVolumeDriver(
            backend.state, backend.disks, steps=steps, max_volumes=max_volumes, provider=self.name
        )

    @property
    def root(self) -> Path | None:
        """The directory everything is persisted in; ``None`` in memory."""
        return self.backend.root

    def volume_data(self, volume_id: str) -> LocalVolumeData:
        """The bytes of a volume. Missing -> ``NotFound``."""
        return self.volumes.data(volume_id)

    def translate_error(self, exc: Exception) -> CloudError:
        """Map what the disk or the state files raise; the stores raise the rest themselves."""
        if isinstance(exc, CloudError):
            return exc
        message = f"{type(exc).__name__}: {exc}"
        if isinstance(exc, FileNotFoundError):
            return NotFound(message)
        if isinstance(exc, FileExistsError):
            return AlreadyExists(message)
        if isinstance(exc, PermissionError):
            return PermissionDenied(message)
        if isinstance(exc, OSError) and exc.errno in _QUOTA_ERRNOS:
            return QuotaExceeded(message)
        if isinstance(exc, OSError) and exc.errno in _TRANSIENT_ERRNOS:
            return TransientError(message)
        if isinstance(exc, (ValueError, KeyError, TypeError)):  # JSON or layout we cannot read
            return ProviderError(f"local store is corrupt or of another version: {message}")
        return ProviderError(message)

    def close(self) -> None:
        """Nothing to release: files are opened per call. Idempotent."""

    def __repr__(self) -> str:
        return f"LocalProvider(root={self.root})" if self.root else "LocalProvider(memory)"


def _count(url: ConnectionURL, name: str, default: int | None) -> int | None:
    raw = url.option(name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise ConfigurationError(f"local option {name}={raw!r} must be a whole number >= 0")
    return int(raw)


def open_provider(url: ConnectionURL) -> LocalProvider:
    """Open ``local://[BUCKET[/PREFIX]][?root=DIR|name=NAME][&steps=N]...``.

    The bucket in the URL is not created: create it with ``cloud.blobs.create_bucket``.
    """
    unknown = sorted(set(url.options) - set(OPTIONS))
    if unknown:
        raise ConfigurationError(f"unknown local option(s) {', '.join(unknown)}; known: {', '.join(OPTIONS)}")
    root, name = url.option("root"), url.option("name")
    if root is not None and name is not None:
        raise ConfigurationError("give local option root (a directory) or name (in memory), not both")
    if root == "" or name == "":
        raise ConfigurationError("local options root and name may not be empty")
    steps = _count(url, "steps", 1)
    if root is not None:
        try:
            from .directory import directory_backend
        except ImportError as exc:  # fcntl: POSIX only
            raise ConfigurationError(f"local option root needs a POSIX system: {exc}") from exc
        backend = directory_backend(Path(root))
    else:
        backend = memory_backend(name)
    return LocalProvider(
        backend,
        steps=steps if steps is not None else 1,
        max_servers=_count(url, "max_servers", None),
        max_volumes=_count(url, "max_volumes", None),
    )
