"""The storage interface the local drivers share, kept in memory or in a directory.

Three small stores make a :class:`Backend`:

* :class:`BlobStore` keeps buckets, blobs and the parts of unfinished uploads. A blob's
  bytes and its :class:`StoredBlob` attributes become visible together or not at all, and
  a failed write leaves the previous blob in place. A blob written in parts keeps its
  parts as they were written (committing moves them, never copies them).
* :class:`StateStore` keeps the :class:`~.records.State` of servers, volumes and
  snapshots, changed only inside :meth:`StateStore.transaction`, which is serialised
  across threads and, for a directory, across processes.
* :class:`DiskStore` keeps the sparse bytes behind volumes and snapshots.

Stores raise :mod:`cloudneutral.errors` themselves for every failure a caller can cause;
anything else (an ``OSError`` of the disk) is left to ``translate_error``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

import attrs

from .._reading import composite_md5
from ..driver import WriteOptions
from .records import State

__all__ = [
    "CHUNK",
    "Backend",
    "BlobStore",
    "DiskStore",
    "Reclaimed",
    "StateStore",
    "StoredBlob",
    "StoredPart",
    "Tally",
    "committed",
    "key_order",
    "new_etag",
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


def new_etag(content: str, modified: _dt.datetime) -> str:
    """The ETag of a blob version: opaque, quoted, different for every write (even of the
    same bytes), and never the content's MD5, so code that takes one for the other fails
    here as it would on S3 multipart or Azure. The one ETag rule of the local provider."""
    return '"' + hashlib.sha256(f"{content}|{modified.isoformat()}".encode()).hexdigest()[:32] + '"'


@attrs.frozen
class StoredPart:
    """One part of a blob written in parts: its number, size and MD5 (hex)."""

    number: int
    size: int
    md5: str


@attrs.frozen
class StoredBlob:
    """What a store knows of one blob. ``md5``/``sha256`` are of the whole content (known
    for blobs written in one piece); ``parts`` describe a blob committed from parts, whose
    bytes a directory store keeps in the folder ``location``."""

    key: str
    size: int
    etag: str
    content_type: str
    metadata: Mapping[str, str]
    modified: _dt.datetime
    md5: str | None = None
    sha256: str | None = None
    parts: tuple[StoredPart, ...] = ()
    location: str = ""

    @property
    def md5_parts(self) -> str | None:
        """``HEX-N``: the MD5 of the parts' binary MD5s (S3's multipart rule), if in parts."""
        return composite_md5([bytes.fromhex(p.md5) for p in self.parts]) if self.parts else None

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "size": self.size,
            "etag": self.etag,
            "content_type": self.content_type,
            "metadata": dict(self.metadata),
            "modified": self.modified.isoformat(),
            "md5": self.md5,
            "sha256": self.sha256,
            "parts": [{"number": p.number, "size": p.size, "md5": p.md5} for p in self.parts],
            "location": self.location,
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> StoredBlob:
        """Raises ``KeyError``/``TypeError``/``ValueError`` for another layout."""
        return cls(
            key=str(doc["key"]),
            size=int(doc["size"]),
            etag=str(doc["etag"]),
            content_type=str(doc["content_type"]),
            metadata={str(k): str(v) for k, v in doc["metadata"].items()},
            modified=_dt.datetime.fromisoformat(doc["modified"]),
            md5=doc.get("md5"),
            sha256=doc.get("sha256"),
            parts=tuple(
                StoredPart(int(p["number"]), int(p["size"]), str(p["md5"])) for p in doc.get("parts", ())
            ),
            location=str(doc.get("location", "")),
        )


class Tally:
    """Size and digests of data as it streams past, turned into a :class:`StoredBlob`;
    a ``md5`` already known (computed by the portable layer) is taken, not computed."""

    def __init__(self, md5: str | None = None) -> None:
        self.size = 0
        self._known_md5 = md5
        self._md5 = hashlib.md5() if md5 is None else None
        self._sha256 = hashlib.sha256()

    def add(self, chunk: bytes) -> bytes:
        self.size += len(chunk)
        if self._md5 is not None:
            self._md5.update(chunk)
        self._sha256.update(chunk)
        return chunk

    def blob(self, key: str, options: WriteOptions) -> StoredBlob:
        """The attributes of the tallied data stored at ``key`` now."""
        modified = utcnow()
        sha256 = self._sha256.hexdigest()
        return StoredBlob(
            key=key,
            size=self.size,
            etag=new_etag(sha256, modified),
            content_type=options.content_type,
            metadata=dict(options.metadata),
            modified=modified,
            md5=self._known_md5 or self._md5.hexdigest(),  # type: ignore[union-attr]
            sha256=sha256,
        )


def committed(key: str, parts: Sequence[StoredPart], options: WriteOptions, location: str = "") -> StoredBlob:
    """The attributes of a blob made of ``parts`` (in order), committed now."""
    modified = utcnow()
    return StoredBlob(
        key=key,
        size=sum(p.size for p in parts),
        etag=new_etag(composite_md5([bytes.fromhex(p.md5) for p in parts]), modified),
        content_type=options.content_type,
        metadata=dict(options.metadata),
        modified=modified,
        parts=tuple(parts),
        location=location,
    )


class Readable(Protocol):
    """A seekable byte source of one blob version."""

    def seek(self, offset: int) -> int: ...

    def read(self, size: int) -> bytes: ...

    def close(self) -> None: ...


@attrs.frozen
class Reclaimed:
    """What :meth:`BlobStore.reclaim` removed: leftovers of crashed writers."""

    files: int = 0
    uploads: int = 0
    bytes: int = 0


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

    def open(self, bucket: str, key: str) -> tuple[StoredBlob, Readable]:
        """The attributes and a seekable stream of one blob, both of the same version. A
        read that finds the version replaced meanwhile raises ``TransientError``."""

    def write(
        self, bucket: str, key: str, chunks: Iterable[bytes], options: WriteOptions, md5: str | None = None
    ) -> StoredBlob:
        """Store the concatenated ``chunks`` at ``key`` atomically, replacing any blob there.
        If ``chunks`` raises (or the write fails), nothing changes and the error escapes.
        ``md5``: their MD5 as the portable layer computed it (recorded, not computed again)."""

    def delete(self, bucket: str, key: str, if_match: str | None = None) -> None:
        """Delete one blob (only the version with ETag ``if_match``: else ``Conflict``)."""

    def start_upload(self, bucket: str, key: str, options: WriteOptions) -> str:
        """Begin an upload of ``key`` in parts; return its id."""

    def upload_options(self, bucket: str, key: str, upload_id: str) -> WriteOptions:
        """The options an upload was started with. Unknown upload (or another key) -> ``NotFound``."""

    def put_part(
        self, bucket: str, key: str, upload_id: str, number: int, data: bytes, md5: str
    ) -> StoredPart:
        """Store part ``number``, replacing an earlier part of that number. ``md5`` is the
        MD5 of ``data`` as the portable layer computed it from these very bytes; in-process
        nothing can alter them on the way, so it is recorded, not computed again."""

    def parts(self, bucket: str, key: str, upload_id: str) -> list[StoredPart]:
        """The parts stored so far, by number."""

    def commit_upload(
        self, bucket: str, key: str, upload_id: str, parts: Sequence[StoredPart], options: WriteOptions
    ) -> StoredBlob:
        """Make ``parts`` (stored, in order) the blob at ``key`` atomically; the upload ends."""

    def drop_upload(self, bucket: str, key: str, upload_id: str) -> None:
        """Discard an upload and its parts."""

    def uploads(self, bucket: str) -> list[tuple[str, str]]:
        """The unfinished uploads of ``bucket``: ``(key, upload id)``, sorted."""

    def reclaim(self, older_than: float) -> Reclaimed:
        """Remove what crashed writers left (temporary files, unfinished uploads) that is
        older than ``older_than`` seconds."""


class StateStore(Protocol):
    """The :class:`~.records.State` of compute and volumes."""

    def transaction(self, create: bool = False) -> AbstractContextManager[State]:
        """Lock, load and yield the state; save it if the block ends without error.

        Nothing another thread or process does can interleave with the block. A store
        that does not exist yet is created when ``create`` (a write that adds records),
        else ``NotFound``.
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

    def extents(self, name: str) -> list[tuple[int, int]]:
        """The ``[start, end)`` ranges of the image that may hold data, in order and apart;
        every byte outside them reads as zero (one range of the whole image when the store
        cannot tell holes)."""

    def delete(self, name: str) -> None:
        """Delete an image; a missing one is not an error."""

    def reclaim(self, older_than: float) -> Reclaimed:
        """Remove temporary image files older than ``older_than`` seconds."""


@attrs.frozen
class Backend:
    """The three stores of one local provider; ``root`` is ``None`` in memory."""

    blobs: BlobStore
    state: StateStore
    disks: DiskStore
    root: Path | None = None
