"""The conformance harness of TinyBlob (entry point ``tinyblob`` of ``cloudneutral.conformance``).

``record`` and ``live`` start a TinyBlob service on a free loopback port, with a bearer
token, in this process; ``replay`` starts nothing and contacts nothing. Every recorded
request is rewritten to one canonical endpoint, whatever port the service really had, so
replay matches. The committed cassettes are in ``cassettes/`` beside this package (found
from it, so the suite replays from any directory of an editable install).

Hooks of the suite: faults are the service's own error answers raised by the client
(:class:`~.client.TinyBlobError`), so the suite checks :mod:`.errors`; unfinished uploads
are listed through ``cloud.blobs.as_native(TinyBlobClient)``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cloudneutral.conformance.harness import Harness, Mode

from . import TOKEN_VARIABLE
from .blobs import MIN_PART_SIZE
from .client import TinyBlobClient, TinyBlobError

if TYPE_CHECKING:
    from cloudneutral import Cloud
    from cloudneutral.conformance.injection import Fault

    from .server import TinyBlobServer

__all__ = ["CANONICAL_ENDPOINT", "CASSETTES", "TinyBlobHarness", "harness"]

#: The endpoint every cassette names (and replay connects to; nothing listens there).
CANONICAL_ENDPOINT = "http://127.0.0.1:8750"
#: ``examples/thirdparty-adapter/cassettes``: the cassettes live beside the package.
CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
#: A made-up token: the service checks it, the cassettes must never contain it.
DEV_TOKEN = "tb-dev-3c1f9a7e5d2b4c6f"


class TinyBlobHarness(Harness):
    """A TinyBlob service in this process behind the adapter."""

    name = "tinyblob"
    part_size = MIN_PART_SIZE
    large_blob_size = 2 * MIN_PART_SIZE + 7
    modified_resolution = 0.0  # the service reports microseconds
    cassettes = str(CASSETTES)
    #: TinyBlob's own headers that decide an answer, compared in replay besides the generic
    #: ones (Range, If-Match, Content-MD5, Content-Type ...).
    matched_headers = frozenset({"x-tb-metadata", "x-tb-copy-from"})

    def __init__(self, token: str = DEV_TOKEN) -> None:
        self.token = token
        self._server: TinyBlobServer | None = None
        self._actual: str | None = None

    def environment(self, mode: Mode) -> Mapping[str, str]:
        """The token, in every mode (replay sends it too, and it is never recorded)."""
        return {TOKEN_VARIABLE: self.token}

    def start(self, mode: Mode) -> str:
        if mode == "replay":
            self._actual = CANONICAL_ENDPOINT
        else:
            from .server import TinyBlobServer

            self._server = TinyBlobServer(token=self.token)
            self._actual = self._server.start()
        return f"tinyblob://?endpoint_url={self._actual}"

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    # -- hooks of the suite --------------------------------------------------------------------
    def native_types(self) -> Mapping[str, Sequence[type]]:
        return {"": [TinyBlobClient], "blobs": [TinyBlobClient]}

    def native_fault(self, fault: Fault) -> BaseException | None:
        """What the client raises when the service answers ``fault``."""
        from cloudneutral.conformance.injection import Fault

        status, code = {
            Fault.THROTTLE: (503, "SlowDown"),
            Fault.SERVER_ERROR: (500, "InternalError"),
            Fault.UNAUTHENTICATED: (401, "Unauthorized"),
            Fault.FORBIDDEN: (403, "Forbidden"),
        }[fault]
        return TinyBlobError(status, code, "injected by the conformance suite")

    def unfinished_uploads(self, cloud: Cloud, bucket: str) -> list[str] | None:
        client = cloud.blobs.as_native(TinyBlobClient)
        found = client.request("GET", f"/{bucket}", {"uploads": "", "prefix": ""}).json()
        return [u["upload"] for u in found["uploads"]]

    # -- cassettes -----------------------------------------------------------------------------
    def secrets(self) -> Iterable[str]:
        return (self.token,)

    def before_record_request(self, request: Any) -> Any:
        """Point the request at :data:`CANONICAL_ENDPOINT` (the generic scrubbing has
        already removed the ``Authorization`` header)."""
        actual = self._actual
        if actual and actual != CANONICAL_ENDPOINT and request.uri.startswith(actual):
            request = copy.copy(request)
            request.uri = CANONICAL_ENDPOINT + request.uri[len(actual) :]
        return request


def harness() -> Harness:
    """Entry-point factory: ``tinyblob = "cloudneutral_tinyblob.conformance:harness"``."""
    return TinyBlobHarness()
