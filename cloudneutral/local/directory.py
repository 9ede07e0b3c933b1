"""The directory backend: everything persisted under one root, shared by processes.

Layout under ``ROOT``::

    cloudneutral-local.json            format marker; a root without it must be empty
    blobs/BUCKET/bucket.json           the bucket's attributes
    blobs/BUCKET/objects/HH/HASH       one blob: its bytes, a JSON trailer, the trailer's
                                       length and a magic number (HASH = sha256 of the key)
    blobs/BUCKET/uploads/ID/           a multipart upload: upload.json and NNNNN.part files
    state.json                         servers, volumes and snapshots
    disks/NAME.img                     sparse images behind volumes and snapshots
    locks/                             fcntl lock files

Keys never become path components: a blob lives at the SHA-256 of its key, and its key
is kept in the trailer, so any key of up to 1024 bytes round-trips exactly and none can
escape the root. Every file is written to a temporary name in its final directory, flushed
with ``fsync`` and renamed over its target, so a reader sees a whole old file or a whole
new one, never a part. Bytes and attributes of a blob are one file, so they change
together. ``state.json`` is read, changed and rewritten under an exclusive ``flock``.
"""

from __future__ import annotations

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
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from ..driver import WriteOptions
from ..errors import AlreadyExists, ConfigurationError, Conflict, NotFound, ProviderError
from .files import Staged, flock, fsync_dir, open_nofollow, scandir, write_json
from .sparse import DirectoryDiskStore
from .store import CHUNK, Backend, StoredBlob, Tally, key_order, new_state, utcnow

__all__ = ["directory_backend"]

FORMAT = 1
MARKER = "cloudneutral-local.json"
MAGIC = b"CNBLOB01"
_TAIL = struct.Struct(">Q8s")  # trailer length, magic
_UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
_PART = re.compile(r"^(\d{5})\.part$")


def directory_backend(root: Path) -> Backend:
    """The backend persisted under ``root``, created when missing.

    Raises ``ConfigurationError`` when ``root`` is a file, holds another format, or is a
    non-empty directory that is not a cloudneutral root (so it never litters one).
    """
    root = root.expanduser().absolute()
    if root.exists() and not root.is_dir():
        raise ConfigurationError(f"local root {root} is not a directory")
    root.mkdir(parents=True, exist_ok=True)
    marker = root / MARKER
    if marker.exists():
        found = json.loads(marker.read_bytes()).get("format")
        if found != FORMAT:
            raise ConfigurationError(f"local root {root} has format {found!r}; this version reads {FORMAT}")
    else:
        if any(not p.name.startswith(".tmp-") for p in root.iterdir()):
            raise ConfigurationError(
                f"local root {root} is not empty and is not a cloudneutral root; give an empty "
                "or new directory"
            )
        write_json(marker, {"format": FORMAT})
    for sub in ("blobs", "disks", "locks"):
        (root / sub).mkdir(exist_ok=True)
    return Backend(
        blobs=DirectoryBlobStore(root),
        state=DirectoryStateStore(root),
        disks=DirectoryDiskStore(root),
        root=root,
    )


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
        if info.size != end - _TAIL.size - length:
            raise ValueError("size does not match")
    except (ValueError, KeyError, TypeError) as exc:
        raise ProviderError(f"corrupt blob file {path}: {exc}") from exc
    return info


