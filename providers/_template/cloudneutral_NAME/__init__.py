"""The NAME adapter of cloudneutral (a skeleton: copy it, then fill it in service by service).

Connection URL: ``NAME://[BUCKET[/PREFIX]][?option=value&...]`` with the options
:data:`OPENER` declares (the registry refuses any other, converts types and fills in
defaults; read them with ``url.str_option(...)``, ``url.int_option(...)``). Credentials
come only from the vendor SDK's standard chain (environment, profile files), never from
the URL: the registry refuses option names that mean a secret.

Registered as entry point ``NAME`` in group ``cloudneutral.providers``. The portable layer
does validation, paging loops, waiting, retries, splitting writes into parts, checksums
and capability checks; this package only translates between the portable model and the SDK.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cloudneutral.driver import ProviderDriver
from cloudneutral.errors import CloudError, ProviderError
from cloudneutral.models import Capability
from cloudneutral.registry import ConnectionURL, Opener, Option

from . import errors
from .blobs import NameBlobDriver
from .servers import NameServerDriver
from .volumes import NameVolumeDriver

__all__ = ["OPENER", "NameDriver"]


class NameDriver:
    """One connection to NAME. Satisfies :class:`cloudneutral.driver.ProviderDriver`."""

    name = "NAME"
    #: Declare a capability only once the driver methods it needs work (see README.md): the
    #: portable layer refuses what is not declared, and the suite proves what is.
    capabilities: frozenset[Capability] = frozenset()

    def __init__(self, url: ConnectionURL) -> None:
        self.url = url
        # Create the SDK client(s) here, e.g. ``vendor.Client(region=url.str_option("region"))``.
        self.blobs = NameBlobDriver()
        self.servers = NameServerDriver()
        self.volumes = NameVolumeDriver()

    def natives(self) -> Sequence[object]:
        """The SDK objects of the whole connection (a session, a client), for ``as_native``."""
        return ()

    def translate_error(self, exc: Exception) -> CloudError:
        """See :mod:`.errors`. Never raises."""
        try:
            return errors.translate(exc)
        except Exception:  # the contract: never raise
            return ProviderError(type(exc).__name__)

    def close(self) -> None:
        """Release the SDK's connections. Idempotent."""


OPENER = Opener(
    scheme="NAME",
    open_driver=NameDriver,
    options=(
        Option("region", help="the region to connect to"),
        Option("endpoint_url", "url", help="an endpoint speaking NAME's API (an emulator)"),
    ),
    doc="NAME (describe what the adapter covers)",
)

if TYPE_CHECKING:  # mypy proves the driver satisfies the protocol the portable layer calls
    _check: ProviderDriver = NameDriver(ConnectionURL("NAME"))
