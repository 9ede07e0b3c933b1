"""Harnesses for the local provider: ``local`` (memory) and ``local-dir`` (a directory).

The local provider makes no HTTP requests, so it always runs ``live``; its states advance
per observation, so waits run on a :class:`~cloudneutral.FakeClock` and never sleep.
Faults are the ``OSError`` a disk gives (``EAGAIN``, ``EBUSY``, ``EACCES``), raised under
the driver: the suite then checks the provider's own ``translate_error``.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote

from .harness import Harness, Mode

if TYPE_CHECKING:
    from cloudneutral import Cloud

    from .injection import Fault

__all__ = ["DirectoryHarness", "MemoryHarness", "directory", "memory"]


class MemoryHarness(Harness):
    """``local://?name=...``: an in-memory store that the session's connections share (as
    processes share a provider), under a name of its own."""

    name = "local"
    recorded = False
    fake_clock_live = True
    part_size = 64 * 1024
    large_blob_size = 200 * 1024 + 7
    modified_resolution = 0.0  # microseconds

    def start(self, mode: Mode) -> str:
        return f"local://?name=cn-conformance-{id(self):x}"

    def native_types(self) -> Mapping[str, Sequence[type]]:
        from cloudneutral.local import LocalProvider
        from cloudneutral.local.memory import MemoryBlobStore, MemoryDiskStore, MemoryStateStore

        return {
            "": [LocalProvider],
            "blobs": [MemoryBlobStore],
            "servers": [MemoryStateStore],
            "volumes": [MemoryStateStore, MemoryDiskStore],
        }

    def native_fault(self, fault: Fault) -> BaseException | None:
        from .injection import Fault

        return {
            Fault.THROTTLE: OSError(errno.EAGAIN, "Resource temporarily unavailable"),
            Fault.SERVER_ERROR: OSError(errno.EBUSY, "Device or resource busy"),
            Fault.FORBIDDEN: PermissionError(errno.EACCES, "Permission denied"),
        }.get(fault)  # no credentials, so nothing can refuse them

    def unfinished_uploads(self, cloud: Cloud, bucket: str) -> list[str] | None:
        from cloudneutral.local import LocalProvider

        return [upload_id for _, upload_id in cloud.as_native(LocalProvider).backend.blobs.uploads(bucket)]


def _scratch() -> str | None:
    """Where the directory harness makes its root: ``CN_LOCAL_DIR_TMP``, else a memory-backed
    file system when there is one (``/dev/shm``: the suite tests the store's logic, not the
    disk's ``fsync``, which would be most of its time), else the system's temporary folder."""
    chosen = os.environ.get("CN_LOCAL_DIR_TMP")
    if chosen:
        return chosen
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


class DirectoryHarness(MemoryHarness):
    """``local://?root=DIR`` on a temporary directory shared by the whole session."""

    name = "local-dir"

    def __init__(self) -> None:
        self._root: str | None = None

    def start(self, mode: Mode) -> str:
        if self._root is None:
            self._root = tempfile.mkdtemp(prefix="cn-conformance-", dir=_scratch())
        return f"local://?root={quote(self._root)}"

    def stop(self) -> None:
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None

    def native_types(self) -> Mapping[str, Sequence[type]]:
        from cloudneutral.local import LocalProvider
        from cloudneutral.local.directory import DirectoryBlobStore, DirectoryStateStore
        from cloudneutral.local.sparse import DirectoryDiskStore

        return {
            "": [LocalProvider],
            "blobs": [DirectoryBlobStore],
            "servers": [DirectoryStateStore],
            "volumes": [DirectoryStateStore, DirectoryDiskStore],
        }


def memory() -> Harness:
    """Entry-point factory: ``local = "cloudneutral.conformance.local_harness:memory"``."""
    return MemoryHarness()


def directory() -> Harness:
    """Entry-point factory: ``local-dir = "cloudneutral.conformance.local_harness:directory"``."""
    return DirectoryHarness()
