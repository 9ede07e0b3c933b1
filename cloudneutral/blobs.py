"""Buckets and blobs: the portable service over a :class:`~cloudneutral.driver.BlobDriver`.

Here, once for every provider: name and argument validation, lazy pagination, retries,
streaming in bounded memory (multipart above ``part_size``, aborted on failure), MD5
verification of what was written and read, and the key prefix of a bucket handle.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Iterable, Iterator
from typing import BinaryIO, TypeAlias

import attrs

from ._runtime import Runtime
from .driver import BlobDriver, UploadedPart, WriteOptions
from .errors import CloudError, IntegrityError, InvalidArgument, NotFound
from .models import BlobInfo, BlobPrefix, Bucket, Page
from .validation import (
    check_bucket_name,
    check_key,
    check_metadata,
    check_positive,
    check_prefix,
    check_range,
)

__all__ = ["DEFAULT_CONTENT_TYPE", "BlobReader", "BlobService", "BucketHandle", "Source"]

DEFAULT_CONTENT_TYPE = "application/octet-stream"
DEFAULT_PART_SIZE = 8 * 1024 * 1024
DEFAULT_PAGE_SIZE = 1000
_READ_CHUNK = 1024 * 1024

#: What ``put`` accepts: bytes, a binary file object, or an iterable of byte chunks.
Source: TypeAlias = bytes | bytearray | memoryview | BinaryIO | Iterable[bytes]


class BlobService:
    """Buckets of one provider. Obtain it as ``cloud.blobs``."""

    def __init__(self, driver: BlobDriver, runtime: Runtime, *, part_size: int = DEFAULT_PART_SIZE):
        self._driver = driver
        self._runtime = runtime
        self.part_size = check_positive("part_size", part_size)

    @property
    def provider(self) -> str:
        return self._runtime.provider

    def bucket(self, name: str, prefix: str = "") -> BucketHandle:
        """A handle on bucket ``name`` (no request is made). Keys given to the handle are
        relative to ``prefix``. Raises ``InvalidArgument`` for a non-portable name."""
        return BucketHandle(self, check_bucket_name(name), check_prefix(prefix))

    def create_bucket(self, name: str) -> Bucket:
        """Create a bucket. Raises ``AlreadyExists`` when the name is taken."""
        return self._runtime.call(self._driver.create_bucket, check_bucket_name(name), idempotent=False)

    def get_bucket(self, name: str) -> Bucket:
        """Raises ``NotFound`` when the bucket does not exist."""
        return self._runtime.call(self._driver.head_bucket, check_bucket_name(name))

    def bucket_exists(self, name: str) -> bool:
        try:
            self.get_bucket(name)
        except NotFound:
            return False
        return True

    def list_buckets(self) -> list[Bucket]:
        """Every bucket, sorted by name."""
        buckets = self._runtime.call(lambda: list(self._driver.list_buckets()))
        return sorted(buckets, key=lambda b: b.name)

    def delete_bucket(self, name: str, *, force: bool = False) -> None:
        """Delete a bucket. Raises ``NotFound``; ``Conflict`` when it holds blobs, unless
        ``force`` is true, in which case every blob is deleted first."""
        handle = self.bucket(name)
        if force:
            for item in handle.list():
                if isinstance(item, BlobInfo):
                    handle.delete(item.key, missing_ok=True)
        self._runtime.call(self._driver.delete_bucket, name)


class _Digest:
    """The MD5 and the byte count of what a put has sent so far."""

    def __init__(self) -> None:
        self.md5 = hashlib.md5()
        self.size = 0

    def update(self, data: bytes | memoryview) -> None:
        self.md5.update(data)
        self.size += len(data)


class BucketHandle:
    """Blobs of one bucket, under an optional key prefix. Obtain it with ``cloud.blobs.bucket()``.

    Every key argument and every ``BlobInfo.key`` returned is relative to ``prefix``.
    """

    def __init__(self, service: BlobService, name: str, prefix: str = "") -> None:
        self._service = service
        self._driver = service._driver
        self._runtime = service._runtime
        self.name = name
        self.prefix = prefix

    def __repr__(self) -> str:
        return f"BucketHandle({self._runtime.provider}://{self.name}/{self.prefix})"

    # -- keys ---------------------------------------------------------------------------
    def _full(self, key: str) -> str:
        if not isinstance(key, str) or not key:
            raise InvalidArgument("blob key must be a non-empty string")
        return check_key(self.prefix + key)

    def _relative(self, info: BlobInfo) -> BlobInfo:
        if not self.prefix:
            return info
        return attrs.evolve(info, key=info.key[len(self.prefix) :])

    # -- reading ------------------------------------------------------------------------
    def head(self, key: str) -> BlobInfo:
        """Attributes of a blob. Raises ``NotFound``."""
        return self._relative(self._runtime.call(self._driver.head_blob, self.name, self._full(key)))

    def exists(self, key: str) -> bool:
        try:
            self.head(key)
        except NotFound:
            return False
        return True

    def open(self, key: str, start: int = 0, end: int | None = None) -> BlobReader:
        """A stream of bytes ``[start, end)`` of a blob (to its end when ``end`` is ``None``).

        Raises ``NotFound``; ``InvalidArgument`` for a bad range or a ``start`` at or past
        the end of a non-empty blob. A whole-blob read is verified against the MD5 the
        provider reports, if any: a mismatch raises ``IntegrityError`` at end of stream.
        """
        full = self._full(key)
        check_range(start, end)
        length = None if end is None else end - start
        if length == 0:
            info = self.head(key)
            return BlobReader(self._runtime, info, iter(()), expected_md5=None)
        info, chunks = self._runtime.call(self._driver.read_blob, self.name, full, start, length)
        whole = start == 0 and end is None
        expected = info.checksums.get("md5") if whole else None
        return BlobReader(self._runtime, self._relative(info), chunks, expected_md5=expected)

    def get(self, key: str) -> bytes:
        """The whole content of a blob. Raises ``NotFound``, ``IntegrityError``."""
        with self.open(key) as reader:
            return reader.read()

    def get_range(self, key: str, start: int, end: int | None = None) -> bytes:
        """Bytes ``[start, end)`` of a blob; a range past the end is cut at the end."""
        with self.open(key, start, end) as reader:
            return reader.read()

    def download(self, key: str, target: BinaryIO) -> BlobInfo:
        """Stream a blob into a writable binary file; return its attributes."""
        with self.open(key) as reader:
            for chunk in reader.chunks():
                target.write(chunk)
            return reader.info

    # -- listing ------------------------------------------------------------------------
    def pages(
        self, prefix: str = "", delimiter: str | None = None, page_size: int = DEFAULT_PAGE_SIZE
    ) -> Iterator[Page[BlobInfo | BlobPrefix]]:
        """Lazily fetched pages of a listing, keys in lexicographic order."""
        check_positive("page_size", page_size)
        if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
            raise InvalidArgument("delimiter must be a single character")
        full_prefix = self.prefix + check_prefix(prefix)

        def fetch(size: int, token: str | None) -> Page[BlobInfo | BlobPrefix]:
            return self._driver.list_blobs(self.name, full_prefix, delimiter, size, token)

        for page in self._runtime.paginate(fetch, page_size):
            yield Page(tuple(self._relative_item(item) for item in page.items), page.next_token)

    def _relative_item(self, item: BlobInfo | BlobPrefix) -> BlobInfo | BlobPrefix:
        if isinstance(item, BlobPrefix):
            return BlobPrefix(item.bucket, item.prefix[len(self.prefix) :])
        return self._relative(item)

    def list(
        self, prefix: str = "", delimiter: str | None = None, page_size: int = DEFAULT_PAGE_SIZE
    ) -> Iterator[BlobInfo | BlobPrefix]:
        """Every blob (and, with ``delimiter``, every common prefix) under ``prefix``, lazily."""
        for page in self.pages(prefix, delimiter, page_size):
            yield from page.items

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key under ``prefix``, lazily."""
        for item in self.list(prefix):
            if isinstance(item, BlobInfo):
                yield item.key

    # -- writing ------------------------------------------------------------------------
    def put(
        self,
        key: str,
        data: Source,
        *,
        content_type: str | None = None,
        metadata: dict[str, str] | None = None,
        part_size: int | None = None,
    ) -> BlobInfo:
        """Write a blob from bytes, a binary file object or an iterable of chunks.

        Data is streamed: at most about one ``part_size`` of it is held in memory. Larger
        blobs go up in parts; if anything fails, the upload is aborted and the blob at
        ``key`` is left as it was. The returned ``checksums`` hold the MD5 of what was
        sent; when the provider reports a different one, the blob is deleted and
        ``IntegrityError`` raised. Metadata keys are stored lower case.
        """
        full = self._full(key)
        options = WriteOptions(
            content_type=_check_content_type(content_type), metadata=check_metadata(metadata)
        )
        size = check_positive("part_size", self._service.part_size if part_size is None else part_size)
        size = max(size, self._driver.min_part_size)
        digest = _Digest()
        parts = _parts(data, size)
        first = next(parts, b"")
        second = next(parts, None)
        if second is None:
            digest.update(first)
            info = self._runtime.call(self._driver.put_blob, self.name, full, bytes(first), options)
        else:
            head = [first, second]
            del first, second  # hold each part only while it is uploaded
            info = self._multipart(full, options, _drain(head, parts), digest)
        return self._verified(full, info, digest)

    def _multipart(
        self,
        full: str,
        options: WriteOptions,
        parts: Iterator[bytes],
        digest: _Digest,
    ) -> BlobInfo:
        call = self._runtime.call
        upload_id = call(self._driver.start_upload, self.name, full, options)
        uploaded: list[UploadedPart] = []
        try:
            for number, part in enumerate(parts, start=1):
                if number > self._driver.max_parts:
                    raise InvalidArgument(
                        f"blob needs more than {self._driver.max_parts} parts; pass a larger part_size"
                    )
                digest.update(part)
                uploaded.append(call(self._driver.upload_part, self.name, full, upload_id, number, part))
                del part  # let it go before the next part is cut
            return call(self._driver.complete_upload, self.name, full, upload_id, uploaded)
        except BaseException:
            # The original failure matters more; providers expire stale uploads anyway.
            with contextlib.suppress(CloudError):
                call(self._driver.abort_upload, self.name, full, upload_id)
            raise

    def _verified(self, full: str, info: BlobInfo, digest: _Digest) -> BlobInfo:
        md5 = digest.md5.hexdigest()
        reported = info.checksums.get("md5")
        if reported is not None and reported != md5:
            with contextlib.suppress(CloudError):  # the integrity failure is what matters
                self._runtime.call(self._driver.delete_blob, self.name, full)
            raise IntegrityError(
                f"{self.name}/{full}: provider stored MD5 {reported}, sent {md5}; blob deleted",
                provider=self._runtime.provider,
            )
        if info.size != digest.size:
            raise IntegrityError(
                f"{self.name}/{full}: provider stored {info.size} bytes, sent {digest.size}",
                provider=self._runtime.provider,
            )
        return self._relative(attrs.evolve(info, checksums={**info.checksums, "md5": md5}))

    def upload(self, key: str, path: str, **kwargs: object) -> BlobInfo:
        """Write a blob from a local file, streamed. Same contract as :meth:`put`."""
        with open(path, "rb") as fh:
            return self.put(key, fh, **kwargs)  # type: ignore[arg-type]

    def copy(self, key: str, dst_key: str, *, dst_bucket: str | None = None) -> BlobInfo:
        """Server-side copy within the provider, content type and metadata included.

        ``dst_key`` is relative to this handle's prefix; ``dst_bucket`` defaults to this
        bucket. Raises ``NotFound`` when the source is missing.
        """
        src = self._full(key)
        dst = self._full(dst_key)
        target = check_bucket_name(dst_bucket) if dst_bucket is not None else self.name
        info = self._runtime.call(self._driver.copy_blob, self.name, src, target, dst)
        return self._relative(info)

    def delete(self, key: str, *, missing_ok: bool = False) -> None:
        """Delete a blob. Raises ``NotFound`` when it is missing, unless ``missing_ok``."""
        try:
            self._runtime.call(self._driver.delete_blob, self.name, self._full(key))
        except NotFound:
            if not missing_ok:
                raise


