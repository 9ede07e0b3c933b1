"""The NAME adapter of cloudneutral (a skeleton: copy it, then fill it in service by service).

Connection URL: ``NAME://[BUCKET[/PREFIX]][?option=value&...]``. Document every option
here, e.g. ``region`` and ``endpoint_url``. Credentials come only from the vendor SDK's
standard chain (environment, profile files), never from the URL.

Registered as entry point ``NAME`` in group ``cloudneutral.providers``. The portable layer
does validation, paging loops, waiting, retries, multipart splitting and checksums; this
package only translates between the portable model and the SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cloudneutral.driver import BlobDriver, ComputeDriver, ProviderDriver, VolumeDriver
from cloudneutral.errors import CloudError, ConfigurationError, ProviderError
from cloudneutral.models import Capability
from cloudneutral.registry import ConnectionURL

from . import errors
from .blobs import NameBlobs

__all__ = ["OPTIONS", "NameDriver", "open_provider"]

#: The URL options this adapter understands; anything else is a ``ConfigurationError``.
OPTIONS = ("region", "endpoint_url")


class NameDriver:
    """One connection to NAME. Satisfies :class:`cloudneutral.driver.ProviderDriver`."""

    name: str = "NAME"
    #: Declare only what works: the conformance suite skips (and reports) the rest.
    capabilities: frozenset[Capability] = frozenset()

    def __init__(self, url: ConnectionURL) -> None:
        unknown = sorted(set(url.options) - set(OPTIONS))
        if unknown:
            known = ", ".join(OPTIONS)
            raise ConfigurationError(f"unknown NAME option(s) {', '.join(unknown)}; known: {known}")
        self.url = url
        # Create the SDK client(s) here, e.g. ``vendor.Client(region=url.option("region"))``.
        self.blobs: BlobDriver | None = NameBlobs()
        # ``None`` means "this provider has no such service": ``cloud.servers`` then raises
        # ``Unsupported``. Replace with a ComputeDriver / VolumeDriver when you write them
        # (same pattern as blobs.py: one small module per service).
        self.compute: ComputeDriver | None = None
        self.volumes: VolumeDriver | None = None

    def translate_error(self, exc: Exception) -> CloudError:
        """See :mod:`.errors`. Never raises."""
        try:
            return errors.translate(exc)
        except Exception:  # the contract: never raise
            return ProviderError(type(exc).__name__)

    def close(self) -> None:
        """Release the SDK's connections. Idempotent."""


def open_provider(url: ConnectionURL) -> NameDriver:
    """The entry point: open ``NAME://`` ``url``. Raises ``ConfigurationError`` for bad options."""
    return NameDriver(url)


if TYPE_CHECKING:  # mypy proves the driver satisfies the protocol the portable layer calls
    _check: ProviderDriver = NameDriver(ConnectionURL("NAME"))
