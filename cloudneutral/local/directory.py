"""The directory backend: everything persisted under one root, shared by processes.

Layout under ``ROOT``::

    cloudneutral-local.json            format marker; a root without it must be empty
    blobs/BUCKET/bucket.json           the bucket's attributes
    blobs/BUCKET/objects/HH/HASH       one blob: its bytes, a JSON trailer, the trailer's
                                       length and a magic number (HASH = sha256 of the key);
                                       for a blob committed from parts, the trailer only,
                                       naming the folder that holds its parts:
    blobs/BUCKET/objects/HH/HASH.ID.parts/NNNNN-MD5.part
    blobs/BUCKET/uploads/ID/           an unfinished upload: upload.json and its parts
    state.json                         servers, volumes and snapshots
    disks/NAME.img                     sparse images behind volumes and snapshots
    locks/                             fcntl lock files

Keys never become path components: a blob lives at the SHA-256 of its key, and its key
is kept in the trailer, so any key of up to 1024 bytes round-trips exactly and none can
escape the root; no path is followed through a symbolic link (:class:`.files.Confined`).
Every file is written to a temporary name in its final directory, flushed with ``fsync``
and renamed over its target, so a reader sees a whole old file or a whole new one. Parts
are written once: committing an upload renames its folder beside the blob and writes the
trailer. ``state.json`` is read, changed and rewritten under an exclusive ``flock``.

The root is created by the first write; reading a root that does not exist raises
``NotFound``. Leftovers of crashed writers (temporary files, unfinished uploads, parts no
blob names) are reclaimed once they are older than ``reclaim_after`` seconds: at most once
an hour when a root is opened, and on demand (:meth:`DirectoryBlobStore.reclaim`).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import struct
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import attrs

from ..driver import WriteOptions
from ..errors import (
    AlreadyExists,
    ConfigurationError,
    Conflict,
    InvalidArgument,
    NotFound,
    ProviderError,
    TransientError,
)
from .files import Confined, Staged, flock, fsync_dir, open_nofollow, scandir, write_json
from .records import State
from .sparse import DirectoryDiskStore
from .store import (
    Backend,
    Readable,
    Reclaimed,
    StoredBlob,
    StoredPart,
    Tally,
    committed,
    key_order,
)

__all__ = ["DirectoryRoot", "directory_backend"]

FORMAT = 1
MARKER = "cloudneutral-local.json"
MAGIC = b"CNBLOB01"
_TAIL = struct.Struct(">Q8s")  # trailer length, magic
_UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
_PART = re.compile(r"^(\d{5})-([0-9a-f]{32})\.part$")
_PARTS_DIR = re.compile(r"^([0-9a-f]{64})\.([0-9a-f]{32})\.parts$")
#: How often opening a root reclaims crash leftovers, in seconds.
RECLAIM_INTERVAL = 3600.0
DEFAULT_RECLAIM_AFTER = 86400.0


class DirectoryRoot:
    """A root directory: created by the first write, confined, and checked for its format."""

    def __init__(self, root: Path) -> None:
        self.path = root.expanduser().absolute()
        self.confined = Confined(self.path)
        if self.path.is_symlink() or (self.path.exists() and not self.path.is_dir()):
            raise ConfigurationError(f"local root {self.path} is not a directory")
        if self.path.exists():
            self._check_marker()

    def _check_marker(self) -> None:
        marker = self.path / MARKER
        if marker.exists():
            found = json.loads(open_nofollow(marker).read()).get("format")
            if found != FORMAT:
                raise ConfigurationError(
                    f"local root {self.path} has format {found!r}; this version reads {FORMAT}"
                )
        elif any(not p.name.startswith(".tmp-") for p in self.path.iterdir()) and not marker.exists():
            # (checked again: a concurrent creator writes the marker before anything else)
            raise ConfigurationError(
                f"local root {self.path} is not empty and is not a cloudneutral root; "
                "give an empty or new directory"
            )

    @property
    def exists(self) -> bool:
        """Whether the root holds a store (its marker and folders)."""
        return (self.path / MARKER).is_file() and (self.path / "locks").is_dir()

    def require(self) -> None:
        """Raise ``NotFound`` when nothing was ever written here."""
        if not self.exists:
            raise NotFound(f"no local store at {self.path} (the first write creates it)")

    def ensure(self) -> None:
        """Create the root and its folders (idempotent, safe against concurrent creators)."""
        if self.exists:
            return
        self.path.mkdir(parents=True, exist_ok=True)
        self._check_marker()  # racing creators only ever add .tmp-* files before the marker
        write_json(self.path / MARKER, {"format": FORMAT})
        for sub in ("blobs", "disks", "locks"):
            self.confined.path(sub).mkdir(exist_ok=True)

    def sub(self, *parts: str) -> Path:
        return self.confined.path(*parts)


def directory_backend(
    root: Path, *, reclaim_after: float = DEFAULT_RECLAIM_AFTER, durable: bool = True
) -> Backend:
    """The backend persisted under ``root`` (created by the first write); ``durable``: blobs
    and parts are ``fsync``-ed as they are written (renames stay atomic either way).

    Raises ``ConfigurationError`` when ``root`` is a file, holds another format, or is a
    non-empty directory that is not a cloudneutral root (so it never litters one).
    """
    where = DirectoryRoot(root)
    blobs = DirectoryBlobStore(where, durable=durable)
    disks = DirectoryDiskStore(where)
    if where.exists:
        stamp = where.sub("locks", "reclaimed.stamp")
        try:
            due = time.time() - os.lstat(stamp).st_mtime > RECLAIM_INTERVAL
        except FileNotFoundError:
            due = True
        if due:
            stamp.touch()
            blobs.reclaim(reclaim_after)
            disks.reclaim(reclaim_after)
    return Backend(blobs=blobs, state=DirectoryStateStore(where), disks=disks, root=where.path)


def _read_trailer(fh: BinaryIO, path: Path) -> StoredBlob:
    """The attributes kept at the end of a blob file."""
    end = fh.seek(0, os.SEEK_END)
    try:
        if end < _TAIL.size:
            raise ValueError("too short")
        fh.seek(end - _TAIL.size)
        length, magic = _TAIL.unpack(fh.read(_TAIL.size))
        if magic != MAGIC or length > end - _TAIL.size:
            raise ValueError("bad trailer")
        fh.seek(end - _TAIL.size - length)
        info = StoredBlob.from_json(json.loads(fh.read(length)))
        inline = end - _TAIL.size - length
        if inline != (0 if info.parts else info.size):
            raise ValueError("size does not match")
    except (ValueError, KeyError, TypeError) as exc:
        raise ProviderError(f"corrupt blob file {path}: {exc}") from exc
    return info


def _trailer(info: StoredBlob) -> bytes:
    data = json.dumps(info.to_json()).encode()
    return data + _TAIL.pack(len(data), MAGIC)


class _PartsReader:
    """The bytes of a blob committed from parts: its part files, read in turn."""

    def __init__(self, folder: Path, parts: Sequence[StoredPart]) -> None:
        self._folder = folder
        self._parts = list(parts)
        self._index = 0
        self._offset = 0  # within the current part
        self._file: BinaryIO | None = None

    def seek(self, offset: int) -> int:
        self._close_file()
        self._index, self._offset = 0, offset
        while self._index < len(self._parts) and self._offset >= self._parts[self._index].size:
            self._offset -= self._parts[self._index].size
            self._index += 1
        return offset

    def read(self, size: int) -> bytes:
        while self._index < len(self._parts):
            if self._file is None:
                part = self._parts[self._index]
                try:
                    self._file = open_nofollow(self._folder / f"{part.number:05d}-{part.md5}.part")
                except FileNotFoundError:
                    raise TransientError(
                        f"blob in {self._folder.name} was replaced while it was read"
                    ) from None
                self._file.seek(self._offset)
            chunk = self._file.read(size)
            if chunk:
                return chunk
            self._close_file()
            self._index, self._offset = self._index + 1, 0
        return b""

    def _close_file(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def close(self) -> None:
        self._close_file()


@attrs.define
class _Scan:
    """Attributes of a bucket's blob files, re-read only for files that changed."""

    seen: dict[str, tuple[tuple[int, ...], StoredBlob]] = attrs.field(factory=dict)