class BlobReader(io.RawIOBase):
    """A readable binary stream over a blob, with its attributes in ``info``.

    Errors while streaming are translated into :mod:`cloudneutral.errors`. Close it (or
    use it as a context manager) to release the connection early.
    """

    def __init__(
        self, runtime: Runtime, info: BlobInfo, chunks: Iterator[bytes], *, expected_md5: str | None
    ) -> None:
        super().__init__()
        self.info = info
        self._runtime = runtime
        self._chunks = chunks
        self._pending = memoryview(b"")
        self._expected = expected_md5
        self._md5 = hashlib.md5() if expected_md5 else None
        self._eof = False

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> bytes | None:
        if self._eof:
            return None
        try:
            chunk = next(self._chunks)
        except StopIteration:
            self._eof = True
            self._check()
            return None
        except Exception as exc:
            error = self._runtime.translated(exc)
            if error is exc:
                raise
            raise error from exc
        if self._md5 is not None:
            self._md5.update(chunk)
        return chunk

    def _check(self) -> None:
        if self._md5 is not None and self._md5.hexdigest() != self._expected:
            raise IntegrityError(
                f"{self.info.bucket}/{self.info.key}: read MD5 {self._md5.hexdigest()}, "
                f"provider reports {self._expected}",
                provider=self._runtime.provider,
            )

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            chunk = self._next_chunk()
            if chunk is None:
                return 0
            self._pending = memoryview(chunk)
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def readall(self) -> bytes:
        out = [bytes(self._pending)]
        self._pending = memoryview(b"")
        while (chunk := self._next_chunk()) is not None:
            out.append(chunk)
        return b"".join(out)  # one copy of the content

    def chunks(self) -> Iterator[bytes]:
        """The remaining content as the provider delivers it, without extra copies."""
        if self._pending:
            yield bytes(self._pending)
            self._pending = memoryview(b"")
        while (chunk := self._next_chunk()) is not None:
            yield chunk

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None and not self.closed:
            close()
        super().close()


