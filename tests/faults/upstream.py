"""A tiny stdlib HTTP/1.1 server for the fault proxy tests (loopback, threads, keep-alive).

Routes: ``GET|HEAD /bytes/N`` (N pattern bytes, ``Content-Length``), ``GET /chunked/N``
(chunked, 1000-byte chunks, a trailer), ``GET /close/N`` (close-delimited),
``GET /status/CODE``, ``PUT|POST /echo`` (the request body back, with ``X-Length``,
``X-Sha256``, ``X-Host``, ``X-Expect``), ``PUT /sink`` (body read and dropped; answer has its
length and SHA-256). ``PUT /silent...`` never answers ``Expect: 100-continue``;
``PUT /refuse...`` answers it with a final 403. Every request handled is recorded.
"""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MIB = 1024 * 1024


def pattern(n: int, offset: int = 0) -> bytes:
    """``n`` deterministic bytes, the ones at ``offset`` onwards of an endless pattern."""
    block = bytes(range(251))  # a prime period: shifted windows differ
    start = offset % 251
    reps = (start + n) // 251 + 1
    return (block * reps)[start : start + n]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Upstream

    def log_message(self, format: str, *args: object) -> None:
        pass

    def handle_expect_100(self) -> bool:
        if self.path.startswith("/silent"):  # never says 100 Continue
            return True
        if self.path.startswith("/refuse"):
            self.send_error(403, "refused before the body")
            return False
        return super().handle_expect_100()

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            data = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(data)
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _record(self) -> None:
        with self.server.lock:
            self.server.requests.append((self.command, self.path, dict(self.headers.items())))

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        self._record()
        parts = self.path.partition("?")[0].strip("/").split("/")
        if parts[0] == "bytes":
            data = pattern(int(parts[1]))
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        elif parts[0] == "chunked":
            data = pattern(int(parts[1]))
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Trailer", "X-Done")
            self.end_headers()
            for i in range(0, len(data), 1000):
                piece = data[i : i + 1000]
                self.wfile.write(b"%x;ext=1\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\nX-Done: yes\r\n\r\n")
        elif parts[0] == "close":
            data = pattern(int(parts[1]))
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
            self.close_connection = True
        elif parts[0] == "status":
            code = int(parts[1])
            body = f"status {code}".encode() if code not in (204, 304) else b""
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)

    def do_PUT(self) -> None:
        body = self._body()
        self._record()
        digest = hashlib.sha256(body).hexdigest()
        echo = not self.path.startswith("/sink")
        self.send_response(200)
        self.send_header("X-Length", str(len(body)))
        self.send_header("X-Sha256", digest)
        self.send_header("X-Host", self.headers.get("Host") or "")
        self.send_header("X-Expect", self.headers.get("Expect") or "")
        self.send_header("Content-Length", str(len(body) if echo else 0))
        self.end_headers()
        if echo:
            self.wfile.write(body)

    do_POST = do_PUT


class Upstream(ThreadingHTTPServer):
    """The server, on a free loopback port; ``requests`` lists (method, path, headers)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.connections = 0
        self._thread = threading.Thread(
            target=self.serve_forever, args=(0.05,), name="test-upstream", daemon=True
        )

    def get_request(self):  # type: ignore[no-untyped-def]
        with self.lock:
            self.connections += 1
        return super().get_request()

    def handle_error(self, request: object, client_address: object) -> None:
        """Quiet: the proxy's faults break connections on purpose."""

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Upstream:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(10)
