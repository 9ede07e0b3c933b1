"""Conformance harnesses of the libcloud bridge (entry points ``libcloud-s3`` and
``libcloud-azure`` in ``cloudneutral.conformance``).

``libcloud-s3``: libcloud's S3 driver (signature v4, region ``us-east-1``, plain http) on a
moto server; ``libcloud-azure``: libcloud's Azure Blobs driver on Azurite with the published
development account. ``record`` and ``live`` use the peer ``CN_AWS_ENDPOINT`` /
``CN_AZURE_BLOB_ENDPOINT`` names (``scripts/peers/moto.sh``, ``scripts/peers/azurite.sh``),
else start one with the AWS or Azure adapter's launcher (both in this repository).
``replay`` contacts nothing: requests are recorded against one canonical endpoint per
harness, whatever port the peer had. Credentials are fake (moto) or Azurite's published
key; ``Authorization`` (AWS4 and SharedKey signatures), ``x-amz-date``, ``x-ms-date`` and
the keys themselves are scrubbed from cassettes. Importing this module imports neither
libcloud's peers nor vcrpy.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from cloudneutral.conformance.harness import Harness, Mode
from cloudneutral.conformance.injection import Fault
from cloudneutral.redaction import redact

__all__ = [
    "AZURITE_ACCOUNT",
    "AZURITE_KEY",
    "CASSETTES",
    "LibcloudAzureHarness",
    "LibcloudHarness",
    "LibcloudS3Harness",
    "azure_harness",
    "s3_harness",
]

#: The repository's cassettes (``providers/libcloud/cloudneutral_libcloud`` -> the root).
CASSETTES = Path(__file__).resolve().parents[3] / "cassettes"
#: Azurite's well-known development account and its published key (not a secret, but
#: scrubbed all the same: a real key would be handled the same way).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
FAKE_KEY = "AKIACNLIBCLOUDFAKE01"
FAKE_SECRET = "cn-libcloud-fake-secret-not-a-real-key-01"


def _host_port(endpoint: str) -> tuple[str, int]:
    parts = urlsplit(endpoint)
    return parts.hostname or "127.0.0.1", parts.port or 80


class LibcloudHarness(Harness):
    """What the two harnesses share: canonical endpoints, scrubbing, libcloud's faults."""

    #: ``http://HOST:PORT`` every cassette names.
    canonical: str = ""
    storage: str = ""
    name_prefix = "cn"
    cassettes = str(CASSETTES)
    wait_timeout = 60.0
    fake_clock_live = True
    scrubbed_headers = frozenset({"User-Agent", "x-amz-date", "x-ms-date", "x-amz-content-sha256"})

    def __init__(self, key: str, secret: str, endpoint: str | None) -> None:
        self.key, self.secret = key, secret
        self.endpoint = endpoint
        self._actual = self.canonical
        self._peer: Any = None

    def environment(self, mode: Mode) -> Mapping[str, str]:
        return {"LIBCLOUD_KEY": self.key, "LIBCLOUD_SECRET": self.secret, "LIBCLOUD_TOKEN": ""}

    def url(self, endpoint: str) -> str:
        host, port = _host_port(endpoint)
        return f"libcloud://?storage={self.storage}&host={host}&port={port}&secure=false"

    def start(self, mode: Mode) -> str:
        if mode == "replay":
            self._actual = self.canonical
        elif self.endpoint:
            self._actual = self._root(self.endpoint)
        else:
            self._actual = self._root(self._start_peer())
        return self.url(self._actual)

    def _root(self, endpoint: str) -> str:
        parts = urlsplit(endpoint)
        return f"{parts.scheme}://{parts.netloc}"

    def _start_peer(self) -> str:
        raise NotImplementedError

    def stop(self) -> None:
        peer, self._peer = self._peer, None
        if peer is not None:
            peer.stop()

    # -- hooks of the suite ------------------------------------------------------------
    def native_types(self) -> Mapping[str, Sequence[type]]:
        from libcloud.storage.base import StorageDriver

        return {"blobs": [StorageDriver]}

    #: The service's error answers to the suite's faults: (status, error code); the
    #: exception libcloud raises for each is built by :meth:`native_fault`.
    fault_answers: ClassVar[Mapping[Fault, tuple[int, str]]] = {}

    def native_fault(self, fault: Fault) -> BaseException | None:
        """What libcloud raises when the service answers ``fault`` (as its response classes
        do: ``InvalidCredsError`` with the body for 401 and 403, ``RateLimitReachedError``
        for 429, a ``LibcloudError`` naming the status otherwise), so the suite tests
        :mod:`cloudneutral_libcloud.errors`."""
        from libcloud.common.exceptions import RateLimitReachedError
        from libcloud.common.types import InvalidCredsError, LibcloudError

        status, code = self.fault_answers[fault]
        body = f"<?xml version='1.0'?><Error><Code>{code}</Code><Message>{code}</Message></Error>"
        if status in (401, 403):
            return InvalidCredsError(body)
        if status == 429:
            return RateLimitReachedError()  # type: ignore[no-untyped-call]
        return LibcloudError(f"Unknown error. Status code: {status}")

    # -- cassettes ----------------------------------------------------------------------
    def secrets(self) -> Iterable[str]:
        return (self.secret,) if self.secret else ()

    def _canonical(self, text: str) -> str:
        if self._actual != self.canonical:
            text = text.replace(self._actual, self.canonical)
            text = text.replace(self._actual.split("://", 1)[1], self.canonical.split("://", 1)[1])
        return redact(text, self.secrets())

    def _body(self, body: Any) -> Any:
        if isinstance(body, bytes):
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                return body
            cleaned = self._canonical(text)
            return body if cleaned == text else cleaned.encode("utf-8")
        return self._canonical(body) if isinstance(body, str) else body

    def before_record_request(self, request: Any) -> Any:
        request = copy.deepcopy(request)
        request.uri = self._canonical(request.uri)
        for name in list(request.headers):
            value = request.headers[name]
            if isinstance(value, str):
                request.headers[name] = self._canonical(value)
        request.body = self._body(request.body)
        return request

    def before_record_response(self, response: dict[str, Any]) -> dict[str, Any] | None:
        headers = response.get("headers") or {}
        for name in list(headers):
            headers[name] = [self._canonical(v) if isinstance(v, str) else v for v in headers[name]]
        body = response.get("body") or {}
        if "string" in body:
            body["string"] = self._body(body["string"])
        return response


