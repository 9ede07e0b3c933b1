"""HTTP/1.1 on the wire, for the fault proxy: heads, body framing, closing sockets.

Bodies are never held whole: :func:`body_pieces` yields the raw bytes of a body in pieces
of at most :data:`CHUNK` bytes, each tagged as payload or framing (chunk-size lines, the
CRLF after a chunk, trailers), so a relay can forward them unchanged while knowing the
offset of every payload byte.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from typing import Literal

__all__ = [
    "CHUNK",
    "Framing",
    "Head",
    "SocketReader",
    "WireError",
    "arm_reset",
    "body_pieces",
    "half_close_and_drain",
    "is_idle",
    "read_head",
    "simple_head",
    "wait_readable",
]

#: Largest piece read or forwarded at once.
CHUNK = 64 * 1024
MAX_LINE = 64 * 1024
MAX_HEADERS = 256


class WireError(Exception):
    """Malformed HTTP, or a peer that closed in the middle of a message."""


class SocketReader:
    """A buffered reader over a blocking socket that can tell whether bytes are buffered."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._buf = bytearray()

    def buffered(self) -> int:
        """Bytes already received and not yet consumed."""
        return len(self._buf)

    def _fill(self) -> bool:
        data = self.sock.recv(CHUNK)
        if not data:
            return False
        self._buf += data
        return True

    def readline(self) -> bytes:
        """One line with its line ending; ``b""`` at end of stream before any byte.
        Raises :class:`WireError` for an overlong line or end of stream inside one."""
        start = 0
        while True:
            end = self._buf.find(b"\n", start)
            if end >= 0:
                line = bytes(self._buf[: end + 1])
                del self._buf[: end + 1]
                return line
            if len(self._buf) > MAX_LINE:
                raise WireError("line too long")
            start = len(self._buf)
            if not self._fill():
                if self._buf:
                    raise WireError("connection closed inside a line")
                return b""

    def read_some(self, limit: int) -> bytes:
        """Up to ``limit`` bytes (at least one), or ``b""`` at end of stream."""
        if self._buf:
            data = bytes(self._buf[:limit])
            del self._buf[:limit]
            return data
        return self.sock.recv(min(limit, CHUNK))


@dataclass(frozen=True)
class Head:
    """A request or response head: its first line, its header fields, its exact bytes."""

    start: str
    headers: tuple[tuple[str, str], ...]
    raw: bytes

    def get(self, name: str) -> str | None:
        """The field's value (repeated fields joined by ``", "``), or ``None``."""
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return ", ".join(values) if values else None

    def tokens(self, name: str) -> list[str]:
        """The comma-separated, lower-cased tokens of a field such as ``Connection``."""
        value = self.get(name) or ""
        return [t.strip().lower() for t in value.split(",") if t.strip()]

    def replace(self, *, drop: frozenset[str] = frozenset(), add: tuple[tuple[str, str], ...] = ()) -> Head:
        """A copy without the fields named in ``drop`` (lower case), plus ``add``."""
        kept = tuple((k, v) for k, v in self.headers if k.lower() not in drop) + add
        raw = "".join([self.start, "\r\n", *(f"{k}: {v}\r\n" for k, v in kept), "\r\n"])
        return Head(self.start, kept, raw.encode("latin-1"))


def read_head(reader: SocketReader) -> Head | None:
    """The next head from ``reader``; ``None`` at a clean end of stream before it.
    Raises :class:`WireError` for malformed input."""
    raw = bytearray()
    line = reader.readline()
    while line in (b"\r\n", b"\n"):  # RFC 9112 2.2: ignore empty lines before a message
        line = reader.readline()
    if not line:
        return None
    start = line.rstrip(b"\r\n")
    raw += line
    headers: list[tuple[str, str]] = []
    while True:
        line = reader.readline()
        if not line:
            raise WireError("connection closed inside a head")
        raw += line
        if line in (b"\r\n", b"\n"):
            break
        if line[:1] in (b" ", b"\t"):
            raise WireError("obsolete line folding")
        name, sep, value = line.decode("latin-1").partition(":")
        if not sep or not name or name != name.strip():
            raise WireError(f"malformed header line {line[:80]!r}")
        headers.append((name, value.strip()))
        if len(headers) > MAX_HEADERS:
            raise WireError("too many header fields")
    return Head(start.decode("latin-1"), tuple(headers), bytes(raw))


