"""A minimal TinyBlob HTTP client over the standard library's ``http.client``.

vcrpy records and replays ``http.client`` traffic, so the conformance suite can run this
adapter from cassettes. One connection per request keeps the example short and
thread-safe (the portable layer sends parts from several threads); a production adapter
would pool connections. Error answers (status >= 400) raise :class:`TinyBlobError`;
network failures escape as ``OSError`` / ``http.client.HTTPException`` for
:mod:`.errors` to translate.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import attrs

__all__ = ["Answer", "TinyBlobClient", "TinyBlobError", "blob_path"]

_CHUNK = 64 * 1024


class TinyBlobError(Exception):
    """An error answer of the service: its HTTP ``status`` and its ``code``."""

    def __init__(self, status: int, code: str, message: str = "") -> None:
        super().__init__(status, code, message)  # args rebuild it: copies and pickles work
        self.status, self.code, self.message = status, code, message

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}" if self.message else f"{self.status} {self.code}"


def blob_path(bucket: str, key: str) -> str:
    """``/BUCKET/KEY`` with the key as one percent-encoded segment (``/`` included)."""
    return f"/{quote(bucket, safe='')}/{quote(key, safe='')}"


@attrs.frozen
class Answer:
    """A successful answer; ``body`` is empty for streamed answers (read ``stream``)."""

    status: int
    headers: Mapping[str, str]
    body: bytes = b""
    stream: Iterator[bytes] | None = None

    def json(self) -> Any:
        return json.loads(self.body)


class _Stream:
    """The body of a streamed answer, in chunks; closes its connection when done."""

    def __init__(self, connection: http.client.HTTPConnection, response: http.client.HTTPResponse) -> None:
        self._connection, self._response = connection, response

    def __iter__(self) -> _Stream:
        return self

    def __next__(self) -> bytes:
        try:
            chunk = self._response.read(_CHUNK)
        except BaseException:
            self.close()
            raise
        if not chunk:
            self.close()
            raise StopIteration
        return chunk

    def close(self) -> None:
        self._connection.close()


class TinyBlobClient:
    """Requests to one TinyBlob endpoint (the adapter's native object, for ``as_native``)."""

    def __init__(self, endpoint: str, token: str | None = None, timeout: float = 30.0) -> None:
        parts = urlsplit(endpoint)
        self.endpoint = endpoint.rstrip("/")
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout = timeout
        self._token = token

    def request(
        self,
        method: str,
        path: str,
        query: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        stream: bool = False,
    ) -> Answer:
        """Send one request; raise :class:`TinyBlobError` for an error answer."""
        target = path + ("?" + urlencode(query) if query else "")
        sent = dict(headers or {})
        if self._token:
            sent["Authorization"] = f"Bearer {self._token}"
        connection: http.client.HTTPConnection | None
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, target, body=body, headers=sent)
            response = connection.getresponse()
            answered = {k.lower(): v for k, v in response.getheaders()}
            if response.status >= 400:
                raw = response.read()
                try:
                    error = json.loads(raw)
                except ValueError:
                    error = {}
                code = str(error.get("code") or response.reason) if isinstance(error, dict) else "Error"
                message = str(error.get("message", "")) if isinstance(error, dict) else ""
                raise TinyBlobError(response.status, code, message)
            if stream and method != "HEAD":
                opened, connection = _Stream(connection, response), None  # the stream closes it
                return Answer(response.status, answered, stream=opened)
            return Answer(response.status, answered, response.read())
        finally:
            if connection is not None:
                connection.close()
