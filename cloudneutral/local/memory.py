"""The in-memory backend: one lock, plain dicts, nothing outlives the process.

``memory_backend(None)`` is a fresh store for each connection; ``memory_backend(name)``
is the process-wide store of that name, shared by every connection that names it.
"""

from __future__ import annotations

import copy
import datetime as _dt
import io
import secrets
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import attrs

from ..driver import WriteOptions
from ..errors import AlreadyExists, Conflict, NotFound
from .records import State
from .store import Backend, Readable, Reclaimed, StoredBlob, StoredPart, Tally, committed, key_order, utcnow

__all__ = ["memory_backend"]

_NAMED: dict[str, Backend] = {}
_NAMED_LOCK = threading.Lock()

#: Volume images are kept as pages of this many bytes; only written pages exist.
PAGE = 64 * 1024


def memory_backend(name: str | None = None) -> Backend:
    """A fresh in-memory backend, or the shared one called ``name``."""
    if name is None:
        return _new_backend()
    with _NAMED_LOCK:
        if name not in _NAMED:
            _NAMED[name] = _new_backend()
        return _NAMED[name]


def _new_backend() -> Backend:
    lock = threading.RLock()
    return Backend(blobs=MemoryBlobStore(lock), state=MemoryStateStore(lock), disks=MemoryDiskStore(lock))


@attrs.define
class _Bucket:
    created: _dt.datetime
    blobs: dict[str, tuple[StoredBlob, bytes]] = attrs.field(factory=dict)
    ordered: list[StoredBlob] | None = None  # cache of sorted attributes, dropped on change


@attrs.define
class _Upload:
    bucket: str
    key: str
    options: WriteOptions
    parts: dict[int, tuple[StoredPart, bytes]] = attrs.field(factory=dict)


class MemoryBlobStore:
    """Buckets as dicts of ``key -> (attributes, bytes)``; a write swaps one dict entry."""

    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self._buckets: dict[str, _Bucket] = {}
        self._uploads: dict[str, _Upload] = {}

    def _bucket(self, name: str) -> _Bucket:
        try:
            return self._buckets[name]
        except KeyError:
            raise NotFound(f"no bucket {name!r}") from None

    def buckets(self) -> list[tuple[str, _dt.datetime]]:
        with self._lock:
            return [(name, b.created) for name, b in self._buckets.items()]

    def create_bucket(self, name: str) -> _dt.datetime:
        with self._lock:
            if name in self._buckets:
                raise AlreadyExists(f"bucket {name!r} already exists")
            bucket = self._buckets[name] = _Bucket(created=utcnow())
            return bucket.created

    def bucket_created(self, name: str) -> _dt.datetime:
        with self._lock:
            return self._bucket(name).created

    def delete_bucket(self, name: str) -> None:
        with self._lock:
            if self._bucket(name).blobs:
                raise Conflict(f"bucket {name!r} is not empty")
            del self._buckets[name]
            for upload_id in [u for u, up in self._uploads.items() if up.bucket == name]:
                del self._uploads[upload_id]

    def blobs(self, bucket: str) -> Sequence[StoredBlob]:
        with self._lock:
            b = self._bucket(bucket)
            if b.ordered is None:
                b.ordered = sorted((info for info, _ in b.blobs.values()), key=lambda i: key_order(i.key))
            return b.ordered

    def _entry(self, bucket: str, key: str) -> tuple[StoredBlob, bytes]:
        try:
            return self._bucket(bucket).blobs[key]
        except KeyError:
            raise NotFound(f"no blob {key!r} in bucket {bucket!r}") from None

    def stat(self, bucket: str, key: str) -> StoredBlob:
        with self._lock:
            return self._entry(bucket, key)[0]

    def open(self, bucket: str, key: str) -> tuple[StoredBlob, Readable]:
        with self._lock:
            info, data = self._entry(bucket, key)
        return info, io.BytesIO(data)

    def _put(self, bucket: str, info: StoredBlob, data: bytes) -> StoredBlob:
        with self._lock:
            b = self._bucket(bucket)
            b.blobs[info.key] = (info, data)
            b.ordered = None
        return info

    def write(
        self, bucket: str, key: str, chunks: Iterable[bytes], options: WriteOptions, md5: str | None = None
    ) -> StoredBlob:
        self.bucket_created(bucket)  # fail early when the bucket is missing
        tally = Tally(md5)
        data = b"".join(tally.add(bytes(chunk)) for chunk in chunks)
        return self._put(bucket, tally.blob(key, options), data)

    def delete(self, bucket: str, key: str, if_match: str | None = None) -> None:
        with self._lock:
            info, _ = self._entry(bucket, key)
            if if_match is not None and info.etag != if_match:
                raise Conflict(f"blob {key!r} is at version {info.etag}, not {if_match}")
            b = self._bucket(bucket)
            del b.blobs[key]
            b.ordered = None

    def start_upload(self, bucket: str, key: str, options: WriteOptions) -> str:
        with self._lock:
            self._bucket(bucket)
            upload_id = secrets.token_hex(16)
            self._uploads[upload_id] = _Upload(bucket, key, options)
            return upload_id

    def _upload(self, bucket: str, key: str, upload_id: str) -> _Upload:
        upload = self._uploads.get(upload_id)
        if upload is None or (upload.bucket, upload.key) != (bucket, key):
            raise NotFound(f"no upload {upload_id!r} of {key!r} in bucket {bucket!r}")
        return upload

    def upload_options(self, bucket: str, key: str, upload_id: str) -> WriteOptions:
        with self._lock:
            return self._upload(bucket, key, upload_id).options

    def put_part(
        self, bucket: str, key: str, upload_id: str, number: int, data: bytes, md5: str
    ) -> StoredPart:
        part = StoredPart(number, len(data), md5)
        with self._lock:
            self._upload(bucket, key, upload_id).parts[number] = (part, bytes(data))
        return part

    def parts(self, bucket: str, key: str, upload_id: str) -> list[StoredPart]:
        with self._lock:
            return [p for _, (p, _) in sorted(self._upload(bucket, key, upload_id).parts.items())]

    def commit_upload(
        self, bucket: str, key: str, upload_id: str, parts: Sequence[StoredPart], options: WriteOptions
    ) -> StoredBlob:
        with self._lock:
            upload = self._upload(bucket, key, upload_id)
            data = b"".join(upload.parts[p.number][1] for p in parts)
            info = self._put(bucket, committed(key, parts, options), data)
            del self._uploads[upload_id]
            return info

    def uploads(self, bucket: str) -> list[tuple[str, str]]:
        with self._lock:
            self._bucket(bucket)
            return sorted((u.key, upload_id) for upload_id, u in self._uploads.items() if u.bucket == bucket)

    def drop_upload(self, bucket: str, key: str, upload_id: str) -> None:
        with self._lock:
            self._upload(bucket, key, upload_id)
            del self._uploads[upload_id]

    def reclaim(self, older_than: float) -> Reclaimed:
        """Nothing outlives a crash in memory."""
        return Reclaimed()


