"""Copying blobs between any two bucket handles, verified, with bounded concurrency.

* :func:`copy_blob` copies one blob: server-side when both handles share a connection and
  the provider can, else streamed (bounded memory: parts above the target's part size).
  A streamed copy is verified at both ends: the bytes read are checked against the
  source's size and checksums (:class:`~cloudneutral.BlobReader`), and the target must
  confirm every byte it stored; the SHA-256 is recorded at the target (``cn-sha256``).
* :func:`copy_many` copies ``(source, destination key)`` pairs with ``concurrency``
  workers, consuming a lazy iterable with a bounded window (never the whole listing in
  memory). One failure does not stop the others; every outcome is reported. A
  :class:`Cancel` stops it within about one chunk per worker: uploads in flight are aborted.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import attrs

from .blobs import BucketHandle
from .errors import CloudError, IntegrityError
from .models import BlobInfo, Capability

if TYPE_CHECKING:
    import concurrent.futures as cf

__all__ = ["Cancel", "Cancelled", "Copied", "Failed", "TransferResult", "copy_blob", "copy_many"]

ByteCallback = Callable[[int], None]
SourceRef = str | BlobInfo


class Cancelled(Exception):
    """Raised inside a copy that was cancelled; in-flight uploads are aborted."""


class Cancel:
    """A flag that stops copies: set it (from any thread, e.g. a signal handler)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    @property
    def is_set(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` when set."""
        if self._event.is_set():
            raise Cancelled("copy cancelled")


@attrs.frozen
class Copied:
    """One blob copied. ``verified`` says how its bytes were proven equal to the source's:
    ``sha256``, ``md5`` or ``md5-parts`` (a checksum of the source checked on the bytes read,
    and every byte confirmed by the target), or ``size`` (sizes only). ``written``: the
    target blob as the write reported it (its ETag, checksums), when known."""

    src_key: str
    dst_key: str
    size: int
    verified: str
    server_side: bool
    written: BlobInfo | None = None


@attrs.frozen
class Failed:
    """One blob that could not be copied, and why."""

    src_key: str
    dst_key: str
    error: CloudError


@attrs.define
class TransferResult:
    """What :func:`copy_many` did. ``cancelled`` when it was stopped before the end."""

    copied: list[Copied] = attrs.field(factory=list)
    failed: list[Failed] = attrs.field(factory=list)
    cancelled: bool = False

    @property
    def bytes(self) -> int:
        return sum(c.size for c in self.copied)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.cancelled


def _compare(src: BlobInfo, dst: BlobInfo, where: str, provider: str) -> str:
    """Compare a server-side copy with its source; return how. Raises ``IntegrityError``."""
    if dst.size != src.size:
        raise IntegrityError(f"{where}: copied {dst.size} bytes, source has {src.size}", provider=provider)
    for algorithm in ("sha256", "md5"):
        mine, theirs = src.checksums.get(algorithm), dst.checksums.get(algorithm)
        if mine is not None and theirs is not None:
            if mine != theirs:
                raise IntegrityError(
                    f"{where}: copy has {algorithm} {theirs}, source {mine}", provider=provider
                )
            return algorithm
    return "size"


def _counted(
    chunks: Iterator[bytes], on_bytes: ByteCallback | None, cancel: Cancel | None
) -> Iterator[bytes]:
    for chunk in chunks:
        if cancel is not None:
            cancel.check()
        if on_bytes is not None:
            on_bytes(len(chunk))
        yield chunk


def copy_blob(
    src: BucketHandle,
    source: SourceRef,
    dst: BucketHandle,
    dst_key: str,
    *,
    server_side: bool = False,
    on_bytes: ByteCallback | None = None,
    cancel: Cancel | None = None,
) -> Copied:
    """Copy blob ``source`` (a key of ``src``, or its ``BlobInfo`` from a listing, whose size
    then checks the read) to ``dst_key`` of ``dst`` and verify it.

    ``server_side`` asks the provider to copy (only valid when both handles come from the
    same connection; the blob is streamed anyway when ``dst``'s key cannot be addressed
    from ``src``'s prefix). ``on_bytes`` is called with the size of each chunk streamed.
    Raises ``NotFound`` (source or destination bucket), ``IntegrityError``, any
    ``CloudError``; :class:`Cancelled` when ``cancel`` is set (nothing half-written stays).
    """
    src_key = source.key if isinstance(source, BlobInfo) else source
    expected = source if isinstance(source, BlobInfo) else None
    where = f"{dst.name}/{dst.prefix}{dst_key}"
    full_dst = dst.prefix + dst_key
    if cancel is not None:
        cancel.check()
    if server_side and full_dst.startswith(src.prefix):  # copy() takes keys relative to src.prefix
        before = src.head(src_key)
        info = src.copy(src_key, full_dst[len(src.prefix) :], dst_bucket=dst.name)
        after = dst.head(dst_key)
        if on_bytes is not None:
            on_bytes(info.size)
        return Copied(src_key, dst_key, info.size, _compare(before, after, where, info.provider), True, after)
    record = Capability.BLOB_METADATA in dst.service.capabilities
    with src.open(src_key, expected=expected) as reader:
        source_info = reader.info
        options: dict[str, Any] = {
            "content_type": source_info.content_type or None,
            "metadata": dict(source_info.metadata) if record else None,
        }
        chunks = _counted(reader.chunks(), on_bytes, cancel)
        if source_info.size <= dst.service.part_size:  # one request: the read's digests serve the write
            data = b"".join(chunks)
            info = dst._put_read(dst_key, data, reader.digests, **options)
        else:
            info = dst.put(dst_key, chunks, record_sha256=True, **options)
        read_how = reader.verified or "size"
    if info.size != source_info.size:
        raise IntegrityError(
            f"{where}: copied {info.size} bytes, source has {source_info.size}", provider=info.provider
        )
    written = "sha256" in info.checksums
    return Copied(
        src_key, dst_key, info.size, read_how if written else "size", server_side=False, written=info
    )


def copy_many(
    src: BucketHandle,
    dst: BucketHandle,
    pairs: Iterable[tuple[SourceRef, str]],
    *,
    concurrency: int = 4,
    server_side: bool = False,
    on_bytes: ByteCallback | None = None,
    on_done: Callable[[Copied | Failed], None] | None = None,
    cancel: Cancel | None = None,
) -> TransferResult:
    """Copy every ``(source, dst_key)`` pair with ``concurrency`` threads; see :func:`copy_blob`.

    ``pairs`` is consumed lazily, at most ``2 * concurrency`` copies ahead. ``on_done`` is
    called (from the calling thread) as each copy finishes or fails. ``KeyboardInterrupt``
    in the calling thread sets ``cancel`` (one is made if none is given), waits for the
    workers to abort what they were writing (about one chunk each), and re-raises; errors
    other than :class:`CloudError` (bugs) propagate the same way.
    """
    if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1:
        from .errors import InvalidArgument

        raise InvalidArgument(f"concurrency must be an integer >= 1, not {concurrency!r}")
    import concurrent.futures as cf  # here, not at import: it costs ~10 ms to load

    cancel = cancel or Cancel()
    result = TransferResult()

    def one(source: SourceRef, dst_key: str) -> Copied | Failed | None:
        src_key = source.key if isinstance(source, BlobInfo) else source
        try:
            return copy_blob(
                src, source, dst, dst_key, server_side=server_side, on_bytes=on_bytes, cancel=cancel
            )
        except Cancelled:
            return None
        except CloudError as exc:
            return Failed(src_key, dst_key, exc)

    def collect(futures: Iterable[cf.Future[Copied | Failed | None]]) -> None:
        for future in futures:
            outcome = future.result()
            if outcome is None:
                continue
            if isinstance(outcome, Copied):
                result.copied.append(outcome)
            else:
                result.failed.append(outcome)
            if on_done is not None:
                on_done(outcome)

    pool = cf.ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="cn-copy")
    pending: set[cf.Future[Copied | Failed | None]] = set()
    try:
        for source, dst_key in pairs:
            if cancel.is_set:
                break
            while len(pending) >= 2 * concurrency:
                done, pending = cf.wait(pending, timeout=0.2, return_when=cf.FIRST_COMPLETED)
                collect(done)
            pending.add(pool.submit(one, source, dst_key))
        while pending:
            done, pending = cf.wait(pending, timeout=0.2, return_when=cf.FIRST_COMPLETED)
            collect(done)
    except BaseException:
        cancel.set()
        pool.shutdown(wait=False, cancel_futures=True)
        _drain(pending)
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    result.cancelled = cancel.is_set
    return result


def _drain(pending: set[cf.Future[Copied | Failed | None]], limit: float = 10.0) -> None:
    """Let running copies notice the cancel and abort their uploads (bounded, interruptible
    by a second Ctrl-C, never holding a lock another thread needs)."""
    # Futures cancelled before they started stay CANCELLED (never "notified"), and cf.wait
    # would wait for them until the timeout: wait only for those that run.
    import concurrent.futures as cf

    running = {f for f in pending if not f.cancelled()}
    with contextlib.suppress(BaseException):  # a second Ctrl-C: stop waiting, the first is handled
        cf.wait(running, timeout=limit)