class LibcloudS3Harness(LibcloudHarness):
    """libcloud's ``S3StorageDriver`` against moto."""

    name = "libcloud-s3"
    canonical = "http://127.0.0.1:5998"
    storage = "s3"
    fault_answers: ClassVar[Mapping[Fault, tuple[int, str]]] = {
        Fault.THROTTLE: (503, "SlowDown"),
        Fault.SERVER_ERROR: (500, "InternalError"),
        Fault.UNAUTHENTICATED: (403, "InvalidAccessKeyId"),
        Fault.FORBIDDEN: (403, "AccessDenied"),
    }

    def __init__(self, key: str = FAKE_KEY, secret: str = FAKE_SECRET, endpoint: str | None = None) -> None:
        super().__init__(key, secret, endpoint or os.environ.get("CN_AWS_ENDPOINT") or None)

    def url(self, endpoint: str) -> str:
        return super().url(endpoint) + "&region=us-east-1"

    def secrets(self) -> Iterable[str]:
        return (self.key, self.secret)

    def _start_peer(self) -> str:
        from cloudneutral_aws.testing import MotoServer

        self._peer = MotoServer()
        return str(self._peer.start())


class LibcloudAzureHarness(LibcloudHarness):
    """libcloud's ``AzureBlobsStorageDriver`` against Azurite."""

    name = "libcloud-azure"
    canonical = "http://127.0.0.1:10001"
    storage = "azure_blobs"
    fault_answers: ClassVar[Mapping[Fault, tuple[int, str]]] = {
        Fault.THROTTLE: (503, "ServerBusy"),
        Fault.SERVER_ERROR: (500, "InternalError"),
        Fault.UNAUTHENTICATED: (403, "AuthenticationFailed"),
        Fault.FORBIDDEN: (403, "AuthorizationPermissionMismatch"),
    }

    def __init__(self, key: str = AZURITE_KEY, endpoint: str | None = None) -> None:
        super().__init__(AZURITE_ACCOUNT, key, endpoint or os.environ.get("CN_AZURE_BLOB_ENDPOINT") or None)

    def environment(self, mode: Mode) -> Mapping[str, str]:
        env = dict(super().environment(mode))
        if self.secret != AZURITE_KEY:
            env["AZURITE_ACCOUNTS"] = f"{AZURITE_ACCOUNT}:{self.secret}"
        return env

    def _start_peer(self) -> str:
        from cloudneutral_azure.testing.azurite import Azurite

        self._peer = Azurite(install=True)
        return str(self._peer.start())


def s3_harness() -> Harness:
    """Entry-point factory: ``libcloud-s3``."""
    return LibcloudS3Harness()


def azure_harness() -> Harness:
    """Entry-point factory: ``libcloud-azure``."""
    return LibcloudAzureHarness()
