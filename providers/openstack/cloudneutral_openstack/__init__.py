"""The OpenStack adapter of cloudneutral: Swift blobs, Nova servers, Cinder volumes over
openstacksdk, and Rackspace as a profile of it.

Connection URLs (options declared by :data:`OPENER` and :data:`RACKSPACE`; any other is
refused by the registry):

- ``openstack://[CONTAINER[/PREFIX]]?cloud=NAME&region=R`` with openstacksdk's own lookup:
  clouds.yaml (``OS_CLIENT_CONFIG_FILE``; ``clouds_yaml=PATH`` reads that file only, without
  ``OS_*`` variables), else ``OS_CLOUD``, else the ``OS_*`` variables; ``auth_url`` replaces the identity URL;
  ``network`` (a network id) is what servers attach to (none when not given).
- ``rackspace://[CONTAINER[/PREFIX]]?region=IAD`` (DFW, ORD, IAD, LON, HKG, SYD) with
  ``RACKSPACE_USERNAME``/``RACKSPACE_API_KEY`` or a clouds.yaml ``cloud``; see
  :mod:`cloudneutral_openstack.rackspace`.

Escape hatch: ``cloud.as_native(openstack.connection.Connection)``; ``cloud.blobs``,
``cloud.servers`` and ``cloud.volumes`` offer the object-store, compute and block-storage
adapters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import openstack.config
import openstack.connection

from cloudneutral.errors import CloudError, ProviderError
from cloudneutral.models import Capability
from cloudneutral.registry import ConnectionURL, Opener, Option

from . import errors, rackspace
from ._session import OPENSTACK, Profile, Session
from .blobs import SwiftBlobDriver
from .servers import NovaServerDriver
from .volumes import CinderVolumeDriver

__all__ = ["CAPABILITIES", "OPENER", "RACKSPACE", "OpenStackDriver"]

#: Everything but conditional deletes (Swift evaluates no If-Match on DELETE).
CAPABILITIES = frozenset(Capability) - {Capability.BLOB_IF_MATCH}


class OpenStackDriver:
    """One connection to one OpenStack cloud (or Rackspace) and region."""

    def __init__(
        self,
        name: str,
        conn: openstack.connection.Connection,
        profile: Profile,
        capabilities: frozenset[Capability],
        network: str | None = None,
    ) -> None:
        self.name = name
        self.capabilities = capabilities
        self.session = Session(conn, profile, network)
        self.blobs = SwiftBlobDriver(self.session, name)
        self.servers = NovaServerDriver(self.session, name)
        self.volumes = CinderVolumeDriver(self.session, name)

    @property
    def region(self) -> str | None:
        return self.session.region

    def natives(self) -> Sequence[object]:
        return (self.session.conn,)

    def translate_error(self, exc: Exception) -> CloudError:
        """See :mod:`cloudneutral_openstack.errors`."""
        try:
            return errors.translate(exc)
        except Exception:  # the contract: never raise
            return ProviderError(type(exc).__name__)

    def close(self) -> None:
        self.session.close()


def _openstack_connection(url: ConnectionURL) -> openstack.connection.Connection:
    clouds_yaml = url.str_option("clouds_yaml")
    if clouds_yaml:  # that file only: no OS_* variable (OS_CLIENT_CONFIG_FILE would come first)
        config = openstack.config.OpenStackConfig(config_files=[clouds_yaml], load_envvars=False)
    else:
        config = openstack.config.OpenStackConfig()
    region = url.str_option("region")
    options: dict[str, Any] = {"region_name": region} if region else {}
    cloud = config.get_one(cloud=url.str_option("cloud"), **options)
    auth_url = url.str_option("auth_url")
    if auth_url:
        cloud.config.setdefault("auth", {})["auth_url"] = auth_url
    return openstack.connection.Connection(config=cloud)


def open_openstack(url: ConnectionURL) -> OpenStackDriver:
    """The driver of an ``openstack://`` URL (nothing is requested until first use)."""
    return OpenStackDriver(
        "openstack", _openstack_connection(url), OPENSTACK, CAPABILITIES, url.str_option("network")
    )


def open_rackspace(url: ConnectionURL) -> OpenStackDriver:
    """The driver of a ``rackspace://`` URL (nothing is requested until first use)."""
    return OpenStackDriver("rackspace", rackspace.connection(url), rackspace.PROFILE, rackspace.CAPABILITIES)


OPENER = Opener(
    scheme="openstack",
    open_driver=open_openstack,
    options=(
        Option("cloud", help="a cloud of clouds.yaml (else OS_CLOUD, else the OS_* variables)"),
        Option("region", help="the region (else the cloud's region_name)"),
        Option("clouds_yaml", help="read the cloud from this clouds.yaml only (no OS_* variables)"),
        Option("auth_url", "url", help="the identity (Keystone) URL, replacing the cloud's"),
        Option("network", help="id of the network servers attach to (default: none)"),
    ),
    doc="Swift blobs, Nova servers, Cinder volumes and snapshots (openstacksdk)",
)

RACKSPACE = Opener(
    scheme="rackspace",
    open_driver=open_rackspace,
    options=(
        Option("region", help="DFW, ORD, IAD, LON, HKG or SYD (else RACKSPACE_REGION)"),
        Option(
            "cloud", help="a clouds.yaml cloud with auth_type rackspace_apikey (else RACKSPACE_* variables)"
        ),
        Option("auth_url", "url", default=rackspace.AUTH_URL, help="Rackspace identity (Keystone v2.0) URL"),
    ),
    doc="Rackspace Cloud Files, Cloud Servers, Cloud Block Storage (openstacksdk + rackspaceauth)",
)
