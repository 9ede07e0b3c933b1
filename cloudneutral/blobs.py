"""Buckets and blobs: the portable service over a :class:`~cloudneutral.driver.BlobDriver`.

Here, once for every provider: argument validation (types and values), capability checks,
lazy pagination, retries, streaming in bounded memory (parts above ``part_size``, aborted
on failure), verification of what was written (every part's MD5 confirmed by the provider)
and of what was read (size against the listing or HEAD, and every checksum that covers the
bytes), the SHA-256 checksum of record (``cn-sha256``), and the key prefix of a handle.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator, Mapping, Sequence

import attrs

from ._reading import BlobReader, ReadCheck
from ._runtime import Runtime
from ._service import Service
from ._writing import SHA256_KEY, Digests, PartUpload, Source, cut_parts, fit_part_size
from .driver import BlobDriver, BlobStream, Upload, WriteOptions
from .errors import (
    AlreadyExists,
    CloudError,
    Conflict,
    IntegrityError,
    InvalidArgument,
    NotFound,
)
from .models import BlobInfo, BlobPrefix, Bucket, Capability, Page
from .validation import (
    DEFAULT_CONTENT_TYPE,
    check_bucket_name,
    check_content_type,
    check_instance,
    check_key,
    check_metadata,
    check_positive,
    check_prefix,
    check_range,
)

__all__ = ["DEFAULT_CONTENT_TYPE", "BlobReader", "BlobService", "BucketHandle", "PartUpload", "Source"]

DEFAULT_PART_SIZE = 8 * 1024 * 1024
DEFAULT_PAGE_SIZE = 1000
_SHA256_HEX = frozenset("0123456789abcdef")


class _EmptyStream:
    """The stream of an empty range: no request needed."""

    def __iter__(self) -> _EmptyStream:
        return self

    def __next__(self) -> bytes:
        raise StopIteration

    def close(self) -> None:
        pass


def _of_record(info: BlobInfo) -> BlobInfo:
    """``info`` with the ``cn-sha256`` metadata of record moved into ``checksums["sha256"]``
    (where a provider reports its own SHA-256, that one is kept)."""
    recorded = info.metadata.get(SHA256_KEY)
    if recorded is None:
        return info
    metadata = {k: v for k, v in info.metadata.items() if k != SHA256_KEY}
    checksums = dict(info.checksums)
    if len(recorded) == 64 and set(recorded) <= _SHA256_HEX:
        checksums.setdefault("sha256", recorded)
    return attrs.evolve(info, metadata=metadata, checksums=checksums)


class BlobService(Service):
    """Buckets of one provider. Obtain it as ``cloud.blobs``."""

    kind = "blobs"

    def __init__(
        self,
        driver: BlobDriver,
        runtime: Runtime,
        capabilities: frozenset[Capability] = frozenset(Capability),
        *,
        part_size: int = DEFAULT_PART_SIZE,
    ):
        super().__init__(runtime, capabilities, driver.natives)
        self._driver = driver
        self.part_size = check_positive("part_size", part_size)

    def bucket(self, name: str, prefix: str = "") -> BucketHandle:
        """A handle on bucket ``name`` (no request is made). Keys given to the handle are
        relative to ``prefix``. Raises ``InvalidArgument`` for a non-portable name."""
        return BucketHandle(self, check_bucket_name(name), check_prefix(prefix))

    def create_bucket(self, name: str, *, exist_ok: bool = False) -> Bucket:
        """Create a bucket. Raises ``AlreadyExists`` when the name is taken, unless
        ``exist_ok`` (then the creation is also retried on transient failures, and a taken
        name, as after a retried create that had succeeded, returns the existing bucket)."""
        check_bucket_name(name)
        if not exist_ok:
            return self._runtime.call_once(self._driver.create_bucket, name)
        try:
            return self._runtime.call(self._driver.create_bucket, name)
        except AlreadyExists:
            return self.get_bucket(name)

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
        return sorted(self._runtime.collect(self._driver.list_buckets), key=lambda b: b.name)

    def delete_bucket(self, name: str, *, force: bool = False) -> None:
        """Delete a bucket. Raises ``NotFound``; ``Conflict`` when it holds blobs, unless
        ``force`` is true, in which case every blob is deleted first."""
        handle = self.bucket(name)
        if force:
            for item in handle.list():
                if isinstance(item, BlobInfo):
                    handle.delete(item.key, missing_ok=True)
        self._runtime.call(self._driver.delete_bucket, name)


class BucketHandle:
    """Blobs of one bucket, under an optional key prefix. Obtain it with ``cloud.blobs.bucket()``.

    Every key argument and every ``BlobInfo.key`` returned is relative to ``prefix``.
    """

    def __init__(self, service: BlobService, name: str, prefix: str = "") -> None:
        self.service = service
        self._driver = service._driver
        self._runtime = service._runtime
        self.name = name
        self.prefix = prefix

    def __repr__(self) -> str:
        return f"BucketHandle({self._runtime.provider}://{self.name}/{self.prefix})"

    # -- keys ---------------------------------------------------------------------------
    def _full(self, key: str) -> str:
        check_instance("blob key", key, str, "a str")
        if not key:
            raise InvalidArgument("blob key must be a non-empty string")
        return check_key(self.prefix + key)

    def _relative(self, info: BlobInfo) -> BlobInfo:
        info = _of_record(info)
        if not self.prefix or not info.key.startswith(self.prefix):
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

    def open(
        self, key: str, start: int = 0, end: int | None = None, *, expected: BlobInfo | None = None
    ) -> BlobReader:
        """A stream of bytes ``[start, end)`` of a blob (to its end when ``end`` is ``None``).

        A whole read is verified at end of stream against ``expected`` (the blob's
        attributes from a listing or ``head``; looked up when no checksum covers the
        bytes) and every checksum known of the blob: ``IntegrityError`` on a difference.
        A dropped connection resumes where it stopped. Raises ``NotFound``;
        ``InvalidArgument`` for a bad range or a ``start`` at or past the end of a blob.
        """
        full = self._full(key)
        check_range(start, end)
        if not (start == 0 and end is None):
            self.service.require(Capability.BLOB_RANGE, "a ranged read")
        length = None if end is None else end - start
        if length == 0:
            return BlobReader(self._runtime, self.head(key), _EmptyStream(), check=ReadCheck(size=0))
        info, stream = self._runtime.call(self._driver.read_blob, self.name, full, start, length)
        info = self._relative(info)
        whole = start == 0 and end is None
        try:
            check = self._whole_check(full, info, expected) if whole else self._range_check(info, start, end)
        except BaseException:
            stream.close()
            raise

        def reopen(offset: int) -> tuple[BlobInfo, BlobStream]:
            rest = None if end is None else end - offset
            return self._driver.read_blob(self.name, full, offset, rest)

        return BlobReader(self._runtime, info, stream, check=check, start=start, reopen=reopen)

    def _range_check(self, info: BlobInfo, start: int, end: int | None) -> ReadCheck:
        stop = info.size if end is None else min(end, info.size)
        return ReadCheck(size=max(0, stop - start))

    def _whole_check(self, full: str, info: BlobInfo, expected: BlobInfo | None) -> ReadCheck:
        """What a whole read of ``full`` must deliver: the size from ``expected`` (else the
        read's own answer when a checksum covers the bytes, else a HEAD), and checksums."""
        known = info if expected is None else _of_record(expected)
        md5 = known.checksums.get("md5") or info.checksums.get("md5")
        sha256 = known.checksums.get("sha256") or info.checksums.get("sha256")
        parts = known.checksums.get("md5-parts") or info.checksums.get("md5-parts")
        if expected is None and (parts or not (md5 or sha256)):
            known = self._relative(self._runtime.call(self._driver.head_blob, self.name, full))
            parts = parts or known.checksums.get("md5-parts")
        sizes: tuple[int, ...] = ()
        if parts and not (md5 or sha256):
            layout = self._runtime.call(self._driver.part_sizes, self.name, full, known)
            sizes = tuple(layout or ())
        return ReadCheck(size=known.size, md5=md5, sha256=sha256, md5_parts=parts, part_sizes=sizes)

    def part_layout(self, key: str, info: BlobInfo | None = None) -> list[int] | None:
        """The sizes of the parts behind a blob's ``md5-parts`` checksum (``info`` from
        :meth:`head`, looked up when not given), or ``None`` when it has none or the
        provider cannot tell. Copying in these parts lets the copy be checked against it."""
        info = info if info is not None else self.head(key)
        if "md5-parts" not in info.checksums:
            return None
        full = self._full(key)
        absolute = attrs.evolve(info, key=full)
        sizes = self._runtime.call(self._driver.part_sizes, self.name, full, absolute)
        return list(sizes) if sizes else None

    def get(self, key: str) -> bytes:
        """The whole content of a blob. Raises ``NotFound``, ``IntegrityError``."""
        with self.open(key) as reader:
            return reader.read()

    def get_range(self, key: str, start: int, end: int | None = None) -> bytes:
        """Bytes ``[start, end)`` of a blob; a range past the end is cut at the end."""
        with self.open(key, start, end) as reader:
            return reader.read()

    def download(self, key: str, target: object) -> BlobInfo:
        """Stream a blob into a writable binary file; return its attributes."""
        write = getattr(target, "write", None)
        if not callable(write):
            raise InvalidArgument(f"target must be a writable binary file, not {type(target).__name__}")
        with self.open(key) as reader:
            for chunk in reader.chunks():
                write(chunk)
            return reader.info

    # -- listing ------------------------------------------------------------------------
    def pages(
        self, prefix: str = "", delimiter: str | None = None, page_size: int = DEFAULT_PAGE_SIZE
    ) -> Iterator[Page[BlobInfo | BlobPrefix]]:
        """Lazily fetched pages of a listing, keys in lexicographic (UTF-8 byte) order.

        With ``delimiter`` (a non-empty string), keys sharing a segment up to it are
        rolled up into one :class:`BlobPrefix`.
        """
        check_positive("page_size", page_size)
        if delimiter is not None:
            check_instance("delimiter", delimiter, str, "a str")
            if not delimiter or any(ord(c) < 0x20 or ord(c) == 0x7F for c in delimiter):
                raise InvalidArgument("delimiter must be a non-empty string without control characters")
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
    def _options(self, content_type: str | None, metadata: Mapping[str, str] | None) -> WriteOptions:
        checked = check_metadata(metadata)
        if checked:
            self.service.require(Capability.BLOB_METADATA, "metadata")
        if content_type is not None:
            self.service.require(Capability.BLOB_CONTENT_TYPE, "a content type")
        return WriteOptions(content_type=check_content_type(content_type), metadata=checked)

    def put(
        self,
        key: str,
        data: Source,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        part_size: int | None = None,
        record_sha256: bool = False,
    ) -> BlobInfo:
        """Write a blob from bytes, a binary file object or an iterable of chunks.

        Data is streamed: at most about one ``part_size`` of it is held in memory; larger
        blobs go up in parts. If anything fails the upload is aborted and the blob at
        ``key`` is left as it was. The provider must confirm what it stored: a part or blob
        whose MD5 or size differs raises ``IntegrityError`` (and the damaged blob is
        removed only if it is still the one just written). The returned ``checksums`` hold
        ``md5`` and ``sha256`` only when the provider vouched for every byte. With
        ``record_sha256``, the SHA-256 is stored as the checksum of record (``cn-sha256``)
        that later reads, on any provider, are verified against. Metadata keys are stored
        lower case.
        """
        full = self._full(key)
        options = self._options(content_type, metadata)
        size = check_positive("part_size", self.service.part_size if part_size is None else part_size)
        parts = cut_parts(data, size)
        first = next(parts, b"")
        second = next(parts, None)
        if second is None:
            return self._put_single(full, first, options, record_sha256)
        self.service.require(Capability.BLOB_MULTIPART, f"a blob of more than part_size ({size}) bytes")
        upload = self._open(full, options)
        # the provider's limits may ask for larger parts than those already cut
        if fit_part_size(size, upload.limits) != size:
            parts = cut_parts(itertools.chain([first, second], parts), fit_part_size(size, upload.limits))
        else:
            parts = itertools.chain([first, second], parts)
        del first, second  # hold each part only while it is uploaded
        return self._put_parts(full, upload, parts, options, record_sha256)

    def _put_read(
        self,
        key: str,
        data: bytes,
        known: Mapping[str, str],
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> BlobInfo:
        """:meth:`put` (recording the SHA-256) of bytes that a verified read delivered
        whole, in one request; ``known`` holds the digests that read computed of them
        (:attr:`BlobReader.digests <cloudneutral.BlobReader.digests>`), not computed again.
        For copies (:func:`~cloudneutral.copy_blob` uses it); raises as :meth:`put` does."""
        if not isinstance(data, bytes):
            raise InvalidArgument(f"put_read takes bytes, not {type(data).__name__}")
        return self._put_single(self._full(key), data, self._options(content_type, metadata), True, known)

    def _put_single(
        self,
        full: str,
        data: bytes,
        options: WriteOptions,
        record_sha256: bool,
        known: Mapping[str, str] | None = None,
    ) -> BlobInfo:
        digests = Digests(known=known)
        digests.update(data)
        assert digests.md5 is not None
        if record_sha256 and Capability.BLOB_METADATA in self.service.capabilities:
            options = attrs.evolve(options, metadata={**options.metadata, SHA256_KEY: digests.sha256})
        info = self._runtime.call(self._driver.put_blob, self.name, full, bytes(data), options, digests.md5)
        reported = info.checksums.get("md5")
        if info.size != digests.size or reported not in (None, digests.md5):
            outcome = self._discard(full, info)
            raise IntegrityError(
                f"{self.name}/{full}: provider stored {info.size} bytes with MD5 {reported}; "
                f"sent {digests.size} bytes with MD5 {digests.md5}; {outcome}",
                provider=self._runtime.provider,
            )
        return self._confirmed(info, digests, reported is not None)

    def _put_parts(
        self,
        full: str,
        upload: PartUpload,
        parts: Iterator[bytes],
        options: WriteOptions,
        record_sha256: bool,
    ) -> BlobInfo:
        digests = Digests(md5=False)  # every part's MD5 is checked; the whole needs none
        try:
            for number, part in enumerate(parts, start=1):
                if number > upload.limits.max_parts:
                    raise InvalidArgument(
                        f"blob needs more than {upload.limits.max_parts} parts; pass a larger part_size"
                    )
                digests.update(part)
                upload.put_part(number, part)
                del part  # let it go before the next part is cut
            metadata = dict(options.metadata)
            if record_sha256 and Capability.BLOB_METADATA in self.service.capabilities:
                metadata[SHA256_KEY] = digests.sha256
            info = upload.commit(metadata)
        except BaseException:
            # The original failure matters more; providers expire stale uploads anyway.
            with contextlib.suppress(Exception):
                upload.abort()
            raise
        return self._confirmed(info, digests, upload.confirmed)

    def _confirmed(self, info: BlobInfo, digests: Digests, confirmed: bool) -> BlobInfo:
        """``info`` whose ``checksums`` keep ``md5``/``sha256`` only when the provider
        vouched for every byte (the digests are then those of what was sent)."""
        checksums = {k: v for k, v in info.checksums.items() if k not in ("md5", "sha256")}
        if confirmed:
            checksums["sha256"] = digests.sha256
            if digests.md5 is not None:
                checksums["md5"] = digests.md5
        return self._relative(attrs.evolve(info, checksums=checksums))

    def _discard(self, full: str, info: BlobInfo) -> str:
        """Remove a blob that failed verification, only if it is still the version just
        written (conditional on its ETag); return what happened, for the error message."""
        if Capability.BLOB_IF_MATCH not in self.service.capabilities or info.etag is None:
            return "the damaged blob was left in place: the provider has no conditional delete"
        try:
            self._runtime.call(self._driver.delete_blob, self.name, full, info.etag)
        except Conflict:
            return "a newer blob has replaced it since and was left alone"
        except NotFound:
            return "it is gone already"
        except CloudError as exc:
            return f"the damaged blob could not be deleted: {type(exc).__name__}: {exc.message}"
        return "the damaged blob was deleted"

    def _upload_object(self, full: str, upload: Upload, options: WriteOptions) -> PartUpload:
        return PartUpload(
            self._runtime, upload, f"{self.name}/{full}", options, lambda info: self._discard(full, info)
        )

    def _open(self, full: str, options: WriteOptions) -> PartUpload:
        upload = self._runtime.call_once(self._driver.open_upload, self.name, full, options)
        return self._upload_object(full, upload, options)

    def open_upload(
        self, key: str, *, content_type: str | None = None, metadata: Mapping[str, str] | None = None
    ) -> PartUpload:
        """Begin writing ``key`` in verified parts (see :class:`PartUpload`): for parallel
        or resumable writes. Raises ``NotFound`` when the bucket is missing."""
        self.service.require(Capability.BLOB_MULTIPART, "a write in parts")
        return self._open(self._full(key), self._options(content_type, metadata))

    def resume_upload(
        self,
        key: str,
        upload_id: str,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> PartUpload:
        """The unfinished upload ``upload_id`` of ``key`` (opened by any process). Give the
        content type and metadata it was opened with: they become the blob's (providers such
        as S3 cannot recall them). Raises ``NotFound`` when the upload is gone."""
        self.service.require(Capability.BLOB_MULTIPART, "a write in parts")
        check_instance("upload_id", upload_id, str, "a str")
        full, options = self._full(key), self._options(content_type, metadata)
        upload = self._runtime.call(self._driver.resume_upload, self.name, full, upload_id, options)
        return self._upload_object(full, upload, options)

    def uploads(self, prefix: str = "") -> Sequence[tuple[str, str]]:
        """The unfinished uploads of keys under ``prefix``: ``(key, upload id)``, keys relative
        to this handle (a crashed writer's leftovers; ``resume_upload(key, id).abort()``)."""
        self.service.require(Capability.BLOB_MULTIPART, "listing uploads")
        full_prefix = self.prefix + check_prefix(prefix)

        def fetch(size: int, token: str | None) -> Page[tuple[str, str]]:
            return self._driver.list_uploads(self.name, full_prefix, size, token)

        return [(key[len(self.prefix) :], upload) for key, upload in self._runtime.collect(fetch)]

    def upload(
        self,
        key: str,
        path: str,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        part_size: int | None = None,
        record_sha256: bool = False,
    ) -> BlobInfo:
        """Write a blob from the local file at ``path``, streamed. Same contract as :meth:`put`."""
        check_instance("path", path, str, "a str")
        with open(path, "rb") as fh:
            return self.put(
                key,
                fh,
                content_type=content_type,
                metadata=metadata,
                part_size=part_size,
                record_sha256=record_sha256,
            )

    def copy(self, key: str, dst_key: str, *, dst_bucket: str | None = None) -> BlobInfo:
        """Server-side copy within the provider, content type and metadata included.

        ``dst_key`` is relative to this handle's prefix; ``dst_bucket`` defaults to this
        bucket. Raises ``NotFound`` when the source is missing.
        """
        self.service.require(Capability.BLOB_COPY, "a server-side copy")
        src = self._full(key)
        dst = self._full(dst_key)
        target = check_bucket_name(dst_bucket) if dst_bucket is not None else self.name
        info = self._runtime.call(self._driver.copy_blob, self.name, src, target, dst)
        return self._relative(info)

    def delete(self, key: str, *, missing_ok: bool = False, if_match: str | None = None) -> None:
        """Delete a blob. Raises ``NotFound`` when it is missing, unless ``missing_ok``.
        With ``if_match`` (an ETag), only that version is deleted: ``Conflict`` otherwise."""
        full = self._full(key)
        if if_match is not None:
            check_instance("if_match", if_match, str, "an ETag (str)")
            self.service.require(Capability.BLOB_IF_MATCH, "a conditional delete")
        try:
            self._runtime.call(self._driver.delete_blob, self.name, full, if_match)
        except NotFound:
            if not missing_ok:
                raise
