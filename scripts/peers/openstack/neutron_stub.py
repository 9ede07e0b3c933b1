"""A stub of the Neutron v2.0 API, NOT a real Neutron: just enough for nova-compute to
allocate and deallocate "no networks" for servers created with ``networks='none'``.

Every listed collection is empty; any other request answers 404. It is not in the Keystone
catalogue (Nova reaches it through ``[neutron] endpoint_override``), so clients see a cloud
without a network service. Usage: ``python3 neutron_stub.py [PORT]`` (default 9696).
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlparse

LISTS = frozenset(
    {"ports", "networks", "subnets", "floatingips", "security-groups", "extensions", "trunks", "qos/policies"}
)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _send(self, code: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        path = urlparse(self.path).path.rstrip("/")
        if path in ("", "/v2.0"):
            self._send(
                200,
                {
                    "versions": [
                        {
                            "id": "v2.0",
                            "status": "CURRENT",
                            "links": [{"rel": "self", "href": "http://127.0.0.1:9696/v2.0/"}],
                        }
                    ]
                },
            )
            return
        name = path[len("/v2.0/") :] if path.startswith("/v2.0/") else None
        if name in LISTS:
            self._send(200, {name.replace("-", "_").split("/")[-1]: []})
            return
        self._not_found()

    def _not_found(self) -> None:
        self._send(404, {"NeutronError": {"type": "NotFound", "message": self.path}})

    do_POST = do_PUT = do_DELETE = _not_found

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"{self.command} {self.path}\n")


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9696
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
