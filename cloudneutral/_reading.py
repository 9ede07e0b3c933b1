"""Reading blobs: a stream that resumes after dropped connections and verifies what it read.

:class:`BlobReader` knows what it *should* receive (a :class:`ReadCheck`: the size from a
listing or HEAD, and whichever checksums cover the bytes) and compares at the end of the
stream: a short, long or altered read raises ``IntegrityError``, never a silent success.
A transient failure mid-body (a reset connection, a body cut short) re-opens the read at
the byte already delivered, as a range request, within the runtime's retry policy.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator, Sequence

import attrs

from ._runtime import Runtime
from .driver import BlobStream
from .errors import CloudError, IntegrityError
from .models import BlobInfo

__all__ = ["BlobReader", "ReadCheck", "composite_md5"]

Reopen = Callable[[int], tuple[BlobInfo, BlobStream]]


def composite_md5(part_md5s: Sequence[bytes]) -> str:
    """``HEX-N``: the MD5 of the concatenated binary part MD5s and the part count (the form
    of ``checksums["md5-parts"]``, S3's multipart ETag)."""
    return f"{hashlib.md5(b''.join(part_md5s)).hexdigest()}-{len(part_md5s)}"


@attrs.frozen
class ReadCheck:
    """What a read must deliver. ``size`` in bytes (``None``: unknown); ``md5``/``sha256`` of
    the whole content; ``md5_parts`` with ``part_sizes``: the composite of consecutive parts."""

    size: int | None = None
    md5: str | None = None
    sha256: str | None = None
    md5_parts: str | None = None
    part_sizes: tuple[int, ...] = ()

    @property
    def how(self) -> str:
        """How the read is verified: ``sha256``, ``md5``, ``md5-parts``, ``size`` or ``none``."""
        if self.sha256:
            return "sha256"
        if self.md5:
            return "md5"
        if self.md5_parts and self.part_sizes:
            return "md5-parts"
        return "size" if self.size is not None else "none"


class _Hasher:
    """The digests a :class:`ReadCheck` needs, fed each byte once."""

    def __init__(self, check: ReadCheck) -> None:
        self._md5 = hashlib.md5() if check.md5 else None
        self._sha256 = hashlib.sha256() if check.sha256 else None
        self._bounds = list(check.part_sizes) if check.md5_parts else []
        self._part = hashlib.md5()
        self._part_left = self._bounds.pop(0) if self._bounds else 0
        self.parts: list[bytes] = []

    def update(self, data: bytes) -> None:
        if self._md5 is not None:
            self._md5.update(data)
        if self._sha256 is not None:
            self._sha256.update(data)
        view = memoryview(data)
        while view and (self._part_left or self._bounds):
            take = min(len(view), self._part_left)
            self._part.update(view[:take])
            view = view[take:]
            self._part_left -= take
            if self._part_left == 0:
                self.parts.append(self._part.digest())
                self._part = hashlib.md5()
                self._part_left = self._bounds.pop(0) if self._bounds else 0

    def digests(self) -> dict[str, str]:
        """The whole-content digests computed (``md5``, ``sha256``), by algorithm."""
        found = {}
        if self._md5 is not None:
            found["md5"] = self._md5.hexdigest()
        if self._sha256 is not None:
            found["sha256"] = self._sha256.hexdigest()
        return found

    def mismatch(self, check: ReadCheck) -> str | None:
        if self._sha256 is not None and self._sha256.hexdigest() != check.sha256:
            return f"SHA-256 {self._sha256.hexdigest()}, expected {check.sha256}"
        if self._md5 is not None and self._md5.hexdigest() != check.md5:
            return f"MD5 {self._md5.hexdigest()}, expected {check.md5}"
        if check.md5_parts and check.part_sizes and composite_md5(self.parts) != check.md5_parts:
            return f"part MD5s {composite_md5(self.parts)}, expected {check.md5_parts}"
        return None


class BlobReader(io.RawIOBase):
    """A readable binary stream over a blob, with its attributes in ``info``.

    Errors while streaming are translated into :mod:`cloudneutral.errors`; a transient one
    resumes the read where it stopped. At the end of the stream what was read is compared
    with ``check``: ``IntegrityError`` on any difference. ``verified`` then says how
    (``sha256``, ``md5``, ``md5-parts``, ``size``). Close it (or use it as a context
    manager) to release the connection early.
    """

    def __init__(
        self,
        runtime: Runtime,
        info: BlobInfo,
        stream: BlobStream,
        *,
        check: ReadCheck,
        start: int = 0,
        reopen: Reopen | None = None,
    ) -> None:
        super().__init__()
        self.info = info
        self.check = check
        self.verified: str | None = None
        self._runtime = runtime
        self._stream = stream
        self._start = start
        self._reopen = reopen
        self._delivered = 0
        self._hasher = _Hasher(check)
        self._pending = memoryview(b"")
        self._eof = False

    @property
    def delivered(self) -> int:
        """Bytes delivered so far."""
        return self._delivered

    @property
    def digests(self) -> dict[str, str]:
        """Once the whole stream was read and verified: the digests of its bytes that the
        verification computed (``md5``, ``sha256``; whichever the checks needed), so a
        writer of the same bytes need not compute them again. Before that: empty."""
        return self._hasher.digests() if self.verified is not None else {}

    def readable(self) -> bool:
        return True

    def _resume(self, cause: BaseException | None, attempt: int) -> bool:
        """Re-open the read after the bytes delivered; ``False`` when it must not be tried."""
        if self._reopen is None or attempt >= self._runtime.retry.attempts:
            return False
        self._runtime.clock.sleep(self._runtime.retry.delay(attempt, self._runtime.rng))
        self._close_stream()
        info, self._stream = self._runtime.call(self._reopen, self._start + self._delivered)
        if None not in (info.etag, self.info.etag) and info.etag != self.info.etag:
            self._close_stream()
            raise IntegrityError(
                f"{self.info.bucket}/{self.info.key} changed while it was read (etag {self.info.etag} "
                f"became {info.etag})",
                provider=self._runtime.provider,
            ) from cause
        return True

    def _next_chunk(self) -> bytes | None:
        attempt = 1
        while not self._eof:
            try:
                chunk = next(self._stream)
            except StopIteration:
                if (
                    self.check.size is not None
                    and self._delivered < self.check.size
                    and self._resume(None, attempt)
                ):
                    attempt += 1
                    continue  # cut short: fetch the rest
                self._eof = True
                self._finish()
                return None
            except Exception as exc:
                error = self._runtime.translated(exc)
                if error.transient and self._resume(exc, attempt):
                    attempt += 1
                    continue
                self._runtime.raise_translated(exc)
            self._delivered += len(chunk)
            self._hasher.update(chunk)
            return chunk
        return None

    def _finish(self) -> None:
        where = f"{self.info.bucket}/{self.info.key}"
        problem = None
        if self.check.size is not None and self._delivered != self.check.size:
            problem = f"read {self._delivered} bytes, expected {self.check.size}"
        else:
            problem = self._hasher.mismatch(self.check)
        if problem is not None:
            raise IntegrityError(f"{where}: {problem}", provider=self._runtime.provider)
        self.verified = self.check.how

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

    def _close_stream(self) -> None:
        try:
            self._stream.close()
        except CloudError:
            raise
        except Exception:  # a connection that fails to close is released anyway
            pass

    def close(self) -> None:
        if not self.closed:
            self._close_stream()
        super().close()