@dataclass(frozen=True)
class Framing:
    """How a body is delimited: none, ``length`` bytes, chunked, or by closing."""

    kind: Literal["none", "length", "chunked", "close"]
    length: int = 0

    @property
    def has_body(self) -> bool:
        return self.kind != "none" and not (self.kind == "length" and self.length == 0)

    @staticmethod
    def of(head: Head, *, request: bool) -> Framing:
        """The framing a head declares (RFC 9112 6.3), for a message that may have a body.
        Raises :class:`WireError` for contradictory or invalid framing."""
        codings = head.tokens("Transfer-Encoding")
        if codings:
            if codings[-1] == "chunked":
                return Framing("chunked")
            if request:
                raise WireError("request Transfer-Encoding without chunked")
            return Framing("close")
        lengths = {v.strip() for v in (head.get("Content-Length") or "").split(",") if v.strip()}
        if not lengths:
            return Framing("none") if request else Framing("close")
        if len(lengths) > 1 or not next(iter(lengths)).isdigit():
            raise WireError(f"bad Content-Length {head.get('Content-Length')!r}")
        return Framing("length", int(next(iter(lengths))))


def body_pieces(reader: SocketReader, framing: Framing) -> Iterator[tuple[bytes, bool]]:
    """The raw bytes of a body as ``(piece, is_payload)`` pairs, at most :data:`CHUNK` each.
    Raises :class:`WireError` when the body ends early or chunk framing is malformed."""
    if framing.kind == "length":
        yield from _payload(reader, framing.length)
    elif framing.kind == "close":
        while data := reader.read_some(CHUNK):
            yield data, True
    elif framing.kind == "chunked":
        while True:
            line = reader.readline()
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise WireError(f"bad chunk size line {line[:40]!r}") from None
            if size < 0 or not line.endswith(b"\n"):
                raise WireError(f"bad chunk size line {line[:40]!r}")
            yield line, False
            if size == 0:
                break
            yield from _payload(reader, size)
            end = reader.readline()
            if end not in (b"\r\n", b"\n"):
                raise WireError("chunk not followed by CRLF")
            yield end, False
        while True:  # trailer section, then the empty line
            line = reader.readline()
            if not line:
                raise WireError("connection closed inside a chunked trailer")
            yield line, False
            if line in (b"\r\n", b"\n"):
                break


def _payload(reader: SocketReader, length: int) -> Iterator[tuple[bytes, bool]]:
    remaining = length
    while remaining:
        data = reader.read_some(min(remaining, CHUNK))
        if not data:
            raise WireError(f"connection closed with {remaining} of {length} body bytes missing")
        remaining -= len(data)
        yield data, True


def simple_head(code: int, headers: tuple[tuple[str, str], ...]) -> Head:
    """A response head made here (not relayed): ``HTTP/1.1 code reason`` and ``headers``."""
    try:
        reason = HTTPStatus(code).phrase
    except ValueError:
        reason = "Unknown"
    return Head(f"HTTP/1.1 {code} {reason}", (), b"").replace(add=headers)


def wait_readable(socks: list[socket.socket], timeout: float | None) -> list[socket.socket]:
    """The sockets of ``socks`` that are readable (data, end of stream or error) within
    ``timeout`` seconds. Uses ``poll`` where there is one: no limit on descriptor numbers."""
    if not hasattr(select, "poll"):  # pragma: no cover - Windows
        return select.select(socks, [], [], timeout)[0]
    poller = select.poll()
    by_fd = {}
    for sock in socks:
        poller.register(sock, select.POLLIN | select.POLLPRI)
        by_fd[sock.fileno()] = sock
    ready = poller.poll(None if timeout is None else max(0, int(timeout * 1000)))
    return [by_fd[fd] for fd, _ in ready]


def is_idle(sock: socket.socket) -> bool:
    """Whether a connection has nothing to say: no byte waiting, no end of stream, no error."""
    try:
        sock.setblocking(False)
        try:
            sock.recv(1, socket.MSG_PEEK)  # returns only if a byte or end of stream waits
            return False
        finally:
            sock.setblocking(True)
    except BlockingIOError:
        return True
    except OSError:
        return False


def arm_reset(sock: socket.socket) -> None:
    """Make the next close abort the connection: the peer sees a TCP reset (``SO_LINGER`` 0)."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def half_close_and_drain(sock: socket.socket, drain_seconds: float = 2.0) -> None:
    """Send FIN, then read and drop what the peer still sends (for up to ``drain_seconds``),
    so that closing afterwards does not turn unread input into a reset that could destroy a
    response the peer has not read yet. Does not close ``sock``."""
    try:
        sock.shutdown(socket.SHUT_WR)
        remaining = 16 * CHUNK
        while remaining > 0:
            if not wait_readable([sock], drain_seconds):
                break
            data = sock.recv(CHUNK)
            if not data:
                break
            remaining -= len(data)
    except (OSError, ValueError):
        pass