class MemoryStateStore:
    """The state in memory; a failed transaction leaves it untouched."""

    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self._state = State()

    @contextmanager
    def transaction(self, create: bool = False) -> Iterator[State]:
        with self._lock:
            working = copy.deepcopy(self._state)
            yield working
            self._state = working


class _Sparse:
    """Bytes of a fixed size of which only written pages are stored."""

    def __init__(self, size: int, pages: dict[int, bytearray] | None = None) -> None:
        self.size = size
        self.pages = pages or {}

    def read(self, offset: int, length: int) -> bytes:
        out = bytearray(length)
        end = offset + length
        for index in range(offset // PAGE, (end + PAGE - 1) // PAGE):
            page = self.pages.get(index)
            if page is None:
                continue
            lo, hi = max(offset, index * PAGE), min(end, (index + 1) * PAGE)
            out[lo - offset : hi - offset] = page[lo - index * PAGE : hi - index * PAGE]
        return bytes(out)

    def write(self, offset: int, data: bytes) -> None:
        end = offset + len(data)
        for index in range(offset // PAGE, (end + PAGE - 1) // PAGE):
            page = self.pages.setdefault(index, bytearray(PAGE))
            lo, hi = max(offset, index * PAGE), min(end, (index + 1) * PAGE)
            page[lo - index * PAGE : hi - index * PAGE] = data[lo - offset : hi - offset]

    def extents(self) -> list[tuple[int, int]]:
        ranges: list[tuple[int, int]] = []
        for index in sorted(self.pages):
            start, end = index * PAGE, min((index + 1) * PAGE, self.size)
            if ranges and ranges[-1][1] == start:
                ranges[-1] = (ranges[-1][0], end)
            elif start < end:
                ranges.append((start, end))
        return ranges

    def resized(self, size: int) -> _Sparse:
        """A copy cut or zero-extended to ``size`` bytes."""
        pages = {i: bytearray(p) for i, p in self.pages.items() if i * PAGE < size}
        tail = size % PAGE
        if tail and size // PAGE in pages:
            pages[size // PAGE][tail:] = bytes(PAGE - tail)
        return _Sparse(size, pages)


class MemoryDiskStore:
    """Volume and snapshot images as sparse pages in memory."""

    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self._images: dict[str, _Sparse] = {}

    def _image(self, name: str) -> _Sparse:
        try:
            return self._images[name]
        except KeyError:
            raise NotFound(f"no disk image {name!r}") from None

    def create(self, name: str, size: int, source: str | None = None) -> None:
        with self._lock:
            self._images[name] = self._image(source).resized(size) if source else _Sparse(size)

    def size(self, name: str) -> int:
        with self._lock:
            return self._image(name).size

    def read(self, name: str, offset: int, length: int) -> bytes:
        with self._lock:
            return self._image(name).read(offset, length)

    def write(self, name: str, offset: int, data: bytes) -> None:
        with self._lock:
            self._image(name).write(offset, data)

    def extents(self, name: str) -> list[tuple[int, int]]:
        """The pages ever written, coalesced."""
        with self._lock:
            return self._image(name).extents()

    def delete(self, name: str) -> None:
        with self._lock:
            self._images.pop(name, None)

    def reclaim(self, older_than: float) -> Reclaimed:
        """Nothing outlives a crash in memory."""
        return Reclaimed()
