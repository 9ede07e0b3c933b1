"""The storage interface the local drivers share, kept in memory or in a directory.

Three small stores make a :class:`Backend`:

* :class:`BlobStore` keeps buckets, blobs and the staged parts of multipart uploads. A
  blob's bytes and its :class:`StoredBlob` attributes become visible together or not at
  all, and a failed write leaves the previous blob in place.
* :class:`StateStore` keeps one JSON document of servers, volumes and snapshots, changed
  only inside :meth:`StateStore.transaction`, which is serialised across threads and, for a
  directory, across processes.
* :class:`DiskStore` keeps the sparse bytes behind volumes and snapshots.

Stores raise :mod:`cloudneutral.errors` themselves for every failure a caller can cause;
anything else (an ``OSError`` of the disk) is left to ``translate_error``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import attrs

from ..driver import WriteOptions

__all__ = [
    "CHUNK",
    "Backend",
    "BlobStore",
    "DiskStore",
    "StateStore",
    "StoredBlob",
    "Tally",
    "key_order",
    "new_state",
    "quoted_md5",
    "utcnow",
]

#: Bytes per chunk when data is streamed out of a store.
CHUNK = 1024 * 1024


def utcnow() -> _dt.datetime:
    """The current time, timezone-aware UTC."""
    return _dt.datetime.now(_dt.timezone.utc)


def key_order(key: str) -> bytes:
    """The sort key of blob keys: their UTF-8 bytes, the order S3 lists in."""
    return key.encode("utf-8")


def quoted_md5(data: bytes) -> str:
    """The ETag of a single-part blob or of one part: its MD5 hex digest in double quotes."""
    return f'"{hashlib.md5(data).hexdigest()}"'


@attrs.frozen
class StoredBlob:
    """What a store knows of one blob. ``etag`` is quoted; digests are lower-case hex."""

    key: str
    size: int
    etag: str
    md5: str
    sha256: str
    content_type: str
    metadata: Mapping[str, str]
    modified: _dt.datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "size": self.size,
            "etag": self.etag,
            "md5": self.md5,
            "sha256": self.sha256,
            "content_type": self.content_type,
            "metadata": dict(self.metadata),
            "modified": self.modified.isoformat(),
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> StoredBlob:
        return cls(
            key=str(doc["key"]),
            size=int(doc["size"]),
            etag=str(doc["etag"]),
            md5=str(doc["md5"]),
            sha256=str(doc["sha256"]),
            content_type=str(doc["content_type"]),
            metadata={str(k): str(v) for k, v in doc["metadata"].items()},
            modified=_dt.datetime.fromisoformat(doc["modified"]),
        )


class Tally:
    """Size and digests of data as it streams past, turned into a :class:`StoredBlob`."""

    def __init__(self) -> None:
        self.size = 0
        self._md5 = hashlib.md5()
        self._sha256 = hashlib.sha256()

    def add(self, chunk: bytes) -> bytes:
        self.size += len(chunk)
        self._md5.update(chunk)
        self._sha256.update(chunk)
        return chunk

    def blob(self, key: str, options: WriteOptions, etag: str | None) -> StoredBlob:
        """The attributes of the tallied data stored at ``key``; ``etag`` defaults to the
        quoted MD5 (a multipart upload passes its own, S3 style)."""
        md5 = self._md5.hexdigest()
        return StoredBlob(
            key=key,
            size=self.size,
            etag=etag or f'"{md5}"',
            md5=md5,
            sha256=self._sha256.hexdigest(),
            content_type=options.content_type,
            metadata=dict(options.metadata),
            modified=utcnow(),
        )


class BlobStore(Protocol):
    """Buckets and blobs. Missing bucket or blob -> ``NotFound`` from every method."""

    def buckets(self) -> list[tuple[str, _dt.datetime]]:
        """Every bucket's name and creation time."""

    def create_bucket(self, name: str) -> _dt.datetime:
        """Create an empty bucket; return its creation time. Taken -> ``AlreadyExists``."""

    def bucket_created(self, name: str) -> _dt.datetime:
        """The creation time of bucket ``name``."""

    def delete_bucket(self, name: str) -> None:
        """Delete a bucket and its unfinished uploads. Holds blobs -> ``Conflict``."""

    def blobs(self, bucket: str) -> Sequence[StoredBlob]:
        """Every blob of ``bucket``, sorted by :func:`key_order`."""

    def stat(self, bucket: str, key: str) -> StoredBlob:
        """The attributes of one blob."""

    def open(self, bucket: str, key: str) -> tuple[StoredBlob, BinaryIO]:
        """The attributes and a seekable stream of one blob, both of the same version.
        The stream may continue past ``size``; readers stop there. The caller closes it."""

    def write(
        self,
        bucket: str,
        key: str,
        chunks: Iterable[bytes],
        options: WriteOptions,
        etag: str | None = None,
    ) -> StoredBlob:
        """Store the concatenated ``chunks`` at ``key`` atomically, replacing any blob there.

        If ``chunks`` raises (or the write fails), nothing changes and the error escapes.
        """

    def delete(self, bucket: str, key: str) -> None:
        """Delete one blob."""

    def start_upload(self, bucket: str, key: str, options: WriteOptions) -> str:
        """Begin staging a multipart upload of ``key``; return its id."""

    def upload_options(self, bucket: str, key: str, upload_id: str) -> WriteOptions:
        """The options an upload was started with. Unknown upload (or another key) -> ``NotFound``."""

    def put_part(self, bucket: str, key: str, upload_id: str, number: int, data: bytes) -> None:
        """Stage part ``number``, replacing an earlier part of that number."""

    def part_numbers(self, bucket: str, key: str, upload_id: str) -> frozenset[int]:
        """The numbers of the parts staged so far."""

    def part_chunks(self, bucket: str, key: str, upload_id: str, number: int) -> Iterator[bytes]:
        """The bytes of one staged part, in chunks."""

    def drop_upload(self, bucket: str, key: str, upload_id: str) -> None:
        """Discard an upload and its staged parts."""


class StateStore(Protocol):
    """One JSON document of compute and volume state."""

    def transaction(self) -> AbstractContextManager[dict[str, Any]]:
        """Lock, load and yield the document; save it if the block ends without error.

        Nothing another thread or process does can interleave with the block.
        """


class DiskStore(Protocol):
    """Sparse byte images named like ``vol-…`` or ``snap-…``. Missing -> ``NotFound``."""

    def create(self, name: str, size: int, source: str | None = None) -> None:
        """Create image ``name`` of ``size`` bytes: zeros, or a copy of image ``source``
        (cut or zero-extended to ``size``). Only written ranges take space."""

    def size(self, name: str) -> int:
        """The size of an image in bytes."""

    def read(self, name: str, offset: int, length: int) -> bytes:
        """``length`` bytes from ``offset``; the caller keeps the range inside the image."""

    def write(self, name: str, offset: int, data: bytes) -> None:
        """Write ``data`` at ``offset``; the caller keeps the range inside the image."""

    def delete(self, name: str) -> None:
        """Delete an image; a missing one is not an error."""


@attrs.frozen
class Backend:
    """The three stores of one local provider; ``root`` is ``None`` in memory."""

    blobs: BlobStore
    state: StateStore
    disks: DiskStore
    root: Path | None = None


def new_state() -> dict[str, Any]:
    """An empty state document."""
    return {"seq": 0, "servers": {}, "volumes": {}, "snapshots": {}}
