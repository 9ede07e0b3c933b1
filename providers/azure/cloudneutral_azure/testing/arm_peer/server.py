"""The HTTP side of the ARM test peer: a threaded stdlib server on loopback, JSON in and out.

Every request needs ``Authorization: Bearer <anything>`` (401 ``AuthenticationFailed``
otherwise, ARM's code and wording); the token is never checked, stored or logged. Request
lines are not logged either (set ``log=True`` to log method and path only).
"""

from __future__ import annotations

import json
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .arm import Arm, Reply

__all__ = ["make_server"]


def _handler(arm: Arm, log: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "cloudneutral-arm-peer"

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in two writes: without this, Nagle's algorithm and the
            # client's delayed ACK add ~40 ms to every answer.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if not (self.headers.get("Authorization") or "").startswith("Bearer "):
                reply = Reply(
                    401,
                    {
                        "error": {
                            "code": "AuthenticationFailed",
                            "message": "Authentication failed. The 'Authorization' header is missing.",
                        }
                    },
                )
            else:
                try:
                    body: Any = json.loads(raw) if raw.strip() else None
                except ValueError:
                    reply = Reply(
                        400,
                        {
                            "error": {
                                "code": "InvalidRequestContent",  # ARM's code; synthesized
                                "message": "The request content was invalid and could not be deserialized.",
                            }
                        },
                    )
                else:
                    base = f"http://{self.headers.get('Host') or '127.0.0.1'}"
                    try:
                        reply = arm.handle(
                            self.command, parts.path, query, body, base, dict(self.headers.items())
                        )
                    except Exception as exc:  # a peer bug: answer 500 rather than drop the connection
                        reply = Reply(500, {"error": {"code": "InternalServerError", "message": repr(exc)}})
            self._send(reply)

        def _send(self, reply: Reply) -> None:
            data = (
                b""
                if reply.body is None or self.command == "HEAD"
                else json.dumps(reply.body).encode("utf-8")
            )
            self.send_response(reply.status)
            self.send_header("Cache-Control", "no-cache")
            self.send_header("x-ms-request-id", str(uuid.uuid4()))
            if reply.body is not None:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if data:
                self.wfile.write(data)

        do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = do_HEAD = _serve

        def log_message(self, format: str, *args: Any) -> None:
            if log:
                super().log_message("%s %s", self.command, urlsplit(self.path).path)

    return Handler


def make_server(arm: Arm, port: int = 0, *, log: bool = False) -> ThreadingHTTPServer:
    """A server on ``127.0.0.1:port`` (0: a free port) answering with ``arm``; not yet serving."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(arm, log))
    server.daemon_threads = True
    return server


def serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    """Serve ``server`` from a daemon thread."""
    thread = threading.Thread(target=server.serve_forever, name="arm-peer", daemon=True)
    thread.start()
    return thread


__all__ += ["serve_in_thread"]