def _check_content_type(value: str | None) -> str:
    if value is None:
        return DEFAULT_CONTENT_TYPE
    if not isinstance(value, str) or "/" not in value or not value.isascii() or "\n" in value:
        raise InvalidArgument(f"content type {value!r} must be a MIME type such as 'text/plain'")
    return value


def _drain(head: list[bytes], rest: Iterator[bytes]) -> Iterator[bytes]:
    """The parts in ``head`` then those of ``rest``, dropping each reference as it is yielded."""
    while head:
        yield head.pop(0)
    yield from rest


def _parts(data: Source, part_size: int) -> Iterator[bytes]:
    """Cut ``data`` into parts of exactly ``part_size`` bytes (the last may be shorter).

    Yields nothing for empty data. Holds at most one part plus one source chunk.
    """
    if isinstance(data, bytes) and len(data) <= part_size:
        if data:
            yield data  # no copy for the common small put
        return
    if isinstance(data, (bytes, bytearray, memoryview)):
        view = memoryview(data)
        for offset in range(0, len(view), part_size):
            yield bytes(view[offset : offset + part_size])
        return
    if isinstance(data, str):
        raise InvalidArgument("blob data must be bytes, a binary file or an iterable of bytes, not str")
    read = getattr(data, "read", None)
    chunks: Iterable[bytes] = iter(lambda: read(min(part_size, _READ_CHUNK)), b"") if callable(read) else data
    buffer = bytearray()
    for chunk in chunks:
        if isinstance(chunk, str) or not isinstance(chunk, (bytes, bytearray, memoryview)):
            raise InvalidArgument(f"blob data chunks must be bytes, not {type(chunk).__name__}")
        buffer += chunk
        while len(buffer) >= part_size:
            with memoryview(buffer) as view:
                part = bytes(view[:part_size])  # one copy (a bytearray slice would make two)
            del buffer[:part_size]
            yield part
            del part
    if buffer:
        yield bytes(buffer)