# -- blobs ---------------------------------------------------------------------------------
class DirectoryBlobStore:
    """Blobs as files named by the hash of their key (see the module docstring)."""

    def __init__(self, root: DirectoryRoot, *, durable: bool = True) -> None:
        self._root = root
        self._durable = durable
        self._scans: dict[str, _Scan] = {}

    # -- paths ---------------------------------------------------------------------------
    def _dir(self, bucket: str, *parts: str) -> Path:
        return self._root.sub("blobs", bucket, *parts)

    def _lock(self, bucket: str) -> Path:
        return self._root.sub("locks", f"bucket-{bucket}.lock")

    @contextmanager
    def _holding(self, bucket: str, key: str) -> Iterator[None]:
        """Hold ``key`` against other writers of it, and the bucket against ``delete_bucket``
        (shared: writers of other keys proceed). Keys share one of 256 lock files."""
        stripe = self._hash(key)[:2]
        with (
            flock(self._lock(bucket), shared=True),
            flock(self._root.sub("locks", f"bucket-{bucket}.{stripe}.lock")),
        ):
            yield

    def _require(self, bucket: str) -> Path:
        """The bucket's folder; ``NotFound`` when it (or the whole store) does not exist."""
        self._root.require()
        marker = self._dir(bucket, "bucket.json")  # checks every folder on the way
        if not marker.is_file():
            raise NotFound(f"no bucket {bucket!r}")
        return marker.parent

    @staticmethod
    def _hash(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    def _blob_path(self, bucket: str, key: str) -> Path:
        digest = self._hash(key)
        return self._dir(bucket, "objects", digest[:2], digest)

    def _upload_dir(self, bucket: str, upload_id: str) -> Path:
        return self._dir(bucket, "uploads", upload_id)

    # -- buckets -------------------------------------------------------------------------
    def buckets(self) -> list[tuple[str, _dt.datetime]]:
        self._root.require()
        found = []
        for entry in scandir(self._root.sub("blobs")):
            try:
                found.append((entry.name, self.bucket_created(entry.name)))
            except NotFound:
                continue
        return found

    def create_bucket(self, name: str) -> _dt.datetime:
        self._root.ensure()
        created = _dt.datetime.now(_dt.timezone.utc)
        blobs = self._root.sub("blobs")
        staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=blobs))
        try:
            (staging / "objects").mkdir()
            (staging / "uploads").mkdir()
            write_json(staging / "bucket.json", {"name": name, "created": created.isoformat()})
            try:
                os.rename(staging, self._dir(name))
            except OSError as exc:
                if exc.errno in (errno.EEXIST, errno.ENOTEMPTY):
                    raise AlreadyExists(f"bucket {name!r} already exists") from exc
                raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        fsync_dir(blobs)
        return created

    def bucket_created(self, name: str) -> _dt.datetime:
        self._root.require()
        try:
            doc = json.loads(open_nofollow(self._dir(name, "bucket.json")).read())
        except (FileNotFoundError, NotADirectoryError):
            raise NotFound(f"no bucket {name!r}") from None
        return _dt.datetime.fromisoformat(doc["created"])

    def delete_bucket(self, name: str) -> None:
        with flock(self._lock(name)):
            path = self._require(name)
            for folder in scandir(self._dir(name, "objects")):
                if any(e.is_file(follow_symlinks=False) for e in scandir(folder.path)):
                    raise Conflict(f"bucket {name!r} is not empty")
            trash = self._root.sub("blobs", f".trash-{secrets.token_hex(8)}")
            os.rename(path, trash)
        self._scans.pop(name, None)
        shutil.rmtree(trash, ignore_errors=True)  # rmtree never follows links

    # -- reading -------------------------------------------------------------------------
    def blobs(self, bucket: str) -> Sequence[StoredBlob]:
        objects = self._require(bucket) / "objects"
        scan = self._scans.setdefault(bucket, _Scan())
        fresh: dict[str, tuple[tuple[int, ...], StoredBlob]] = {}
        for folder in scandir(objects):
            if not folder.is_dir(follow_symlinks=False):
                continue
            for entry in scandir(folder.path):
                try:
                    if not entry.is_file(follow_symlinks=False):
                        continue
                    st = entry.stat(follow_symlinks=False)
                    signature = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
                    hit = scan.seen.get(entry.path)
                    if hit is None or hit[0] != signature:
                        with open_nofollow(Path(entry.path)) as fh:
                            hit = (signature, _read_trailer(fh, Path(entry.path)))
                except FileNotFoundError:  # deleted while we looked
                    continue
                fresh[entry.path] = hit
        scan.seen = fresh
        return sorted((info for _, info in fresh.values()), key=lambda i: key_order(i.key))

    def _open_file(self, bucket: str, key: str) -> tuple[StoredBlob, BinaryIO, Path]:
        path = self._blob_path(bucket, key)
        try:
            fh = open_nofollow(path)
        except (FileNotFoundError, NotADirectoryError):
            self._require(bucket)
            raise NotFound(f"no blob {key!r} in bucket {bucket!r}") from None
        try:
            info = _read_trailer(fh, path)
            if info.key != key:
                raise ProviderError(f"blob file {path} holds key {info.key!r}, not {key!r}")
            fh.seek(0)
        except BaseException:
            fh.close()
            raise
        return info, fh, path

    def open(self, bucket: str, key: str) -> tuple[StoredBlob, Readable]:
        info, fh, path = self._open_file(bucket, key)
        if not info.parts:
            return info, fh
        fh.close()
        return info, _PartsReader(self._parts_folder(path, info.location), info.parts)

    def stat(self, bucket: str, key: str) -> StoredBlob:
        info, fh, _ = self._open_file(bucket, key)
        fh.close()
        return info

    # -- writing -------------------------------------------------------------------------
    @contextmanager
    def _swap(self, bucket: str, key: str, target: Path) -> Iterator[None]:
        """Hold ``key`` while a new version replaces its blob file ``target``; then remove
        the parts of the version replaced, if it had any."""
        old: str | None = None
        with self._holding(bucket, key):  # delete_bucket and other writers of key wait
            self._require(bucket)
            try:
                with open_nofollow(target) as fh:
                    old = _read_trailer(fh, target).location or None
            except (FileNotFoundError, ProviderError):
                old = None
            yield
        if old:
            shutil.rmtree(self._parts_folder(target, old), ignore_errors=True)

    def _parts_folder(self, target: Path, location: str) -> Path:
        """The folder ``location`` (from a trailer) beside blob file ``target``, checked."""
        if not _PARTS_DIR.match(location):
            raise ProviderError(f"corrupt blob file {target}: bad parts folder {location!r}")
        return self._root.sub(*target.parent.relative_to(self._root.path).parts, location)

    def _prepare(self, bucket: str, key: str) -> Path:
        """The blob file of ``key``, its folder created; no link on the way."""
        self._require(bucket)
        digest = self._hash(key)
        folder = self._dir(bucket, "objects", digest[:2])
        try:
            folder.mkdir(exist_ok=True)  # never parents: a deleted bucket stays deleted
        except FileNotFoundError:
            raise NotFound(f"no bucket {bucket!r}") from None
        return self._dir(bucket, "objects", digest[:2], digest)

    def write(
        self, bucket: str, key: str, chunks: Iterable[bytes], options: WriteOptions, md5: str | None = None
    ) -> StoredBlob:
        target = self._prepare(bucket, key)
        tally = Tally(md5)
        with Staged(target, durable=self._durable) as staged:
            for chunk in chunks:
                staged.file.write(tally.add(chunk))
            info = tally.blob(key, options)
            staged.file.write(_trailer(info))
            staged.flush()
            with self._swap(bucket, key, target):
                staged.replace()
            staged.sync_dir()
        return info

    def delete(self, bucket: str, key: str, if_match: str | None = None) -> None:
        path = self._blob_path(bucket, key)
        with self._holding(bucket, key):
            info = self.stat(bucket, key)
            if if_match is not None and info.etag != if_match:
                raise Conflict(f"blob {key!r} is at version {info.etag}, not {if_match}")
            try:
                path.unlink()
            except FileNotFoundError:
                raise NotFound(f"no blob {key!r} in bucket {bucket!r}") from None
        if info.location:
            shutil.rmtree(self._parts_folder(path, info.location), ignore_errors=True)

    # -- uploads in parts ----------------------------------------------------------------
    def start_upload(self, bucket: str, key: str, options: WriteOptions) -> str:
        self._require(bucket)
        upload_id = secrets.token_hex(16)
        folder = self._upload_dir(bucket, upload_id)
        try:
            folder.mkdir()
        except FileNotFoundError:
            raise NotFound(f"no bucket {bucket!r}") from None
        doc = {"key": key, "content_type": options.content_type, "metadata": dict(options.metadata)}
        write_json(folder / "upload.json", doc, durable=self._durable)
        return upload_id

    def upload_options(self, bucket: str, key: str, upload_id: str) -> WriteOptions:
        missing = NotFound(f"no upload {upload_id!r} of {key!r} in bucket {bucket!r}")
        if not _UPLOAD_ID.match(upload_id):
            raise missing
        try:
            doc: dict[str, Any] = json.loads(
                open_nofollow(self._upload_dir(bucket, upload_id) / "upload.json").read()
            )
        except (FileNotFoundError, NotADirectoryError):
            raise missing from None
        if doc["key"] != key:
            raise missing
        return WriteOptions(content_type=doc["content_type"], metadata=doc["metadata"])

    def put_part(
        self, bucket: str, key: str, upload_id: str, number: int, data: bytes, md5: str
    ) -> StoredPart:
        self.upload_options(bucket, key, upload_id)
        folder = self._upload_dir(bucket, upload_id)
        part = StoredPart(number, len(data), md5)
        earlier = [
            e.path for e in scandir(folder) if (m := _PART.match(e.name)) and int(m.group(1)) == number
        ]
        with Staged(folder / f"{number:05d}-{part.md5}.part", durable=self._durable) as staged:
            staged.file.write(data)
            staged.commit()
        for path in earlier:
            if Path(path).name != f"{number:05d}-{part.md5}.part":
                Path(path).unlink(missing_ok=True)
        return part

    def parts(self, bucket: str, key: str, upload_id: str) -> list[StoredPart]:
        self.upload_options(bucket, key, upload_id)
        found = []
        for entry in scandir(self._upload_dir(bucket, upload_id)):
            match = _PART.match(entry.name)
            if match:
                size = entry.stat(follow_symlinks=False).st_size
                found.append(StoredPart(int(match.group(1)), size, match.group(2)))
        return sorted(found, key=lambda p: p.number)

    def commit_upload(
        self, bucket: str, key: str, upload_id: str, parts: Sequence[StoredPart], options: WriteOptions
    ) -> StoredBlob:
        stored = {p.number: p for p in self.parts(bucket, key, upload_id)}
        for part in parts:
            if stored.get(part.number) != part:
                raise InvalidArgument(f"part {part.number} of upload {upload_id} is not the one stored")
        target = self._prepare(bucket, key)
        location = f"{target.name}.{upload_id}.parts"
        info = committed(key, parts, options, location)
        with Staged(target, durable=self._durable) as staged:
            staged.file.write(_trailer(info))
            staged.flush()  # everything slow happens before the two renames, back to back
            with self._swap(bucket, key, target):
                os.rename(self._upload_dir(bucket, upload_id), target.parent / location)
                staged.replace()
            staged.sync_dir()
        (target.parent / location / "upload.json").unlink(missing_ok=True)
        return info

    def uploads(self, bucket: str) -> list[tuple[str, str]]:
        found = []
        for entry in scandir(self._require(bucket) / "uploads"):
            try:
                doc = json.loads(open_nofollow(Path(entry.path) / "upload.json").read())
            except (FileNotFoundError, NotADirectoryError, ValueError):
                continue
            found.append((str(doc["key"]), entry.name))
        return sorted(found)

    def drop_upload(self, bucket: str, key: str, upload_id: str) -> None:
        self.upload_options(bucket, key, upload_id)
        shutil.rmtree(self._upload_dir(bucket, upload_id), ignore_errors=True)

    # -- crash leftovers -----------------------------------------------------------------
    def reclaim(self, older_than: float) -> Reclaimed:
        """Remove temporary files, unfinished uploads, and parts folders no blob names,
        older than ``older_than`` seconds. Returns what was removed."""
        if not self._root.exists:
            return Reclaimed()
        cutoff = time.time() - older_than
        tally = _Reclaim(cutoff)
        blobs = self._root.sub("blobs")
        for entry in _all_entries(blobs):
            if entry.name.startswith((".tmp-", ".trash-")):
                tally.remove(Path(entry.path), force=entry.name.startswith(".trash-"))
        for bucket in scandir(blobs):
            if not bucket.is_dir(follow_symlinks=False):
                continue
            for upload in scandir(Path(bucket.path) / "uploads"):
                if tally.remove(Path(upload.path)):
                    tally.uploads += 1
            for folder in scandir(Path(bucket.path) / "objects"):
                if folder.is_dir(follow_symlinks=False):
                    self._reclaim_folder(Path(folder.path), tally)
        return tally.result()

    def _reclaim_folder(self, folder: Path, tally: _Reclaim) -> None:
        for entry in _all_entries(folder):
            path = Path(entry.path)
            if entry.name.startswith(".tmp-"):
                tally.remove(path)
                continue
            match = _PARTS_DIR.match(entry.name)
            if match is None:
                continue
            try:
                with open_nofollow(folder / match.group(1)) as fh:
                    wanted = _read_trailer(fh, folder / match.group(1)).location
            except (FileNotFoundError, ProviderError):
                wanted = ""
            if wanted != entry.name:
                tally.remove(path)


