"""One client connection of the fault proxy: read requests, forward them, apply faults.

A client connection gets at most one upstream connection at a time; both stay open while
both sides keep the connection alive. Heads are forwarded byte for byte (the ``Host``
header and every signed header unchanged); bodies stream through in pieces of at most
:data:`~cloudneutral.conformance._wire.CHUNK` bytes with their framing, so memory stays
bounded whatever their size. ``Expect: 100-continue`` goes to the upstream, whose interim
or final answer comes back; if the upstream says nothing within ``expect_timeout`` the
proxy tells the client to continue itself.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import tempfile
import threading
from collections.abc import Iterator, Mapping
from typing import IO, Protocol

from ._faultspec import (
    AlterRequest,
    AlterResponse,
    Delay,
    Fault,
    Record,
    ResetAfterForward,
    ResetBeforeForward,
    Status,
    TruncateResponse,
)
from ._wire import (
    CHUNK,
    Framing,
    Head,
    SocketReader,
    WireError,
    body_pieces,
    is_idle,
    read_head,
    simple_head,
    wait_readable,
)

__all__ = ["Connection", "Core"]

LOG = logging.getLogger(__name__)
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
SPOOL_IN_MEMORY = 1024 * 1024


class Core(Protocol):
    """What a connection needs from its proxy."""

    expect_timeout: float
    stopping: threading.Event

    def begin(self, method: str, target: str, headers: Mapping[str, str]) -> tuple[Record, Fault | None]:
        """Log a new request and choose the fault for it, if any."""

    def sleep(self, seconds: float) -> bool:
        """Wait; ``False`` when the proxy is stopping."""

    def finish(self, record: Record) -> None:
        """Mark a request done (the proxy has finished with it)."""

    def open_upstream(self) -> socket.socket:
        """A new tracked connection to the upstream. Raises ``OSError``."""

    def close(self, sock: socket.socket, *, how: str = "close") -> None:
        """Untrack and close: ``how`` is ``close``, ``graceful`` (FIN, drain) or ``reset``."""


class _ClientGone(Exception):
    """The client closed or broke its connection: nothing more can be sent to it."""


class _UpstreamGone(Exception):
    """The upstream closed or broke its connection before answering."""


class _Unreachable(Exception):
    """No connection to the upstream could be opened."""


class _Request:
    def __init__(self, head: Head) -> None:
        parts = head.start.split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise WireError(f"bad request line {head.start[:80]!r}")
        self.head = head
        self.method, self.target, self.version = parts
        self.framing = Framing.of(head, request=True)
        self.expect = (
            self.version != "HTTP/1.0"
            and self.framing.has_body
            and (head.get("Expect") or "").strip().lower() == "100-continue"
        )
        tokens = head.tokens("Connection")
        self.keep_alive = "close" not in tokens and (self.version != "HTTP/1.0" or "keep-alive" in tokens)

    def log_headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        for name, value in self.head.headers:
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        return headers


class Connection:
    """Serve one accepted client socket until it closes, the proxy stops, or a fault ends it."""

    def __init__(self, core: Core, client: socket.socket) -> None:
        self.core = core
        self.client = client
        self.creader = SocketReader(client)
        self.up: socket.socket | None = None
        self.ureader: SocketReader | None = None
        self.client_closed = False
        # per request: the client was told to continue; its body was read; the upstream
        # gave a final answer to Expect: 100-continue, so the body was never forwarded
        self.continued = False
        self.body_read = False
        self.body_skipped = False

    # -- the loop ---------------------------------------------------------------------------

    def run(self) -> None:
        """Serve requests one after the other; close everything at the end."""
        try:
            while self._serve_one():
                pass
        finally:
            self._drop_upstream()
            if not self.client_closed:
                # when stopping, a client may be in the middle of sending a body into a
                # receive window that a half-closed socket never reopens: reset it
                self.core.close(self.client, how="reset" if self.core.stopping.is_set() else "graceful")

    def _serve_one(self) -> bool:
        """Handle the next request; whether the client connection stays open."""
        try:
            head = read_head(self.creader)
            if head is None:
                return False
            request = _Request(head)
        except WireError:
            self._send_client_quietly(simple_head(400, (("Content-Length", "0"), ("Connection", "close"))))
            return False
        except OSError:
            return False
        record, fault = self.core.begin(request.method, request.target, request.log_headers())
        record.fault = fault
        self.continued = self.body_read = self.body_skipped = False
        try:
            return self._exchange(request, record, fault)
        except _ClientGone as exc:
            record.error = record.error or f"client connection lost: {exc}"
            return False
        except Exception as exc:  # a bug here must not kill the thread silently
            LOG.exception("fault proxy: unexpected error on %s %s", request.method, request.target)
            record.error = f"proxy error: {exc!r}"
            return False
        finally:
            self.core.finish(record)

    # -- one exchange -----------------------------------------------------------------------

    def _exchange(self, req: _Request, record: Record, fault: Fault | None) -> bool:
        if isinstance(fault, ResetBeforeForward):
            self._reset_client()
            return False
        if isinstance(fault, Delay) and fault.before == "forward" and not self.core.sleep(fault.seconds):
            return False
        if isinstance(fault, Status):
            return self._answer(req, record, fault.code, fault.body, tuple(fault.headers.items()))
        try:
            head = self._forward(req, record, fault)
        except _Unreachable as exc:
            record.error = f"upstream unreachable: {exc}"
            return self._answer(req, record, 502, b"fault proxy: upstream unreachable\n", (), close=True)
        except (_UpstreamGone, WireError, OSError) as exc:
            self._drop_upstream()
            record.error = f"upstream failed: {exc}"
            return self._answer(req, record, 502, b"fault proxy: upstream failed\n", (), close=True)
        if isinstance(fault, Delay) and fault.before == "response" and not self.core.sleep(fault.seconds):
            return False
        try:
            return self._relay_response(req, record, fault, head)
        except (_UpstreamGone, WireError, OSError) as exc:  # the client's own failures are _ClientGone
            self._drop_upstream()
            record.error = f"upstream failed: {exc}"
            if record.status is not None:
                return False  # part of the answer is out: closing is all that is left
            return self._answer(req, record, 502, b"fault proxy: upstream failed\n", (), close=True)

    def _forward(self, req: _Request, record: Record, fault: Fault | None) -> Head:
        """Forward the request and return the upstream's final response head. A request
        without a body is sent again, once, on a new connection when a reused one turns out
        to have been closed by the upstream before it answered anything."""
        while True:
            reused = self._connect()
            try:
                early = self._forward_request(req, record, fault)
                if early is not None:
                    self.body_skipped = True
                    return early
                return self._read_final_head(req)
            except (_UpstreamGone, OSError):
                if not reused or req.framing.has_body or self.continued:
                    raise
                self._drop_upstream()

    def _connect(self) -> bool:
        """Make sure there is an upstream connection; whether an open one was reused."""
        if self.up is not None and _stale(self.up, self.ureader):
            self._drop_upstream()
        if self.up is not None:
            return True
        try:
            self.up = self.core.open_upstream()
        except OSError as exc:
            raise _Unreachable(str(exc)) from exc
        self.ureader = SocketReader(self.up)
        return False

    def _forward_request(self, req: _Request, record: Record, fault: Fault | None) -> Head | None:
        """Send the request upstream; a final response head the upstream sent instead of
        ``100 Continue`` (the body then stays unsent), else ``None``."""
        assert self.up is not None
        self.up.sendall(req.head.raw)
        record.forwarded = True
        if not req.framing.has_body:
            return None
        if req.expect:
            early = self._await_continue()
            if early is not None:
                return early
        alter = fault if isinstance(fault, AlterRequest) else None
        self.body_read = True
        upstream_ok = True
        position = 0
        for piece, payload in self._client_pieces(req.framing):
            if payload:
                record.request_bytes += len(piece)
                if alter is not None and position <= alter.offset < position + len(piece):
                    piece = _flip(piece, alter.offset - position, alter.xor)
                position += len(piece)
            if upstream_ok:
                try:
                    self.up.sendall(piece)
                except OSError:  # it may have answered early; the answer is read next
                    upstream_ok = False
        return None

    def _await_continue(self) -> Head | None:
        """Wait for the upstream's answer to ``Expect: 100-continue``; relay ``100`` or a
        final head, or tell the client to continue when the upstream stays silent."""
        assert self.up is not None and self.ureader is not None
        while not self.creader.buffered():
            ready = wait_readable([self.up, self.client], self.core.expect_timeout)
            if self.up in ready:
                head = self._read_head_upstream()
                code = _status_code(head)
                if code == 100:
                    self._send_client(CONTINUE)
                    self.continued = True
                    return None
                if code < 200:
                    self._send_client(head.raw)
                    continue
                return head
            if not ready:
                self._send_client(CONTINUE)
                self.continued = True
            return None
        return None

    def _read_final_head(self, req: _Request) -> Head:
        """The upstream's final response head; interim ones are relayed (a ``100`` only to a
        client that asked for it and was not told to continue yet)."""
        while True:
            head = self._read_head_upstream()
            code = _status_code(head)
            if code >= 200 or code == 101:
                return head
            if code == 100:
                if req.expect and not self.continued:
                    self._send_client(CONTINUE)
                    self.continued = True
            else:
                self._send_client(head.raw)

    def _read_head_upstream(self) -> Head:
        assert self.ureader is not None
        head = read_head(self.ureader)
        if head is None:
            raise _UpstreamGone("connection closed before a response")
        return head

    # -- answering ----------------------------------------------------------------------------

    def _answer(
        self,
        req: _Request,
        record: Record,
        code: int,
        body: bytes,
        headers: tuple[tuple[str, str], ...],
        *,
        close: bool = False,
    ) -> bool:
        """Answer without the upstream. The request body is read and dropped, unless the
        client waits for ``100 Continue``: then it is never invited and the connection closes."""
        if req.framing.has_body and not self.body_read:
            if req.expect and not self.continued and not self.creader.buffered():
                close = True
            else:
                self.body_read = True
                for piece, payload in self._client_pieces(req.framing):
                    if payload:
                        record.request_bytes += len(piece)
        names = {name.lower() for name, _ in headers}
        extra: list[tuple[str, str]] = []
        if "content-length" not in names and "transfer-encoding" not in names:
            extra.append(("Content-Length", str(len(body))))
        close = close or not req.keep_alive
        if close and "connection" not in names:
            extra.append(("Connection", "close"))
        head = simple_head(code, (*headers, *extra))
        record.status = code
        if req.method == "HEAD":
            self._send_client(head.raw)
        else:
            record.response_bytes = len(body)
            self._send_client(head.raw + body)
        return not close and "close" not in head.tokens("Connection")

    def _relay_response(self, req: _Request, record: Record, fault: Fault | None, head: Head) -> bool:
        assert self.ureader is not None
        code = _status_code(head)
        record.upstream_status = code
        if code == 101:
            record.error = "the upstream switched protocols: upgrades are not supported"
            raise _ClientGone("protocol upgrade")
        framing = _response_framing(req, head, code)
        upstream_keep = _keeps_alive(head) and framing.kind != "close"
        if self.body_skipped:  # final answer to Expect: neither side can go on with this connection
            head = head.replace(drop=frozenset({"connection"}), add=(("Connection", "close"),))
            upstream_keep = False
        client_keep = req.keep_alive and upstream_keep and "close" not in head.tokens("Connection")

        if isinstance(fault, ResetAfterForward):
            for _ in self._upstream_pieces(framing):
                pass
            if not upstream_keep:
                self._drop_upstream()
            self._reset_client()
            return False
        if isinstance(fault, TruncateResponse) and framing.has_body:
            return self._truncate(req, record, fault, head, framing, client_keep, upstream_keep)

        record.status = code
        self._send_client(head.raw)
        alter = fault if isinstance(fault, AlterResponse) else None
        position = 0
        for piece, payload in self._upstream_pieces(framing):
            if payload:
                if alter is not None and position <= alter.offset < position + len(piece):
                    piece = _flip(piece, alter.offset - position, alter.xor)
                position += len(piece)
                record.response_bytes += len(piece)
            self._send_client(piece)
        if not upstream_keep:
            self._drop_upstream()
        if isinstance(fault, TruncateResponse) and not fault.rewrite_length:
            return False  # a response without a body: nothing to cut, the connection still ends
        return client_keep

    def _truncate(
        self,
        req: _Request,
        record: Record,
        fault: TruncateResponse,
        head: Head,
        framing: Framing,
        client_keep: bool,
        upstream_keep: bool,
    ) -> bool:
        """Send the head and part of the body; close unless the length is rewritten."""
        assert self.ureader is not None
        code = _status_code(head)
        if framing.kind != "length" and (fault.fraction is not None or fault.rewrite_length):
            total, spool = _spool(self._upstream_pieces(framing))
            head = head.replace(
                drop=frozenset({"transfer-encoding", "content-length"}), add=(("Content-Length", str(total)),)
            )
            source: Iterator[tuple[bytes, bool]] = _spooled_pieces(spool)
            upstream_done = True
        else:  # chunked or close-delimited bodies are cut after keep_bytes payload bytes as framed
            total = framing.length if framing.kind == "length" else -1
            spool, source, upstream_done = None, self._upstream_pieces(framing), False
        try:
            keep = fault.kept(total) if total >= 0 else (fault.keep_bytes or 0)
            if fault.rewrite_length:
                head = head.replace(drop=frozenset({"content-length"}), add=(("Content-Length", str(keep)),))
            record.status = code
            self._send_client(head.raw)
            sent = 0
            for piece, payload in source:
                if payload:
                    piece = piece[: keep - sent]
                    sent += len(piece)
                    record.response_bytes += len(piece)
                if piece:
                    self._send_client(piece)
                if sent >= keep and (payload or keep == 0):
                    break
            else:
                upstream_done = True
        finally:
            if spool is not None:
                spool.close()
        if not (upstream_done and upstream_keep):
            self._drop_upstream()
        return fault.rewrite_length and client_keep

    # -- sockets ----------------------------------------------------------------------------

    def _client_pieces(self, framing: Framing) -> Iterator[tuple[bytes, bool]]:
        try:
            for piece in body_pieces(self.creader, framing):
                if self.core.stopping.is_set():
                    raise _ClientGone("the proxy is stopping")
                yield piece
        except (WireError, OSError) as exc:
            raise _ClientGone(f"while reading the request body: {exc}") from exc

    def _upstream_pieces(self, framing: Framing) -> Iterator[tuple[bytes, bool]]:
        assert self.ureader is not None
        for piece in body_pieces(self.ureader, framing):
            if self.core.stopping.is_set():
                raise _UpstreamGone("the proxy is stopping")
            yield piece

    def _send_client(self, data: bytes) -> None:
        if self.core.stopping.is_set():
            raise _ClientGone("the proxy is stopping")
        try:
            self.client.sendall(data)
        except OSError as exc:
            raise _ClientGone(str(exc)) from exc

    def _send_client_quietly(self, head: Head) -> None:
        with contextlib.suppress(OSError):
            self.client.sendall(head.raw)

    def _reset_client(self) -> None:
        self.client_closed = True
        self.core.close(self.client, how="reset")

    def _drop_upstream(self) -> None:
        if self.up is not None:
            self.core.close(self.up)
            self.up = self.ureader = None


def _status_code(head: Head) -> int:
    parts = head.start.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit() or len(parts[1]) != 3:
        raise WireError(f"bad status line {head.start[:80]!r}")
    return int(parts[1])


def _response_framing(req: _Request, head: Head, code: int) -> Framing:
    if req.method == "HEAD" or code in (204, 304) or code < 200:
        return Framing("none")
    return Framing.of(head, request=False)


def _keeps_alive(head: Head) -> bool:
    tokens = head.tokens("Connection")
    if head.start.startswith("HTTP/1.0"):
        return "keep-alive" in tokens
    return "close" not in tokens


def _stale(sock: socket.socket, reader: SocketReader | None) -> bool:
    """An idle upstream connection that has something to say (end of stream, garbage)."""
    return bool(reader is not None and reader.buffered()) or not is_idle(sock)


def _flip(piece: bytes, index: int, xor: int) -> bytes:
    altered = bytearray(piece)
    altered[index] ^= xor
    return bytes(altered)


def _spool(pieces: Iterator[tuple[bytes, bool]]) -> tuple[int, IO[bytes]]:
    """The payload of a body, in a temporary file (in memory up to 1 MiB), and its length."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    total = 0
    for piece, payload in pieces:
        if payload:
            spool.write(piece)
            total += len(piece)
    spool.seek(0)
    return total, spool


def _spooled_pieces(spool: IO[bytes]) -> Iterator[tuple[bytes, bool]]:
    while data := spool.read(CHUNK):
        yield data, True
