"""Harnesses for the local provider: ``local`` (memory) and ``local-dir`` (a directory).

The local provider makes no HTTP requests, so it always runs ``live``; its states advance
per observation, so waits run on a :class:`~cloudneutral.FakeClock` and never sleep.
"""

from __future__ import annotations

import shutil
import tempfile
from urllib.parse import quote

from .harness import Harness, Mode

__all__ = ["DirectoryHarness", "MemoryHarness", "directory", "memory"]


class MemoryHarness(Harness):
    """``local://``: each connection is a fresh in-memory store."""

    name = "local"
    recorded = False
    fake_clock_live = True
    part_size = 64 * 1024
    large_blob_size = 200 * 1024 + 7

    def start(self, mode: Mode) -> str:
        return "local://"


class DirectoryHarness(MemoryHarness):
    """``local://?root=DIR`` on a temporary directory shared by the whole session."""

    name = "local-dir"

    def __init__(self) -> None:
        self._root: str | None = None

    def start(self, mode: Mode) -> str:
        if self._root is None:
            self._root = tempfile.mkdtemp(prefix="cn-conformance-")
        return f"local://?root={quote(self._root)}"

    def stop(self) -> None:
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None


def memory() -> Harness:
    """Entry-point factory: ``local = "cloudneutral.conformance.local_harness:memory"``."""
    return MemoryHarness()


def directory() -> Harness:
    """Entry-point factory: ``local-dir = "cloudneutral.conformance.local_harness:directory"``."""
    return DirectoryHarness()
