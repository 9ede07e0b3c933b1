"""Sparse image files behind volumes and snapshots under a root.

``truncate`` gives an image its size without allocating it; only written ranges take
disk blocks, and copies skip holes (``SEEK_DATA``/``SEEK_HOLE`` where the OS has them)
and all-zero chunks, so a copy of a sparse image stays sparse.
"""

from __future__ import annotations

import errno
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import NotFound
from .files import NOFOLLOW, Staged
from .store import CHUNK, Reclaimed

if TYPE_CHECKING:
    from .directory import DirectoryRoot

__all__ = ["DirectoryDiskStore"]

_IMAGE = re.compile(r"^(vol|snap)-[0-9a-f]{1,64}$")
_ZEROS = memoryview(bytes(CHUNK))


class DirectoryDiskStore:
    """Images as sparse files: ``truncate`` sets the size, only written ranges use blocks."""

    def __init__(self, root: DirectoryRoot) -> None:
        self._root = root

    def _path(self, name: str) -> Path:
        if not _IMAGE.match(name):
            raise NotFound(f"no disk image {name!r}")
        return self._root.sub("disks", f"{name}.img")

    def create(self, name: str, size: int, source: str | None = None) -> None:
        self._root.ensure()
        with Staged(self._path(name)) as staged:
            fd = staged.file.fileno()
            os.ftruncate(fd, size)
            if source is not None:
                try:
                    src = os.open(self._path(source), os.O_RDONLY | NOFOLLOW)
                except FileNotFoundError:
                    raise NotFound(f"no disk image {source!r}") from None
                try:
                    _copy_data(src, fd, min(os.fstat(src).st_size, size))
                finally:
                    os.close(src)
            staged.commit()

    def size(self, name: str) -> int:
        try:
            return os.lstat(self._path(name)).st_size
        except FileNotFoundError:
            raise NotFound(f"no disk image {name!r}") from None

    def _open(self, name: str, flags: int) -> int:
        try:
            return os.open(self._path(name), flags | NOFOLLOW)
        except FileNotFoundError:
            raise NotFound(f"no disk image {name!r}") from None

    def read(self, name: str, offset: int, length: int) -> bytes:
        fd = self._open(name, os.O_RDONLY)
        try:
            out = bytearray()
            while len(out) < length:
                chunk = os.pread(fd, min(CHUNK, length - len(out)), offset + len(out))
                if not chunk:
                    break
                out += chunk
            return bytes(out) + bytes(length - len(out))
        finally:
            os.close(fd)

    def write(self, name: str, offset: int, data: bytes) -> None:
        fd = self._open(name, os.O_WRONLY)
        try:
            view = memoryview(data)
            while view:
                view = view[os.pwrite(fd, view, offset + len(data) - len(view)) :]
        finally:
            os.close(fd)

    def extents(self, name: str) -> list[tuple[int, int]]:
        """The file's data ranges (``SEEK_DATA``/``SEEK_HOLE``), coalesced."""
        fd = self._open(name, os.O_RDONLY)
        try:
            ranges: list[tuple[int, int]] = []
            for start, end in _data_ranges(fd, os.fstat(fd).st_size):
                if ranges and ranges[-1][1] == start:
                    ranges[-1] = (ranges[-1][0], end)
                else:
                    ranges.append((start, end))
            return ranges
        finally:
            os.close(fd)

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def reclaim(self, older_than: float) -> Reclaimed:
        """Remove temporary image files (``.tmp-*``) of crashed writers older than
        ``older_than`` seconds."""
        if not self._root.exists:
            return Reclaimed()
        cutoff, files, freed = time.time() - older_than, 0, 0
        for entry in os.scandir(self._root.sub("disks")):
            if entry.name.startswith(".tmp-") and entry.is_file(follow_symlinks=False):
                st = entry.stat(follow_symlinks=False)
                if st.st_mtime <= cutoff:
                    Path(entry.path).unlink(missing_ok=True)
                    files, freed = files + 1, freed + st.st_blocks * 512
        return Reclaimed(files=files, bytes=freed)


def _data_ranges(fd: int, end: int) -> Iterator[tuple[int, int]]:
    """The ranges of ``fd`` below ``end`` that may hold data (holes skipped where the OS
    can tell them; otherwise one range covering everything)."""
    seek_data, seek_hole = getattr(os, "SEEK_DATA", None), getattr(os, "SEEK_HOLE", None)
    if seek_data is None or seek_hole is None:
        yield 0, end
        return
    pos = 0
    while pos < end:
        try:
            start = os.lseek(fd, pos, seek_data)
        except OSError as exc:
            if exc.errno != errno.ENXIO:  # ENXIO: no data after pos
                yield pos, end
            return
        if start >= end:
            return
        stop = min(os.lseek(fd, start, seek_hole), end)
        yield start, stop
        pos = stop


def _copy_data(src: int, dst: int, end: int) -> None:
    """Copy bytes below ``end`` from ``src`` to ``dst`` at the same offsets, writing no
    all-zero chunk, so a sparse copy stays sparse."""
    for start, stop in _data_ranges(src, end):
        pos = start
        while pos < stop:
            chunk = os.pread(src, min(CHUNK, stop - pos), pos)
            if not chunk:
                break
            if chunk != _ZEROS[: len(chunk)]:
                os.pwrite(dst, chunk, pos)
            pos += len(chunk)
