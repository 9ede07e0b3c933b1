"""The Rackspace profile: Rackspace's identity, regions, service names and API versions.

Rackspace authenticates with a username and an API key against its Keystone v2.0 identity
(``RAX-KSKEY:apiKeyCredentials``, the ``rackspace_apikey`` plugin of the ``rackspaceauth``
distribution). Its catalogue lists two compute services in older accounts (first-generation
``cloudServers`` without a region, and ``cloudServersOpenStack``: Nova v2 without
microversions), block storage only at a Cinder **v1** URL (``cloudBlockStorage``; bodies
with ``display_name``), Cloud Files (Swift) and Glance v2 (``cloudImages``, unused: the
images come from Nova's image API, as Rackspace's own answers show them). Nova had no
``os-server-start-stop``, no ``os-availability-zone`` (so no ``servers.zones``: regions
list no zones) and no ``os-extended-volumes`` extension: server bodies do not name their
volumes, which come from ``os-volume_attachments`` (``os-volumes``, listed) instead.

Credentials: ``RACKSPACE_USERNAME`` and ``RACKSPACE_API_KEY`` (else ``OS_USERNAME`` and
``OS_API_KEY``), or a clouds.yaml entry named by ``cloud=`` with ``auth_type:
rackspace_apikey``. Never from the URL.
"""

from __future__ import annotations

import os
from typing import Any

import openstack
import openstack.config
import openstack.connection

from cloudneutral.errors import AuthenticationError, ConfigurationError
from cloudneutral.models import Capability
from cloudneutral.registry import ConnectionURL

from ._session import Profile

__all__ = ["AUTH_URL", "CAPABILITIES", "PROFILE", "REGIONS", "connection"]

#: Rackspace's identity service (Keystone v2.0), the default ``auth_url``.
AUTH_URL = "https://identity.api.rackspacecloud.com/v2.0/"
#: Rackspace's public cloud regions.
REGIONS = ("DFW", "ORD", "IAD", "LON", "HKG", "SYD")

PROFILE = Profile(
    "rackspace",
    cinder_v1=True,
    nova_images=True,
    zones=False,
    server_volumes=False,
    networks_none=False,
    compute_service_name="cloudServersOpenStack",
    volume_service_name="cloudBlockStorage",
)

#: What the kept Rackspace answers show the service offered (see
#: cassettes/rackspace/sources/README.md): no stop/start and no zones (absent from the real
#: extension list); no range, copy, large-object or conditional requests of Cloud Files in any kept
#: answer, so none is claimed.
CAPABILITIES = frozenset(
    {
        Capability.BLOBS,
        Capability.BLOB_METADATA,
        Capability.BLOB_CONTENT_TYPE,
        Capability.SERVERS,
        Capability.SERVER_REBOOT,
        Capability.VOLUMES,
        Capability.VOLUME_ATTACH,
        Capability.SNAPSHOTS,
    }
)


def _credentials() -> tuple[str, str] | None:
    for user_var, key_var in (("RACKSPACE_USERNAME", "RACKSPACE_API_KEY"), ("OS_USERNAME", "OS_API_KEY")):
        user, key = os.environ.get(user_var), os.environ.get(key_var)
        if user and key:
            return user, key
    return None


def connection(url: ConnectionURL) -> openstack.connection.Connection:
    """An openstacksdk connection to Rackspace in the URL's region. Raises
    ``ConfigurationError`` (region) or ``AuthenticationError`` (no credentials)."""
    region = (url.str_option("region") or os.environ.get("RACKSPACE_REGION") or "").upper()
    if region not in REGIONS:
        raise ConfigurationError(f"rackspace needs region= one of {', '.join(REGIONS)}, not {region!r}")
    options: dict[str, Any] = {
        "region_name": region,
        "identity_api_version": "2.0",
        "compute_service_name": PROFILE.compute_service_name,
    }
    cloud = url.str_option("cloud")
    if cloud:
        config = openstack.config.OpenStackConfig().get_one(cloud=cloud, **options)
    else:
        found = _credentials()
        if found is None:
            raise AuthenticationError(
                "rackspace credentials missing: set RACKSPACE_USERNAME and RACKSPACE_API_KEY "
                "(or name a clouds.yaml entry with cloud=)"
            )
        user, key = found
        config = openstack.config.OpenStackConfig(load_yaml_config=False, load_envvars=False).get_one(
            auth_type="rackspace_apikey",
            auth={"username": user, "api_key": key, "auth_url": url.str_option("auth_url") or AUTH_URL},
            **options,
        )
    if cloud and url.option("auth_url"):  # given in the URL, not the default
        config.config["auth"]["auth_url"] = url.str_option("auth_url")
    return openstack.connection.Connection(config=config)
