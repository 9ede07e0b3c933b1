"""The provider behind ``local://``: :class:`LocalProvider` and its :data:`OPENER`.

URL options (anything else is a ``ConfigurationError``):

``root=DIR``
    Persist everything under ``DIR``, so separate processes share buckets, servers and
    volumes. The directory is created by the first write; it must then be empty or an
    earlier root. Reading a root that does not exist raises ``NotFound``. See
    :mod:`cloudneutral.local.directory` for the layout and its guarantees.
``name=NAME``
    Without ``root``, every ``connect("local://")`` gets its own empty in-memory store;
    connections giving the same ``name`` share one store for the life of the process.
``steps=N``
    How many observations (``get``/``list``) each transitional state (pending, stopping,
    creating ...) lasts; default 1, ``0`` completes transitions at once.
``max_servers=N``, ``max_volumes=N``
    Account limits beyond which creation raises ``QuotaExceeded``.
``reclaim_after=SECONDS``
    Age after which leftovers of crashed writers under ``root`` (temporary files,
    unfinished uploads) are reclaimed; default one day. :meth:`LocalProvider.reclaim`
    (``cloudneutral gc``) does it on demand.
``durable=false``
    With ``root``: do not ``fsync`` blobs and parts as they are written (as ``rclone`` and
    ``cp`` do not). Faster for many small files; a killed process still never leaves a
    partial blob, but a power cut or kernel crash may lose the latest writes (which a
    later ``cloudneutral verify`` would report). Default ``true``.
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
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
from ..redaction import redact
from ..registry import ConnectionURL, Opener, Option
from .blobs import LocalBlobDriver
from .memory import memory_backend
from .servers import LocalServerDriver
from .store import Backend, Reclaimed
from .volumes import LocalVolumeData, LocalVolumeDriver

__all__ = ["OPENER", "LocalProvider"]

_QUOTA_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EMFILE, errno.ENFILE}
_TRANSIENT_ERRNOS = {errno.EAGAIN, errno.EWOULDBLOCK, errno.EINTR, errno.EBUSY, errno.ETIMEDOUT}
DEFAULT_RECLAIM_AFTER = 86400


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
        self.servers = LocalServerDriver(
            backend.state, steps=steps, max_servers=max_servers, provider=self.name
        )
        self.volumes = LocalVolumeDriver(
            backend.state, backend.disks, steps=steps, max_volumes=max_volumes, provider=self.name
        )

    @property
    def root(self) -> Path | None:
        """The directory everything is persisted in; ``None`` in memory."""
        return self.backend.root

    def natives(self) -> Sequence[object]:
        return (self, self.backend)

    def volume_data(self, volume_id: str) -> LocalVolumeData:
        """The bytes of a volume. Missing -> ``NotFound``."""
        return self.volumes.data(volume_id)

    def reclaim(self, older_than: float = 0.0) -> Reclaimed:
        """Remove what crashed writers left under the root (temporary files, unfinished
        uploads, orphaned parts) older than ``older_than`` seconds; return what went."""
        blobs = self.backend.blobs.reclaim(older_than)
        disks = self.backend.disks.reclaim(older_than)
        return Reclaimed(blobs.files + disks.files, blobs.uploads, blobs.bytes + disks.bytes)

    def translate_error(self, exc: Exception) -> CloudError:
        """Map what the disk or the state files raise; the stores raise the rest themselves."""
        if isinstance(exc, CloudError):
            return exc
        message = redact(f"{type(exc).__name__}: {exc}")
        if isinstance(exc, (FileNotFoundError, NotADirectoryError)):
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


def open_local(url: ConnectionURL) -> LocalProvider:
    """Open ``local://[BUCKET[/PREFIX]][?root=DIR|name=NAME][&steps=N]...``.

    The bucket in the URL is not created: create it with ``cloud.blobs.create_bucket``.
    """
    root, name = url.str_option("root"), url.str_option("name")
    if root is not None and name is not None:
        raise ConfigurationError("give local option root (a directory) or name (in memory), not both")
    if root == "" or name == "":
        raise ConfigurationError("local options root and name may not be empty")
    if root is not None:
        try:
            from .directory import directory_backend
        except ImportError as exc:  # fcntl: POSIX only
            raise ConfigurationError(f"local option root needs a POSIX system: {exc}") from exc
        backend = directory_backend(
            Path(root),
            reclaim_after=float(url.int_option("reclaim_after") or 0),
            durable=url.bool_option("durable"),
        )
    else:
        backend = memory_backend(name)
    return LocalProvider(
        backend,
        steps=url.int_option("steps") or 0,
        max_servers=url.int_option("max_servers"),
        max_volumes=url.int_option("max_volumes"),
    )


OPENER = Opener(
    scheme="local",
    open_driver=open_local,
    options=(
        Option("root", help="persist under this directory (shared by processes); default: memory"),
        Option("name", help="share one in-memory store between connections giving this name"),
        Option("steps", "int", 1, "observations each transitional state lasts (0: instant)", minimum=0),
        Option("max_servers", "int", None, "servers beyond this raise QuotaExceeded", minimum=0),
        Option("max_volumes", "int", None, "volumes beyond this raise QuotaExceeded", minimum=0),
        Option("reclaim_after", "int", DEFAULT_RECLAIM_AFTER, "seconds before crash leftovers are reclaimed"),
        Option(
            "durable",
            "bool",
            True,
            "fsync blobs as they are written (false: faster, a power cut may lose recent writes)",
        ),
    ),
    doc="in memory by default, or persisted under a directory; every capability, no account",
)
