"""The local :class:`~cloudneutral.driver.BlobDriver`, over a memory or directory store.

Listings are in UTF-8 byte order of the keys (S3's order); page tokens are opaque (``k``
or ``p`` followed by the last key or prefix returned), so keys added or removed between
pages never shift a page. ETags are opaque version tags (:func:`.store.new_etag`), never
the content's MD5. ``checksums`` hold the ``md5`` and ``sha256`` of blobs written in one
piece, and ``md5-parts`` (S3's composite rule) of blobs committed from parts.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as _dt
import threading
from collections.abc import Callable, Mapping, Sequence

import attrs

from ..driver import PartLimits, PartReceipt, WriteOptions
from ..errors import InvalidArgument, NotFound, ProviderError
from ..models import BlobInfo, BlobPrefix, Bucket, Page
from ..validation import check_bucket_name
from .lifecycle import REGION
from .store import CHUNK, BlobStore, Readable, StoredBlob, StoredPart, key_order

__all__ = ["LocalBlobDriver", "LocalUpload"]

LIMITS = PartLimits(min_part_size=1, max_part_size=5 * 1024**3, max_parts=10_000)
MAX_KEY_BYTES = 1024


def _check_key(key: str) -> str:
    """Any non-empty string of at most 1024 UTF-8 bytes is storable here (keys never become
    file names); the portable layer applies the stricter portable rules before us."""
    try:
        size = len(key.encode("utf-8"))
    except (AttributeError, UnicodeEncodeError) as exc:
        raise InvalidArgument(f"blob key {key!r} is not a valid UTF-8 string") from exc
    if not 1 <= size <= MAX_KEY_BYTES:
        raise InvalidArgument(f"blob key must be 1 to {MAX_KEY_BYTES} bytes of UTF-8, not {size}")
    return key


class _Chunks:
    """An iterator over ``length`` bytes of an open stream; closes it at the end or on ``close``."""

    def __init__(self, stream: Readable, length: int) -> None:
        self._stream = stream
        self._left = length

    def __iter__(self) -> _Chunks:
        return self

    def __next__(self) -> bytes:
        if self._left <= 0:
            self.close()
            raise StopIteration
        chunk = self._stream.read(min(CHUNK, self._left))
        if not chunk:
            self.close()
            raise ProviderError(f"blob data ended {self._left} bytes early")
        self._left -= len(chunk)
        return chunk

    def close(self) -> None:
        self._left = 0
        self._stream.close()


class LocalUpload:
    """An upload in parts kept by the store until :meth:`commit` moves them into place."""

    limits = LIMITS

    def __init__(self, driver: LocalBlobDriver, bucket: str, key: str, upload_id: str, options: WriteOptions):
        self.id = upload_id
        self._driver = driver
        self._store = driver._store
        self._where = (bucket, key, upload_id)
        self._options = options
        self._lock = threading.Lock()
        self._committed: BlobInfo | None = None

    def put_part(self, number: int, data: bytes, md5: str) -> PartReceipt:
        if not 1 <= number <= LIMITS.max_parts:
            raise InvalidArgument(f"part number {number} is outside 1..{LIMITS.max_parts}")
        stored = self._store.put_part(*self._where, number, bytes(data), md5)
        return PartReceipt(number=number, size=stored.size, md5=stored.md5)

    def parts(self) -> Sequence[PartReceipt]:
        return [PartReceipt(p.number, p.size, p.md5) for p in self._store.parts(*self._where)]

    def commit(self, metadata: Mapping[str, str]) -> BlobInfo:
        with self._lock:
            if self._committed is not None:  # a retried commit that had taken effect
                return self._committed
            stored: list[StoredPart] = self._store.parts(*self._where)
            numbers = [p.number for p in stored]
            if not stored or numbers != list(range(1, len(stored) + 1)):
                raise InvalidArgument(f"an upload commits parts 1..n without gaps, not {numbers}")
            options = attrs.evolve(self._options, metadata=dict(metadata))
            bucket, key, upload_id = self._where
            self._committed = self._driver.info(
                bucket, self._store.commit_upload(bucket, key, upload_id, stored, options)
            )
            return self._committed

    def abort(self) -> None:
        with contextlib.suppress(NotFound):  # aborted already, or committed
            self._store.drop_upload(*self._where)


class LocalBlobDriver:
    """Buckets and blobs kept by a :class:`~cloudneutral.local.store.BlobStore`."""

    def __init__(self, store: BlobStore, provider: str = "local") -> None:
        self._store = store
        self._provider = provider

    def natives(self) -> Sequence[object]:
        return (self._store,)

    def _bucket(self, name: str, created: _dt.datetime) -> Bucket:
        native = {"name": name, "created": created.isoformat()}
        return Bucket(name=name, created=created, region=REGION, provider=self._provider, native=native)

    def info(self, bucket: str, stored: StoredBlob) -> BlobInfo:
        """The portable attributes of a stored blob."""
        checksums = {"md5": stored.md5, "sha256": stored.sha256, "md5-parts": stored.md5_parts}
        return BlobInfo(
            bucket=bucket,
            key=stored.key,
            size=stored.size,
            etag=stored.etag,
            content_type=stored.content_type,
            metadata=stored.metadata,
            modified=stored.modified,
            checksums={k: v for k, v in checksums.items() if v},
            provider=self._provider,
            native=stored,
        )

    # -- buckets ---------------------------------------------------------------------------
    def list_buckets(self, page_size: int, token: str | None) -> Page[Bucket]:
        buckets = sorted(self._store.buckets())
        start = bisect.bisect_right([name for name, _ in buckets], token) if token else 0
        chosen = buckets[start : start + page_size]
        more = start + page_size < len(buckets)
        return Page(tuple(self._bucket(n, c) for n, c in chosen), chosen[-1][0] if more else None)

    def create_bucket(self, name: str) -> Bucket:
        return self._bucket(name, self._store.create_bucket(check_bucket_name(name)))

    def head_bucket(self, name: str) -> Bucket:
        return self._bucket(name, self._store.bucket_created(check_bucket_name(name)))

    def delete_bucket(self, name: str) -> None:
        self._store.delete_bucket(check_bucket_name(name))

    # -- listing ---------------------------------------------------------------------------
    def list_blobs(
        self, bucket: str, prefix: str, delimiter: str | None, page_size: int, token: str | None
    ) -> Page[BlobInfo | BlobPrefix]:
        blobs = self._store.blobs(check_bucket_name(bucket))
        return _page(bucket, blobs, prefix, delimiter, page_size, token, self.info)

    # -- reading ---------------------------------------------------------------------------
    def head_blob(self, bucket: str, key: str) -> BlobInfo:
        return self.info(bucket, self._store.stat(check_bucket_name(bucket), _check_key(key)))

    def part_sizes(self, bucket: str, key: str, info: BlobInfo) -> Sequence[int] | None:
        stored = info.native if isinstance(info.native, StoredBlob) else None
        return [p.size for p in stored.parts] if stored is not None and stored.parts else None

    def read_blob(self, bucket: str, key: str, offset: int, length: int | None) -> tuple[BlobInfo, _Chunks]:
        stored, stream = self._store.open(check_bucket_name(bucket), _check_key(key))
        try:
            end = stored.size
            if not (offset == 0 and length is None):
                if offset < 0 or (length is not None and length < 0):
                    raise InvalidArgument(f"invalid range: offset {offset}, length {length}")
                if offset >= stored.size:
                    raise InvalidArgument(f"range start {offset} is at or past the end ({stored.size} bytes)")
                if length is not None:
                    end = min(end, offset + length)
            start = min(offset, end)
            stream.seek(start)
        except BaseException:
            stream.close()
            raise
        return self.info(bucket, stored), _Chunks(stream, end - start)

    # -- writing ---------------------------------------------------------------------------
    def put_blob(self, bucket: str, key: str, data: bytes, options: WriteOptions, md5: str) -> BlobInfo:
        stored = self._store.write(check_bucket_name(bucket), _check_key(key), [bytes(data)], options, md5)
        return self.info(bucket, stored)

    def open_upload(self, bucket: str, key: str, options: WriteOptions) -> LocalUpload:
        upload_id = self._store.start_upload(check_bucket_name(bucket), _check_key(key), options)
        return LocalUpload(self, bucket, key, upload_id, options)

    def resume_upload(self, bucket: str, key: str, upload_id: str, options: WriteOptions) -> LocalUpload:
        stored = self._store.upload_options(check_bucket_name(bucket), _check_key(key), upload_id)
        return LocalUpload(self, bucket, key, upload_id, stored)

    def list_uploads(
        self, bucket: str, prefix: str, page_size: int, token: str | None
    ) -> Page[tuple[str, str]]:
        found = [u for u in self._store.uploads(check_bucket_name(bucket)) if u[0].startswith(prefix)]
        start = bisect.bisect_right(found, tuple(token.split("\n", 1))) if token else 0
        chosen = found[start : start + page_size]
        more = start + page_size < len(found)
        return Page(tuple(chosen), "\n".join(chosen[-1]) if more and chosen else None)

    def copy_blob(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str) -> BlobInfo:
        stored, stream = self._store.open(check_bucket_name(src_bucket), _check_key(src_key))
        options = WriteOptions(content_type=stored.content_type, metadata=stored.metadata)
        chunks = _Chunks(stream, stored.size)
        try:
            copied = self._store.write(check_bucket_name(dst_bucket), _check_key(dst_key), chunks, options)
        finally:
            chunks.close()
        return self.info(dst_bucket, copied)

    def delete_blob(self, bucket: str, key: str, if_match: str | None) -> None:
        self._store.delete(check_bucket_name(bucket), _check_key(key), if_match)


def _page(
    bucket: str,
    blobs: Sequence[StoredBlob],
    prefix: str,
    delimiter: str | None,
    page_size: int,
    token: str | None,
    make: Callable[[str, StoredBlob], BlobInfo],
) -> Page[BlobInfo | BlobPrefix]:
    """One page of a listing of ``blobs`` (sorted by :func:`key_order`)."""
    skip: str | None = None  # keys under the prefix last rolled up are already listed
    start = bisect.bisect_left(blobs, key_order(prefix), key=lambda b: key_order(b.key))
    if token is not None:
        if token[:1] not in ("k", "p"):
            raise InvalidArgument(f"invalid page token {token!r}")
        after = bisect.bisect_right(blobs, key_order(token[1:]), key=lambda b: key_order(b.key))
        start = max(start, after)
        skip = token[1:] if token[0] == "p" else None
    items: list[BlobInfo | BlobPrefix] = []
    last = ""
    for stored in blobs[start:]:
        if not stored.key.startswith(prefix):
            break  # keys sharing the prefix are contiguous in byte order
        if skip is not None and stored.key.startswith(skip):
            continue
        item: BlobInfo | BlobPrefix
        cut = stored.key.find(delimiter, len(prefix)) if delimiter else -1
        if delimiter and cut >= 0:
            skip = stored.key[: cut + len(delimiter)]
            item, mark = BlobPrefix(bucket, skip), "p" + skip
        else:
            item, mark = make(bucket, stored), "k" + stored.key
        if len(items) == page_size:
            return Page(tuple(items), last)
        items.append(item)
        last = mark
    return Page(tuple(items), None)
