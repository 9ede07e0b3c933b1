"""The local :class:`~cloudneutral.driver.BlobDriver`, over a memory or directory store.

Listings are in UTF-8 byte order of the keys (S3's order); page tokens are opaque (``k``
or ``p`` followed by the last key or prefix returned). ETags are quoted hex digests: the
MD5 of the content for a single put or a copy, and S3's ``"MD5-OF-PART-MD5S-N"`` for a
multipart upload, so code that wrongly takes an ETag for an MD5 fails here too.
``checksums`` always hold the ``md5`` and ``sha256`` of the whole content.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import BinaryIO

from ..driver import UploadedPart, WriteOptions
from ..errors import InvalidArgument, ProviderError
from ..models import BlobInfo, BlobPrefix, Bucket, Page
from ..validation import check_bucket_name
from .lifecycle import REGION
from .store import CHUNK, BlobStore, StoredBlob, key_order, quoted_md5

__all__ = ["LocalBlobDriver"]

MAX_PARTS = 10_000
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

    def __init__(self, stream: BinaryIO, length: int) -> None:
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


class LocalBlobDriver:
    """Buckets and blobs kept by a :class:`~cloudneutral.local.store.BlobStore`."""

    min_part_size = 1
    max_parts = MAX_PARTS

    def __init__(self, store: BlobStore, provider: str = "local") -> None:
        self._store = store
        self._provider = provider

    def _bucket(self, name: str, created: _dt.datetime) -> Bucket:
        return Bucket(name=name, created=created, region=REGION, provider=self._provider)

    def _info(self, bucket: str, stored: StoredBlob) -> BlobInfo:
        return BlobInfo(
            bucket=bucket,
            key=stored.key,
            size=stored.size,
            etag=stored.etag,
            content_type=stored.content_type,
            metadata=stored.metadata,
            modified=stored.modified,
            checksums={"md5": stored.md5, "sha256": stored.sha256},
            provider=self._provider,
            native=stored,
        )

    # -- buckets ---------------------------------------------------------------------------
    def list_buckets(self) -> Iterable[Bucket]:
        return [self._bucket(name, created) for name, created in self._store.buckets()]

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
        return _page(bucket, blobs, prefix, delimiter, page_size, token, self._info)

    # -- reading ---------------------------------------------------------------------------
    def head_blob(self, bucket: str, key: str) -> BlobInfo:
        return self._info(bucket, self._store.stat(check_bucket_name(bucket), _check_key(key)))

    def read_blob(
        self, bucket: str, key: str, offset: int, length: int | None
    ) -> tuple[BlobInfo, Iterator[bytes]]:
        stored, stream = self._store.open(check_bucket_name(bucket), _check_key(key))
        try:
            end = stored.size
            if not (offset == 0 and length is None):
                if offset < 0 or (length is not None and length < 0):
                    raise InvalidArgument(f"invalid range: offset {offset}, length {length}")
                if stored.size and offset >= stored.size:
                    raise InvalidArgument(f"range start {offset} is at or past the end ({stored.size} bytes)")
                if length is not None:
                    end = min(end, offset + length)
            start = min(offset, end)
            stream.seek(start)
        except BaseException:
            stream.close()
            raise
        return self._info(bucket, stored), _Chunks(stream, end - start)

    # -- writing ---------------------------------------------------------------------------
    def put_blob(self, bucket: str, key: str, data: bytes, options: WriteOptions) -> BlobInfo:
        stored = self._store.write(check_bucket_name(bucket), _check_key(key), [bytes(data)], options)
        return self._info(bucket, stored)

    def start_upload(self, bucket: str, key: str, options: WriteOptions) -> str:
        return self._store.start_upload(check_bucket_name(bucket), _check_key(key), options)

    def upload_part(self, bucket: str, key: str, upload_id: str, number: int, data: bytes) -> UploadedPart:
        if not 1 <= number <= MAX_PARTS:
            raise InvalidArgument(f"part number {number} is outside 1..{MAX_PARTS}")
        self._store.put_part(check_bucket_name(bucket), _check_key(key), upload_id, number, bytes(data))
        return UploadedPart(number=number, etag=quoted_md5(data), size=len(data))

    def complete_upload(
        self, bucket: str, key: str, upload_id: str, parts: Sequence[UploadedPart]
    ) -> BlobInfo:
        check_bucket_name(bucket)
        options = self._store.upload_options(bucket, _check_key(key), upload_id)
        numbers = [p.number for p in parts]
        if not parts or numbers != sorted(set(numbers)):
            raise InvalidArgument("a multipart upload completes with parts in ascending order, each once")
        missing = set(numbers) - self._store.part_numbers(bucket, key, upload_id)
        if missing:
            raise InvalidArgument(f"parts {sorted(missing)} of upload {upload_id} were never uploaded")
        try:
            digests = [bytes.fromhex(p.etag.strip('"')) for p in parts]
        except ValueError:
            raise InvalidArgument("a part's etag is not the one upload_part returned") from None
        etag = f'"{hashlib.md5(b"".join(digests)).hexdigest()}-{len(parts)}"'
        stored = self._store.write(bucket, key, self._staged(bucket, key, upload_id, parts), options, etag)
        self._store.drop_upload(bucket, key, upload_id)
        return self._info(bucket, stored)

    def _staged(
        self, bucket: str, key: str, upload_id: str, parts: Sequence[UploadedPart]
    ) -> Iterator[bytes]:
        """The parts' bytes in order; raises (so the write is abandoned) when a part is not
        the one its etag and size describe."""
        for part in parts:
            md5, size = hashlib.md5(), 0
            for chunk in self._store.part_chunks(bucket, key, upload_id, part.number):
                md5.update(chunk)
                size += len(chunk)
                yield chunk
            if md5.hexdigest() != part.etag.strip('"') or size != part.size:
                raise InvalidArgument(f"part {part.number} does not match its etag and size")

    def abort_upload(self, bucket: str, key: str, upload_id: str) -> None:
        self._store.drop_upload(check_bucket_name(bucket), _check_key(key), upload_id)

    def copy_blob(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str) -> BlobInfo:
        stored, stream = self._store.open(check_bucket_name(src_bucket), _check_key(src_key))
        options = WriteOptions(content_type=stored.content_type, metadata=stored.metadata)
        chunks = _Chunks(stream, stored.size)
        try:
            copied = self._store.write(check_bucket_name(dst_bucket), _check_key(dst_key), chunks, options)
        finally:
            chunks.close()
        return self._info(dst_bucket, copied)

    def delete_blob(self, bucket: str, key: str) -> None:
        self._store.delete(check_bucket_name(bucket), _check_key(key))


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