def _all_entries(path: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(path) as entries:
            return list(entries)
    except FileNotFoundError:
        return []


class _Reclaim:
    """Counts what reclaiming removes; removes only what is older than ``cutoff``."""

    def __init__(self, cutoff: float) -> None:
        self.cutoff = cutoff
        self.files = 0
        self.uploads = 0
        self.bytes = 0

    def remove(self, path: Path, *, force: bool = False) -> bool:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return False
        if not force and st.st_mtime > self.cutoff:
            return False
        if path.is_dir() and not path.is_symlink():
            for dirpath, _, files in os.walk(path):
                for name in files:
                    with contextlib.suppress(FileNotFoundError):
                        self.bytes += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
                    self.files += 1
            shutil.rmtree(path, ignore_errors=True)
        else:
            self.bytes += st.st_blocks * 512
            self.files += 1
            path.unlink(missing_ok=True)
        return True

    def result(self) -> Reclaimed:
        return Reclaimed(files=self.files, uploads=self.uploads, bytes=self.bytes)


class DirectoryStateStore:
    """``state.json`` under an exclusive ``flock``; rewritten (atomically) only when changed."""

    def __init__(self, root: DirectoryRoot) -> None:
        self._root = root

    @contextmanager
    def transaction(self, create: bool = False) -> Iterator[State]:
        if create:
            self._root.ensure()
        else:
            self._root.require()
        path = self._root.sub("state.json")
        with flock(self._root.sub("locks", "state.lock")):
            try:
                raw = open_nofollow(path).read()
            except FileNotFoundError:
                raw = b""
            state = State.from_json(json.loads(raw)) if raw else State()
            yield state
            new = json.dumps(state.to_json()).encode()
            if new != raw:
                write_json(path, state.to_json())
