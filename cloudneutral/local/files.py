"""Small file-system tools of the directory backend: confinement, atomic replacement, locks.

Every path under a local root goes through :class:`Confined`, which refuses to pass
through a symbolic link (a planted link is a ``ProviderError`` naming the path), so nothing
is read, written or deleted outside the root. Every file is written through
:class:`Staged`: a temporary ``.tmp-*`` file in the target's own directory, flushed with
``fsync`` and renamed over the target, so a reader sees the whole old file or the whole new
one. Names starting with ``.`` are never data, so what a crash leaves behind is invisible
(and reclaimed later, see :mod:`.directory`).
"""

from __future__ import annotations

import fcntl
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from ..errors import ProviderError

__all__ = ["NOFOLLOW", "Confined", "Staged", "flock", "fsync_dir", "open_nofollow", "scandir", "write_json"]

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class Confined:
    """Paths under ``root`` that never pass through a symbolic link.

    :meth:`path` checks every existing component below the root with ``lstat``; a link
    (or a file where a folder must be) raises ``ProviderError``. Files are then opened
    with ``O_NOFOLLOW``, so a link planted between the check and the open fails too.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._root = str(root)

    def path(self, *parts: str) -> Path:
        current = self._root
        last = len(parts) - 1
        for index, part in enumerate(parts):
            current = f"{current}{os.sep}{part}"
            try:
                mode = os.lstat(current).st_mode
            except FileNotFoundError:
                return self.root.joinpath(*parts)  # nothing further down exists yet
            if stat.S_ISLNK(mode):
                raise ProviderError(f"local root: {current} is a symbolic link; refusing to follow it")
            if index < last and not stat.S_ISDIR(mode):
                raise ProviderError(f"local root: {current} is not a directory")
        return Path(current)


def fsync_dir(path: Path) -> None:
    """Make a rename in directory ``path`` durable, where the platform allows."""
    try:
        fd = os.open(path, os.O_RDONLY | NOFOLLOW)
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

    def __init__(self, target: Path, *, durable: bool = True) -> None:
        self.target = target
        self.durable = durable
        fd, name = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        self.path = Path(name)
        self.file = os.fdopen(fd, "wb")
        self._done = False

    def flush(self) -> None:
        """Write everything out (and ``fsync`` it when durable); the file stays open."""
        self.file.flush()
        if self.durable:
            os.fsync(self.file.fileno())

    def commit(self) -> None:
        """:meth:`flush`, :meth:`replace` and :meth:`sync_dir`."""
        self.flush()
        self.replace()
        self.sync_dir()

    def replace(self) -> None:
        """Rename the file (flushed already) over ``target``: the quick step, for under a lock."""
        self.file.close()
        os.replace(self.path, self.target)
        self._done = True

    def sync_dir(self) -> None:
        """Make the rename durable (when durable)."""
        if self.durable:
            fsync_dir(self.target.parent)

    def __enter__(self) -> Staged:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self._done:
            self.file.close()
            self.path.unlink(missing_ok=True)


def write_json(path: Path, doc: object, *, durable: bool = True) -> None:
    with Staged(path, durable=durable) as staged:
        staged.file.write(json.dumps(doc).encode())
        staged.commit()


@contextmanager
def flock(path: Path, *, shared: bool = False) -> Iterator[None]:
    """Hold an advisory lock on ``path`` (created if missing, never through a link); threads
    contend too, since each holder opens its own file description."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | NOFOLLOW, 0o600)
    except OSError as exc:
        if os.path.islink(path):
            raise ProviderError(f"local root: lock file {path} is a symbolic link") from exc
        raise
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def scandir(path: str | Path) -> list[os.DirEntry[str]]:
    """The entries of ``path`` not starting with ``.``; none when it does not exist."""
    try:
        with os.scandir(path) as entries:
            return [e for e in entries if not e.name.startswith(".")]
    except FileNotFoundError:
        return []


def open_nofollow(path: Path) -> BinaryIO:
    """``path`` opened for reading; a symbolic link there -> ``ProviderError``."""
    try:
        return open(os.open(path, os.O_RDONLY | NOFOLLOW), "rb")
    except OSError as exc:
        if os.path.islink(path):
            raise ProviderError(f"local root: {path} is a symbolic link; refusing to follow it") from exc
        raise
