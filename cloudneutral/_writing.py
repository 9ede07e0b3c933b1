"""Writing blobs: cutting a source into parts, hashing each byte once, verified uploads.

:class:`PartUpload` is the portable face of a driver's :class:`~cloudneutral.driver.Upload`:
it hashes each part, sends the MD5 for the provider to check, compares what the provider
confirms, and on :meth:`~PartUpload.commit` checks that the stored blob is the parts it
sent. A blob is *confirmed* when the provider vouched for every byte (an MD5 it computed or
checked); only then do the returned ``checksums`` carry ``md5`` and ``sha256``.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import BinaryIO, TypeAlias

from ._runtime import Runtime
from .driver import PartLimits, PartReceipt, Upload, WriteOptions
from .errors import IntegrityError, InvalidArgument
from .models import BlobInfo

__all__ = ["SHA256_KEY", "Digests", "PartUpload", "Source", "cut_parts", "put_hashed_part"]

#: The metadata key holding a blob's SHA-256, the checksum of record across providers.
SHA256_KEY = "cn-sha256"
_READ_CHUNK = 1024 * 1024

#: What ``put`` accepts: bytes, a binary file object, or an iterable of byte chunks.
Source: TypeAlias = bytes | bytearray | memoryview | BinaryIO | Iterable[bytes]


class Digests:
    """The size, SHA-256 and (unless ``md5`` is false) MD5 of bytes as they stream past:
    each byte hashed once per algorithm. ``known`` digests (``md5``, ``sha256``, computed
    by a verified read of the very same bytes) are taken as they are, not computed again."""

    def __init__(self, *, md5: bool = True, known: Mapping[str, str] | None = None) -> None:
        known = known or {}
        self.size = 0
        self._known_md5, self._known_sha256 = known.get("md5"), known.get("sha256")
        self._md5 = hashlib.md5() if md5 and self._known_md5 is None else None
        self._sha256 = hashlib.sha256() if self._known_sha256 is None else None

    def update(self, data: bytes | memoryview) -> None:
        self.size += len(data)
        if self._md5 is not None:
            self._md5.update(data)
        if self._sha256 is not None:
            self._sha256.update(data)

    @property
    def md5(self) -> str | None:
        return self._known_md5 or (None if self._md5 is None else self._md5.hexdigest())

    @property
    def sha256(self) -> str:
        return self._known_sha256 or self._sha256.hexdigest()  # type: ignore[union-attr]


def cut_parts(data: Source, part_size: int) -> Iterator[bytes]:
    """Cut ``data`` into parts of exactly ``part_size`` bytes (the last may be shorter).

    Yields nothing for empty data. Holds at most one part plus one source chunk. Raises
    ``InvalidArgument`` for data that is not bytes, a binary file or an iterable of bytes.
    """
    if isinstance(data, bytes) and len(data) <= part_size:
        if data:
            yield data  # no copy for the common small put
        return
    if isinstance(data, (bytes, bytearray, memoryview)):
        view = memoryview(data).cast("B")
        for offset in range(0, len(view), part_size):
            yield bytes(view[offset : offset + part_size])
        return
    if isinstance(data, str) or data is None or isinstance(data, (int, float, dict)):
        raise InvalidArgument(
            f"blob data must be bytes, a binary file or an iterable of bytes, not {type(data).__name__}"
        )
    read = getattr(data, "read", None)
    if callable(read):
        chunks: Iterable[bytes] = iter(lambda: read(min(part_size, _READ_CHUNK)), b"")
    elif isinstance(data, Iterable):
        chunks = data
    else:
        raise InvalidArgument(
            f"blob data must be bytes, a binary file or an iterable of bytes, not {type(data).__name__}"
        )
    buffer = bytearray()
    for chunk in chunks:
        if not isinstance(chunk, (bytes, bytearray, memoryview)):
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


def fit_part_size(requested: int, limits: PartLimits) -> int:
    """``requested`` moved into ``limits`` (at least the provider's smallest part)."""
    return max(limits.min_part_size, min(requested, limits.max_part_size))


class PartUpload:
    """A blob written in verified parts: :meth:`put_part` any number of times (from several
    threads at once), then :meth:`commit` or :meth:`abort`.

    Obtain it with :meth:`BucketHandle.open_upload <cloudneutral.BucketHandle.open_upload>`
    (or ``resume_upload``). Until ``commit`` returns, readers see the previous blob.
    """

    def __init__(
        self,
        runtime: Runtime,
        upload: Upload,
        where: str,
        options: WriteOptions,
        discard: Callable[[BlobInfo], str],
    ) -> None:
        self._runtime = runtime
        self._upload = upload
        self._where = where
        self._options = options
        self._discard = discard
        self._lock = threading.Lock()
        self._receipts: dict[int, PartReceipt] = {}

    @property
    def id(self) -> str:
        """Opaque and stable: give it to ``resume_upload`` (in any process) to continue."""
        return self._upload.id

    @property
    def limits(self) -> PartLimits:
        return self._upload.limits

    @property
    def confirmed(self) -> bool:
        """Whether the provider vouched for the MD5 of every part put so far."""
        with self._lock:
            return all(r.md5 is not None for r in self._receipts.values())

    def stored_parts(self) -> dict[int, PartReceipt]:
        """Parts the provider holds (by number), e.g. to skip them when resuming."""
        receipts = {r.number: r for r in self._runtime.call(self._upload.parts)}
        with self._lock:
            self._receipts.update(receipts)
        return receipts

    def put_part(self, number: int, data: bytes) -> PartReceipt:
        """Store part ``number`` (from 1) and check what the provider confirms; a part the
        provider stored with other bytes (damaged on the way) is sent again, within the
        retry policy's attempts.

        Raises ``InvalidArgument`` for a number outside the provider's limits;
        ``IntegrityError`` when the provider keeps storing other bytes than those sent.
        """
        if (
            not isinstance(number, int)
            or isinstance(number, bool)
            or not 1 <= number <= self.limits.max_parts
        ):
            raise InvalidArgument(f"part number must be 1 to {self.limits.max_parts}, not {number!r}")
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InvalidArgument(f"part data must be bytes, not {type(data).__name__}")
        data = bytes(data)
        return self._send(number, data, hashlib.md5(data).hexdigest())

    def _send(self, number: int, data: bytes, md5: str) -> PartReceipt:
        attempt = 1
        while True:  # a part damaged on the way is sent again: the next one replaces it
            receipt = self._runtime.call(self._upload.put_part, number, data, md5)
            if receipt.size == len(data) and receipt.md5 in (None, md5):
                break
            if attempt >= self._runtime.retry.attempts:
                raise IntegrityError(
                    f"{self._where}: part {number} stored as {receipt.size} bytes with MD5 {receipt.md5}; "
                    f"sent {len(data)} bytes with MD5 {md5} ({attempt} attempts)",
                    provider=self._runtime.provider,
                )
            self._runtime.clock.sleep(self._runtime.retry.delay(attempt, self._runtime.rng))
            attempt += 1
        with self._lock:
            self._receipts[number] = receipt
        return receipt

    def commit(self, metadata: Mapping[str, str] | None = None) -> BlobInfo:
        """Make parts ``1..n`` the blob (``metadata`` replaces the user metadata given when
        the upload was opened; reserved ``cn-*`` keys pass through). Raises
        ``InvalidArgument`` when parts are missing, ``IntegrityError`` when the stored size
        differs from the sum of the parts (the damaged blob is then deleted if it is still
        the version just committed)."""
        with self._lock:
            numbers = sorted(self._receipts)
            size = sum(r.size for r in self._receipts.values())
        if numbers != list(range(1, len(numbers) + 1)):
            raise InvalidArgument(f"{self._where}: parts {numbers} are not 1..n without gaps")
        final = dict(self._options.metadata if metadata is None else metadata)
        info = self._runtime.call(self._upload.commit, final)
        if info.size != size:
            outcome = self._discard(info)
            raise IntegrityError(
                f"{self._where}: provider committed {info.size} bytes; the parts hold {size}; {outcome}",
                provider=self._runtime.provider,
            )
        return info

    def abort(self) -> None:
        """Discard the upload and its parts. Idempotent."""
        self._runtime.call(self._upload.abort)


def put_hashed_part(upload: PartUpload, number: int, data: bytes, md5: str) -> PartReceipt:
    """:meth:`PartUpload.put_part` for a caller that has just computed ``md5`` from these
    very bytes (the migration engine, which needs it anyway): they are not hashed again.
    ``number`` is trusted to be within the upload's limits."""
    return upload._send(number, data, md5)
