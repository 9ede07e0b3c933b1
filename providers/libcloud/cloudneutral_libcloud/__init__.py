"""The libcloud bridge of cloudneutral: apache-libcloud storage and compute drivers.

Connection URL: ``libcloud://[BUCKET[/PREFIX]]?storage=DRIVER[&compute=DRIVER]&...`` with
the options of :data:`OPENER`: ``storage`` and ``compute`` name libcloud providers
(``s3``, ``azure_blobs``, ``minio`` ...; ``dummy``, ``ec2`` ...), ``host``, ``port``,
``secure`` and ``region`` go to the driver constructors, ``driver_args=name:value,...``
passes any other constructor argument. The bucket stays where every cloudneutral URL has
it (``PROVIDER://BUCKET/PREFIX``), so ``cloudneutral ls`` and migrations read it as usual.
Credentials come from the environment only (:mod:`._connect`). Registered as entry point
``libcloud`` in group ``cloudneutral.providers``.

Capabilities are declared per driver, from what its class really implements: blobs (and
ranges where the driver overrides ``download_object_range_as_stream``; metadata and content
type for the S3 and Azure Blobs families, which keep them); servers (reboot, stop/start
where overridden). Never multipart, copy or conditional delete (libcloud has no portable
call for them), never volumes (not bridged).

Escape hatch: ``cloud.blobs.as_native(StorageDriver)``, ``cloud.servers.as_native(NodeDriver)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cloudneutral.driver import ProviderDriver
from cloudneutral.errors import CloudError, ConfigurationError, ProviderError
from cloudneutral.models import Capability
from cloudneutral.registry import ConnectionURL, Opener, Option

from . import errors
from ._connect import compute_driver, storage_driver
from .compute import LibcloudServerDriver
from .storage import LibcloudBlobDriver

__all__ = ["OPENER", "LibcloudDriver", "compute_capabilities", "storage_capabilities"]


def _overrides(obj: Any, base: type, method: str) -> bool:
    return getattr(type(obj), method, None) is not getattr(base, method, None)


def storage_capabilities(storage: Any) -> frozenset[Capability]:
    """What the storage driver ``storage`` really does, as far as libcloud's API shows it."""
    from libcloud.storage.base import StorageDriver
    from libcloud.storage.drivers.azure_blobs import AzureBlobsStorageDriver
    from libcloud.storage.drivers.s3 import BaseS3StorageDriver

    found = {Capability.BLOBS}
    if _overrides(storage, StorageDriver, "download_object_range_as_stream"):
        found.add(Capability.BLOB_RANGE)
    if isinstance(storage, (BaseS3StorageDriver, AzureBlobsStorageDriver)):
        found |= {Capability.BLOB_METADATA, Capability.BLOB_CONTENT_TYPE}
    return frozenset(found)


def compute_capabilities(compute: Any) -> frozenset[Capability]:
    """What the compute driver ``compute`` really does (reboot, stop/start where overridden)."""
    from libcloud.compute.base import NodeDriver

    found = {Capability.SERVERS}
    if _overrides(compute, NodeDriver, "reboot_node"):
        found.add(Capability.SERVER_REBOOT)
    if _overrides(compute, NodeDriver, "start_node") and _overrides(compute, NodeDriver, "stop_node"):
        found.add(Capability.SERVER_STOP_START)
    return frozenset(found)


class LibcloudDriver:
    """One libcloud storage driver and/or one compute driver behind cloudneutral."""

    name = "libcloud"
    volumes = None

    def __init__(self, url: ConnectionURL) -> None:
        self.url = url
        storage_name, compute_name = url.str_option("storage"), url.str_option("compute")
        if not storage_name and not compute_name:
            raise ConfigurationError(
                "libcloud:// needs storage=DRIVER and/or compute=DRIVER (libcloud provider names)"
            )
        self._secrets: tuple[str, ...] = ()
        capabilities: set[Capability] = set()
        self.blobs: LibcloudBlobDriver | None = None
        self.servers: LibcloudServerDriver | None = None
        if storage_name:
            storage, creds = storage_driver(url, storage_name)
            self._secrets += creds.values()
            from libcloud.storage.drivers.azure_blobs import AzureBlobsStorageDriver

            underscore = isinstance(storage, AzureBlobsStorageDriver)
            self.blobs = LibcloudBlobDriver(storage, underscore_reserved=underscore)
            capabilities |= storage_capabilities(storage)
        if compute_name:
            compute, creds = compute_driver(url, compute_name)
            self._secrets += creds.values()
            self.servers = LibcloudServerDriver(compute)
            capabilities |= compute_capabilities(compute)
        self.capabilities = frozenset(capabilities)

    def natives(self) -> Sequence[object]:
        return tuple(n for d in (self.blobs, self.servers) if d is not None for n in d.natives())

    def translate_error(self, exc: Exception) -> CloudError:
        """See :mod:`cloudneutral_libcloud.errors`."""
        try:
            return errors.translate(exc, self._secrets)
        except Exception:  # the contract: never raise
            return ProviderError(type(exc).__name__, provider=errors.PROVIDER)

    def close(self) -> None:
        """libcloud keeps no pool worth closing beyond its ``requests`` session."""
        for driver in (self.blobs, self.servers):
            connection = getattr(
                getattr(driver, "storage", getattr(driver, "compute", None)), "connection", None
            )
            session = getattr(connection, "session", None)
            close = getattr(session, "close", None)
            if callable(close):
                close()


OPENER = Opener(
    scheme="libcloud",
    open_driver=LibcloudDriver,
    options=(
        Option("storage", help="libcloud storage provider name: s3, azure_blobs, minio, ..."),
        Option("compute", help="libcloud compute provider name: dummy, ec2, openstack, ..."),
        Option("host", help="the service's host (an emulator, a private endpoint)"),
        Option("port", "int", help="the service's port", minimum=1),
        Option("secure", "bool", True, help="https (true) or http (false)"),
        Option("region", help="the driver's region argument (S3: us-east-1, eu-west-1 ...)"),
        Option("driver_args", help="other constructor arguments: name:value,name:value"),
    ),
    doc="apache-libcloud storage (containers, objects) and compute (nodes) drivers",
)

if TYPE_CHECKING:  # mypy proves the driver satisfies the protocol the portable layer calls
    _check: ProviderDriver = LibcloudDriver(ConnectionURL("libcloud"))
