"""cloudneutral-tinyblob: an example third-party adapter (blobs over the TinyBlob service).

Connection URL: ``tinyblob://[BUCKET[/PREFIX]]?endpoint_url=http://HOST:PORT[&timeout=S]``.
The bearer token, when the service wants one, comes from the environment
(``TINYBLOB_TOKEN``), never from the URL: the registry refuses option names that mean a
secret. Registered as entry point ``tinyblob`` of group ``cloudneutral.providers``
(pyproject.toml); its conformance harness is :mod:`.conformance`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cloudneutral.driver import ProviderDriver
from cloudneutral.errors import CloudError, ConfigurationError, ProviderError
from cloudneutral.models import Capability
from cloudneutral.registry import ConnectionURL, Opener, Option

from . import errors
from .blobs import TinyBlobDriver
from .client import TinyBlobClient

__all__ = ["OPENER", "TOKEN_VARIABLE", "TinyBlobProvider"]

#: The environment variable holding the service's bearer token (optional).
TOKEN_VARIABLE = "TINYBLOB_TOKEN"

C = Capability


class TinyBlobProvider:
    """One connection to a TinyBlob endpoint. Satisfies :class:`cloudneutral.driver.ProviderDriver`."""

    name = "tinyblob"
    #: Only what the conformance suite proves. TinyBlob has no servers or volumes: their
    #: tests are skipped with the reason "provider lacks servers" on the report card.
    capabilities: frozenset[Capability] = frozenset(
        {
            C.BLOBS,
            C.BLOB_RANGE,
            C.BLOB_COPY,
            C.BLOB_METADATA,
            C.BLOB_CONTENT_TYPE,
            C.BLOB_MULTIPART,
            C.BLOB_IF_MATCH,
        }
    )
    servers = None
    volumes = None

    def __init__(self, url: ConnectionURL) -> None:
        endpoint = url.str_option("endpoint_url")
        if endpoint is None:
            raise ConfigurationError("tinyblob needs ?endpoint_url=http://HOST:PORT")
        timeout = url.int_option("timeout") or 30
        self.client = TinyBlobClient(endpoint, os.environ.get(TOKEN_VARIABLE) or None, float(timeout))
        self.blobs = TinyBlobDriver(self.client)

    def natives(self) -> Sequence[object]:
        return (self.client,)

    def translate_error(self, exc: Exception) -> CloudError:
        """See :mod:`.errors`. Never raises."""
        try:
            return errors.translate(exc)
        except Exception:  # the contract: never raise
            return ProviderError(type(exc).__name__)

    def close(self) -> None:
        """Nothing to release: every request has its own connection."""


OPENER = Opener(
    scheme="tinyblob",
    open_driver=TinyBlobProvider,
    options=(
        Option("endpoint_url", "url", help="the TinyBlob service, e.g. http://127.0.0.1:8750"),
        Option("timeout", "int", default=30, minimum=1, help="seconds to wait for an answer"),
    ),
    doc="TinyBlob (the example third-party adapter): buckets and blobs",
)

if TYPE_CHECKING:  # mypy proves the driver satisfies the protocol the portable layer calls
    _check: ProviderDriver = TinyBlobProvider(ConnectionURL("tinyblob"))
