"""Reading one large source object as a few long ranged reads that feed parallel parts.

A read costs a provider a fixed amount whatever its length (a request, a time to first
byte; for some emulators a pass over the whole object), so a large object is not read
as one range per part: it is cut into *segments* of several parts, each one ranged read
consumed in order by the parts it holds, while the parts of different segments are read
in parallel as the engine's memory gate lets them in. The next segment's read is opened
as soon as the current one is, so its time to first byte passes while this one streams.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING

from .._reading import BlobReader
from ..errors import IntegrityError
from ..transfer import Cancel, Cancelled

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future

    from ..blobs import BucketHandle
    from ..models import BlobInfo

__all__ = ["Segments"]


class Segments:
    """Bytes of the blob ``head`` describes, read from ``src`` in segments of
    ``segment_size`` bytes (a multiple of the part size), opened on ``opener``'s threads.

    :meth:`read` is called from several threads, each for one part; the parts of one
    segment must be asked for in order of offset (a part waits for the one before it).
    Each segment is size-checked and resumes after drops (:class:`~cloudneutral.BlobReader`);
    one that answers for another version of the object than ``head`` -> ``IntegrityError``.
    After :meth:`close` (a cancelled or failed object) waiting and new reads raise
    :class:`~cloudneutral.transfer.Cancelled` and every open read is released.
    """

    def __init__(
        self, src: BucketHandle, head: BlobInfo, segment_size: int, cancel: Cancel, opener: Executor
    ) -> None:
        self._src, self._head, self._cancel, self._opener = src, head, cancel, opener
        self._segment_size = segment_size
        self._count = -(-head.size // segment_size)
        self._turn = threading.Condition()
        self._opening: dict[int, Future[_Stream]] = {}
        self._positions: dict[int, int] = {}
        self._closed = False

    def read(self, offset: int, size: int) -> bytes:
        """Bytes ``[offset, offset + size)``, once the segment has delivered what precedes them."""
        index = offset // self._segment_size
        start = index * self._segment_size
        end = min(start + self._segment_size, self._head.size)
        with self._turn:
            while self._positions.get(index, start) != offset:
                if self._closed:
                    raise Cancelled("copy cancelled")
                self._turn.wait(0.2)
                self._cancel.check()
            opening = self._reader(index)
            if index + 1 < self._count:
                self._reader(index + 1)  # its first byte is on the way while this one streams
        stream = opening.result()
        data = stream.take(size)
        with self._turn:
            if offset + size >= end:
                stream.finish()
                del self._opening[index]
            self._positions[index] = offset + size
            self._turn.notify_all()
        return data

    def _reader(self, index: int) -> Future[_Stream]:
        """The read of segment ``index``, opened now if it is not yet (call under ``_turn``)."""
        opening = self._opening.get(index)
        if opening is None:
            if self._closed:
                raise Cancelled("copy cancelled")
            opening = self._opener.submit(self._open, index)
            self._opening[index] = opening
        return opening

    def _open(self, index: int) -> _Stream:
        start = index * self._segment_size
        end = min(start + self._segment_size, self._head.size)
        reader = self._src.open(self._head.key, start, end)
        if None not in (reader.info.etag, self._head.etag) and reader.info.etag != self._head.etag:
            reader.close()
            raise IntegrityError(f"{self._src.name}/{self._head.key} changed while it was read")
        return _Stream(reader)

    def close(self) -> None:
        """Stop: waiting reads raise ``Cancelled``; every read opened, or still opening, is released."""
        with self._turn:
            self._closed = True
            openings, self._opening = list(self._opening.values()), {}
            self._turn.notify_all()
        for opening in openings:
            if not opening.cancel():
                opening.add_done_callback(_release)


def _release(opening: Future[_Stream]) -> None:
    if not opening.cancelled() and opening.exception() is None:
        with contextlib.suppress(Exception):
            opening.result().reader.close()


class _Stream:
    """One segment's read, cut into parts: each part's bytes are copied once, from the
    chunks the provider delivers into the part."""

    def __init__(self, reader: BlobReader) -> None:
        self.reader = reader
        self._chunks = reader.chunks()
        self._left = memoryview(b"")

    def take(self, size: int) -> bytes:
        """The next ``size`` bytes; a read that ends sooner raises ``IntegrityError``."""
        pieces: list[memoryview] = []
        need = size
        while need:
            if not self._left:
                chunk = next(self._chunks, None)
                if chunk is None:
                    where = f"{self.reader.info.bucket}/{self.reader.info.key}"
                    raise IntegrityError(f"{where}: read ended {need} bytes short")
                self._left = memoryview(chunk)
            pieces.append(self._left[:need])
            need -= len(pieces[-1])
            self._left = self._left[len(pieces[-1]) :]
        return b"".join(pieces)

    def finish(self) -> None:
        """At the end of the segment: the reader checks the size it delivered (a longer
        read raises ``IntegrityError`` too), and lets go of the connection."""
        try:
            if self._left or next(self._chunks, None) is not None:
                where = f"{self.reader.info.bucket}/{self.reader.info.key}"
                raise IntegrityError(f"{where}: read delivered more bytes than asked for")
        finally:
            self.reader.close()