# -- blobs ---------------------------------------------------------------------------------
class DirectoryBlobStore:
    """Blobs as single files named by the hash of their key (see the module docstring)."""

    def __init__(self, root: Path) -> None:
        self._root = root / "blobs"
        self._locks = root / "locks"
        # bucket -> path -> (stat signature, attributes): listing re-reads changed files only
        self._seen: dict[str, dict[str, tuple[tuple[int, ...], StoredBlob]]] = {}

    def _dir(self, bucket: str) -> Path:
        return self._root / bucket

    def _lock(self, bucket: str) -> Path:
        return self._locks / f"bucket-{bucket}.lock"

    def _require(self, bucket: str) -> Path:
        path = self._dir(bucket)
        if not (path / "bucket.json").is_file():
            raise NotFound(f"no bucket {bucket!r}")
        return path

    def _blob_path(self, bucket: str, key: str) -> Path:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return self._dir(bucket) / "objects" / digest[:2] / digest

    def buckets(self) -> list[tuple[str, _dt.datetime]]:
        found = []
        for entry in scandir(self._root):
            try:
                found.append((entry.name, self.bucket_created(entry.name)))
            except NotFound:
                continue
        return found

    def create_bucket(self, name: str) -> _dt.datetime:
        created = utcnow()
        staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self._root))
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
        fsync_dir(self._root)
        return created

    def bucket_created(self, name: str) -> _dt.datetime:
        try:
            doc = json.loads((self._dir(name) / "bucket.json").read_bytes())
        except FileNotFoundError:
            raise NotFound(f"no bucket {name!r}") from None
        return _dt.datetime.fromisoformat(doc["created"])

    def delete_bucket(self, name: str) -> None:
        with flock(self._lock(name)):
            path = self._require(name)
            if any(scandir(folder.path) for folder in scandir(path / "objects")):
                raise Conflict(f"bucket {name!r} is not empty")
            trash = self._root / f".trash-{secrets.token_hex(8)}"
            os.rename(path, trash)
        self._seen.pop(name, None)
        shutil.rmtree(trash, ignore_errors=True)

    def blobs(self, bucket: str) -> Sequence[StoredBlob]:
        objects = self._require(bucket) / "objects"
        known = self._seen.get(bucket, {})
        fresh: dict[str, tuple[tuple[int, ...], StoredBlob]] = {}
        for folder in scandir(objects):
            for entry in scandir(folder.path):
                try:
                    if not entry.is_file(follow_symlinks=False):
                        continue
                    st = entry.stat(follow_symlinks=False)
                    signature = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
                    hit = known.get(entry.path)
                    if hit is None or hit[0] != signature:
                        with open_nofollow(Path(entry.path)) as fh:
                            hit = (signature, _read_trailer(fh, Path(entry.path)))
                except FileNotFoundError:  # deleted while we looked
                    continue
                fresh[entry.path] = hit
        self._seen[bucket] = fresh
        return sorted((info for _, info in fresh.values()), key=lambda i: key_order(i.key))

    def open(self, bucket: str, key: str) -> tuple[StoredBlob, BinaryIO]:
        path = self._blob_path(bucket, key)
        try:
            fh = open_nofollow(path)
        except FileNotFoundError:
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
        return info, fh

    def stat(self, bucket: str, key: str) -> StoredBlob:
        info, fh = self.open(bucket, key)
        fh.close()
        return info

    def write(
        self,
        bucket: str,
        key: str,
        chunks: Iterable[bytes],
        options: WriteOptions,
        etag: str | None = None,
    ) -> StoredBlob:
        target = self._blob_path(bucket, key)
        self._require(bucket)
        try:
            target.parent.mkdir(exist_ok=True)  # never parents: a deleted bucket stays deleted
        except FileNotFoundError:
            raise NotFound(f"no bucket {bucket!r}") from None
        tally = Tally()
        with Staged(target) as staged:
            for chunk in chunks:
                staged.file.write(tally.add(chunk))
            info = tally.blob(key, options, etag)
            trailer = json.dumps(info.to_json()).encode()
            staged.file.write(trailer + _TAIL.pack(len(trailer), MAGIC))
            with flock(self._lock(bucket), shared=True):  # delete_bucket holds it exclusively
                self._require(bucket)
                staged.commit()
        return info

    def delete(self, bucket: str, key: str) -> None:
        self.stat(bucket, key)
        try:
            self._blob_path(bucket, key).unlink()
        except FileNotFoundError:
            raise NotFound(f"no blob {key!r} in bucket {bucket!r}") from None

    # -- multipart uploads ---------------------------------------------------------------
    def _upload_dir(self, bucket: str, upload_id: str) -> Path:
        return self._dir(bucket) / "uploads" / upload_id

    def start_upload(self, bucket: str, key: str, options: WriteOptions) -> str:
        self._require(bucket)
        upload_id = secrets.token_hex(16)
        folder = self._upload_dir(bucket, upload_id)
        try:
            folder.mkdir()
        except FileNotFoundError:
            raise NotFound(f"no bucket {bucket!r}") from None
        doc = {"key": key, "content_type": options.content_type, "metadata": dict(options.metadata)}
        write_json(folder / "upload.json", doc)
        return upload_id

    def upload_options(self, bucket: str, key: str, upload_id: str) -> WriteOptions:
        missing = NotFound(f"no upload {upload_id!r} of {key!r} in bucket {bucket!r}")
        if not _UPLOAD_ID.match(upload_id):
            raise missing
        try:
            doc: dict[str, Any] = json.loads(
                (self._upload_dir(bucket, upload_id) / "upload.json").read_bytes()
            )
        except FileNotFoundError:
            raise missing from None
        if doc["key"] != key:
            raise missing
        return WriteOptions(content_type=doc["content_type"], metadata=doc["metadata"])

    def put_part(self, bucket: str, key: str, upload_id: str, number: int, data: bytes) -> None:
        self.upload_options(bucket, key, upload_id)
        with Staged(self._upload_dir(bucket, upload_id) / f"{number:05d}.part") as staged:
            staged.file.write(data)
            staged.commit()

    def part_numbers(self, bucket: str, key: str, upload_id: str) -> frozenset[int]:
        self.upload_options(bucket, key, upload_id)
        names = (_PART.match(e.name) for e in scandir(self._upload_dir(bucket, upload_id)))
        return frozenset(int(m.group(1)) for m in names if m)

    def part_chunks(self, bucket: str, key: str, upload_id: str, number: int) -> Iterator[bytes]:
        path = self._upload_dir(bucket, upload_id) / f"{number:05d}.part"
        with open_nofollow(path) as fh:
            while chunk := fh.read(CHUNK):
                yield chunk

    def drop_upload(self, bucket: str, key: str, upload_id: str) -> None:
        self.upload_options(bucket, key, upload_id)
        shutil.rmtree(self._upload_dir(bucket, upload_id), ignore_errors=True)


class DirectoryStateStore:
    """``state.json`` under an exclusive ``flock``; rewritten (atomically) only when changed."""

    def __init__(self, root: Path) -> None:
        self._path = root / "state.json"
        self._lock = root / "locks" / "state.lock"

    @contextmanager
    def transaction(self) -> Iterator[dict[str, Any]]:
        with flock(self._lock):
            try:
                raw = self._path.read_bytes()
            except FileNotFoundError:
                raw = b""
            doc: dict[str, Any] = json.loads(raw) if raw else new_state()
            yield doc
            new = json.dumps(doc).encode()
            if new != raw:
                write_json(self._path, doc)
