"""The Azure adapter of cloudneutral: Blob Storage, ARM virtual machines, managed disks, snapshots.

Connection URL: ``azure://[CONTAINER[/PREFIX]]?account_url=...&subscription=...&resource_group=...&location=...``
with the options of :data:`OPENER`; any other option is refused by the registry.
Credentials come only from the vendor's chains: ``AZURE_STORAGE_CONNECTION_STRING`` for
Blob Storage (else ``DefaultAzureCredential`` for ``account_url``) and
``DefaultAzureCredential`` for ARM (environment, managed identity, Azure CLI ...).
Registered as entry point ``azure`` in ``cloudneutral.providers`` and
``cloudneutral.conformance``.

Escape hatch: ``cloud.blobs.as_native(BlobServiceClient)``; ``cloud.servers`` offers the
``ComputeManagementClient`` and ``NetworkManagementClient``, ``cloud.volumes`` the
``ComputeManagementClient``; ``cloud.as_native(...)`` any client made so far.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cloudneutral.errors import CloudError, ProviderError
from cloudneutral.models import Capability
from cloudneutral.registry import ConnectionURL, Opener, Option

from . import errors
from ._clients import Clients
from .blobs import AzureBlobDriver

if TYPE_CHECKING:
    from ._network import Network
    from .servers import AzureServerDriver
    from .volumes import AzureVolumeDriver

__all__ = ["OPENER", "AzureDriver"]


class AzureDriver:
    """One connection to one storage account and one resource group of one subscription."""

    name = "azure"
    capabilities = frozenset(Capability)

    def __init__(self, url: ConnectionURL) -> None:
        self.url = url
        self.clients = Clients(url)
        copy_poll = url.int_option("copy_poll")
        self.blobs = AzureBlobDriver(
            lambda: self.clients.blob_service, float(1 if copy_poll is None else copy_poll)
        )
        self._sizes = [p.strip() for p in (url.str_option("sizes") or "").split(",") if p.strip()]

    # Compute and network load Azure's management SDKs (about 0.6 s and 60 MB): only when
    # servers or volumes are used, not for a blob-only job.
    @functools.cached_property
    def _network(self) -> Network:
        from ._network import Network

        return Network(self.clients)

    @functools.cached_property
    def servers(self) -> AzureServerDriver:
        from ._catalogue import Catalogue
        from .servers import AzureServerDriver

        return AzureServerDriver(self.clients, self._network, Catalogue(self.clients, self._sizes))

    @functools.cached_property
    def volumes(self) -> AzureVolumeDriver:
        from .volumes import AzureVolumeDriver

        return AzureVolumeDriver(self.clients, self._network)

    def natives(self) -> Sequence[object]:
        """The SDK clients this connection can make (made now if need be; no request is sent)."""
        return tuple(self.clients.available())

    def translate_error(self, exc: Exception) -> CloudError:
        """See :mod:`cloudneutral_azure.errors`."""
        try:
            return errors.translate(exc)
        except Exception:  # the contract: never raise
            return ProviderError(type(exc).__name__)

    def close(self) -> None:
        self.clients.close()


OPENER = Opener(
    scheme="azure",
    open_driver=AzureDriver,
    options=(
        Option(
            "account_url",
            "url",
            help="Blob Storage endpoint, e.g. https://ACCOUNT.blob.core.windows.net (else the one of "
            "AZURE_STORAGE_CONNECTION_STRING)",
        ),
        Option("subscription", help="ARM subscription id (else AZURE_SUBSCRIPTION_ID)"),
        Option("resource_group", default="cloudneutral", help="the resource group the adapter manages"),
        Option("location", default="eastus", help="Azure location of servers, volumes and the catalogue"),
        Option("endpoint", "url", help="ARM endpoint (default https://management.azure.com; a test peer)"),
        Option(
            "polling_interval",
            "int",
            help="seconds between status polls of the operations the adapter waits for (network set-up)",
            minimum=0,
        ),
        Option("copy_poll", "int", 1, "seconds between status polls of a pending blob copy", minimum=0),
        Option("sizes", help="comma-separated size-name patterns limiting the size catalogue"),
    ),
    doc="Blob Storage, ARM virtual machines, managed disks and snapshots (azure-storage-blob, azure-mgmt-*)",
)
