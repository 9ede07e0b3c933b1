"""Small file-system tools of the directory backend: atomic replacement and locks.

Every file of a local root is written through :class:`Staged`: a temporary ``.tmp-*``
file in the target's own directory, flushed with ``fsync`` and renamed over the target,
so a reader sees the whole old file or the whole new one. Names starting with ``.`` are
never data, so what a crash leaves behind is invisible.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

__all__ = ["NOFOLLOW", "Staged", "flock", "fsync_dir", "open_nofollow", "scandir", "write_json"]

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def fsync_dir(path: Path) -> None:
    """Make a rename in directory ``path`` durable, where the platform allows."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # some platforms cannot open directories; the rename stands anyway
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class Staged:
    """A temporary file beside ``target``; :meth:`commit` makes it ``target`` atomically.

    Leaving the ``with`` block without committing removes the temporary file.
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        fd, name = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        self.path = Path(name)
        self.file = os.fdopen(fd, "wb")
        self._done = False

    def commit(self) -> None:
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        os.replace(self.path, self.target)
        self._done = True
        fsync_dir(self.target.parent)

    def __enter__(self) -> Staged:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self._done:
            self.file.close()
            self.path.unlink(missing_ok=True)


def write_json(path: Path, doc: object) -> None:
    with Staged(path) as staged:
        staged.file.write(json.dumps(doc).encode())
        staged.commit()


@contextmanager
def flock(path: Path, *, shared: bool = False) -> Iterator[None]:
    """Hold an advisory lock on ``path`` (created if missing); threads contend too, since
    each holder opens its own file description."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def scandir(path: str | Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(path) as entries:
            return [e for e in entries if not e.name.startswith(".")]
    except FileNotFoundError:
        return []


def open_nofollow(path: Path) -> BinaryIO:
    return open(os.open(path, os.O_RDONLY | NOFOLLOW), "rb")
