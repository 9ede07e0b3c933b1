"""Streaming copies of blobs between any two bucket handles (same or different providers).

Written only against the portable API, so ``cloudneutral cp`` and migrations share it.
Contracts:

* :func:`copy_blob` streams one blob (``open()`` -> ``put(chunks)``): memory stays bounded
  by one part whatever the blob's size; content type and metadata travel with it. With
  ``server_side`` (both handles on one connection) the provider copies it instead.
  Either way the copy is verified: its size against the source's, and its MD5 against the
  source's when the source reports one; a mismatch raises ``IntegrityError``.
* :func:`copy_many` copies ``(source key, destination key)`` pairs with ``concurrency``
  workers, consuming a lazy iterable with a bounded window (never the whole listing in
  memory). One failure does not stop the others; every outcome is reported.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable, Iterable, Iterator

import attrs

from .blobs import BucketHandle
from .errors import CloudError, IntegrityError
from .models import BlobInfo

__all__ = ["Copied", "Failed", "TransferResult", "copy_blob", "copy_many"]

ByteCallback = Callable[[int], None]


@attrs.frozen
class Copied:
    """One blob copied and verified. ``verified`` is ``"md5"`` or ``"size"`` (no MD5 known)."""

    src_key: str
    dst_key: str
    size: int
    verified: str
    server_side: bool


@attrs.frozen
class Failed:
    """One blob that could not be copied, and why."""

    src_key: str
    dst_key: str
    error: CloudError


@attrs.define
class TransferResult:
    """What :func:`copy_many` did."""

    copied: list[Copied] = attrs.field(factory=list)
    failed: list[Failed] = attrs.field(factory=list)

    @property
    def bytes(self) -> int:
        return sum(c.size for c in self.copied)

    @property
    def ok(self) -> bool:
        return not self.failed


def _counted(chunks: Iterator[bytes], on_bytes: ByteCallback | None) -> Iterator[bytes]:
    for chunk in chunks:
        if on_bytes is not None:
            on_bytes(len(chunk))
        yield chunk


def _verify(src: BlobInfo, dst: BlobInfo, where: str, provider: str) -> str:
    """Compare a copy with its source; return how it was verified. Raises ``IntegrityError``."""
    if dst.size != src.size:
        raise IntegrityError(f"{where}: copied {dst.size} bytes, source has {src.size}", provider=provider)
    src_md5, dst_md5 = src.checksums.get("md5"), dst.checksums.get("md5")
    if src_md5 is None or dst_md5 is None:
        return "size"
    if src_md5 != dst_md5:
        raise IntegrityError(f"{where}: copy has MD5 {dst_md5}, source {src_md5}", provider=provider)
    return "md5"


def copy_blob(
    src: BucketHandle,
    src_key: str,
    dst: BucketHandle,
    dst_key: str,
    *,
    server_side: bool = False,
    on_bytes: ByteCallback | None = None,
) -> Copied:
    """Copy blob ``src_key`` of ``src`` to ``dst_key`` of ``dst`` and verify it.

    ``server_side`` asks the provider to copy (only valid when both handles come from the
    same connection; the blob is streamed anyway when ``dst``'s key cannot be addressed
    from ``src``'s prefix). ``on_bytes`` is called with the size of each chunk streamed. Raises
    ``NotFound`` (source or destination bucket), ``IntegrityError``, any ``CloudError``.
    """
    where = f"{dst.name}/{dst.prefix}{dst_key}"
    full_dst = dst.prefix + dst_key
    if server_side and full_dst.startswith(src.prefix):  # copy() takes keys relative to src.prefix
        source = src.head(src_key)
        info = src.copy(src_key, full_dst[len(src.prefix) :], dst_bucket=dst.name)
        if on_bytes is not None:
            on_bytes(info.size)
        verified = _verify(source, info, where, info.provider)
        return Copied(src_key, dst_key, info.size, verified, server_side=True)
    with src.open(src_key) as reader:
        source = reader.info
        info = dst.put(
            dst_key,
            _counted(reader.chunks(), on_bytes),
            content_type=source.content_type or None,
            metadata=dict(source.metadata),
        )
    verified = _verify(source, info, where, info.provider)
    return Copied(src_key, dst_key, info.size, verified, server_side=False)


def copy_many(
    src: BucketHandle,
    dst: BucketHandle,
    pairs: Iterable[tuple[str, str]],
    *,
    concurrency: int = 4,
    server_side: bool = False,
    on_bytes: ByteCallback | None = None,
    on_done: Callable[[Copied | Failed], None] | None = None,
) -> TransferResult:
    """Copy every ``(src_key, dst_key)`` pair with ``concurrency`` threads; see :func:`copy_blob`.

    ``pairs`` is consumed lazily, at most ``2 * concurrency`` copies ahead. ``on_done`` is
    called (from the calling thread) as each copy finishes or fails. Errors other than
    :class:`CloudError` (bugs, ``KeyboardInterrupt``) propagate; pending copies are cancelled.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    result = TransferResult()

    def one(src_key: str, dst_key: str) -> Copied | Failed:
        try:
            return copy_blob(src, src_key, dst, dst_key, server_side=server_side, on_bytes=on_bytes)
        except CloudError as exc:
            return Failed(src_key, dst_key, exc)

    def collect(futures: Iterable[cf.Future[Copied | Failed]]) -> None:
        for future in futures:
            outcome = future.result()
            if isinstance(outcome, Copied):
                result.copied.append(outcome)
            else:
                result.failed.append(outcome)
            if on_done is not None:
                on_done(outcome)

    pool = cf.ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="cn-copy")
    pending: set[cf.Future[Copied | Failed]] = set()
    try:
        for src_key, dst_key in pairs:
            if len(pending) >= 2 * concurrency:
                done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                collect(done)
            pending.add(pool.submit(one, src_key, dst_key))
        while pending:
            done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            collect(done)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return result
