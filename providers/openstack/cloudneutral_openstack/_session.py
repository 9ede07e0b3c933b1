"""One openstacksdk connection per cloudneutral connection, and the profile of the cloud.

:class:`Profile` says what differs between a current OpenStack (the ``openstack`` scheme)
and Rackspace's older one (``rackspace``): Cinder v3 with ``name`` or Cinder v1 with
``display_name``, images from Glance v2 or from Nova's image API, availability zones or
none, attached volumes in server bodies or from ``os-volume_attachments``,
``networks='none'`` or no ``networks`` at all. :class:`Session` holds the
:class:`openstack.connection.Connection` and the service adapters the drivers use.

Credentials are read only by openstacksdk's own chain (clouds.yaml, ``OS_*``) or, for
Rackspace, from ``RACKSPACE_USERNAME``/``RACKSPACE_API_KEY`` (``OS_USERNAME``/``OS_API_KEY``);
every password, API key and token met is registered with
:func:`cloudneutral.redaction.remember`, tokens as they are issued (a response hook), so
no message or log line of this process can show one. openstacksdk's own retries are off
(the portable layer retries) and nothing here waits.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Mapping
from typing import Any

import attrs
import openstack.connection
from keystoneauth1.adapter import Adapter

from cloudneutral.redaction import remember

__all__ = ["Profile", "Session", "remember_auth"]

#: Keys of an auth dict whose values are secrets.
_SECRET_AUTH_KEYS = ("password", "api_key", "token", "application_credential_secret", "passcode")


@attrs.frozen
class Profile:
    """What differs between clouds speaking the OpenStack APIs."""

    name: str
    #: Cinder v1 field names (``display_name``) and the catalogue's v1 URL, as Rackspace.
    cinder_v1: bool = False
    #: Images from Nova's image API (``/images/detail``) instead of Glance v2.
    nova_images: bool = False
    #: Nova has ``os-availability-zone`` (Rackspace's had not).
    zones: bool = True
    #: Nova's server bodies list attached volumes (``os-extended-volumes:volumes_attached``);
    #: Rackspace's had no ``os-extended-volumes``: ask ``os-volume_attachments`` per server.
    server_volumes: bool = True
    #: Send ``networks='none'`` when no network is named (Nova >= 2.37 needs ``networks``).
    networks_none: bool = True
    #: Service name of compute in the catalogue when it lists more than one compute service.
    compute_service_name: str | None = None
    volume_service_name: str | None = None


OPENSTACK = Profile("openstack")


def remember_auth(auth: Mapping[str, Any]) -> None:
    """Register the secrets of an openstacksdk ``auth`` dict with the redactor."""
    remember(*(str(auth[k]) for k in _SECRET_AUTH_KEYS if auth.get(k)))


def _remember_tokens(response: Any, *args: Any, **kwargs: Any) -> None:
    """requests response hook: remember the token a request carried or a login issued."""
    request = response.request
    token = request.headers.get("X-Auth-Token") if request is not None else None
    issued = response.headers.get("X-Subject-Token")
    remember(token if isinstance(token, str) else None, issued)
    if request is not None and request.method == "POST" and str(request.url).endswith("/tokens"):
        with contextlib.suppress(ValueError, KeyError, TypeError):  # Keystone v2 (Rackspace): in the body
            remember(str(json.loads(response.content)["access"]["token"]["id"]))


class Session:
    """The connection and the adapters of one cloud and region. Thread-safe."""

    def __init__(self, conn: openstack.connection.Connection, profile: Profile, network: str | None) -> None:
        self.conn = conn
        self.profile = profile
        self.network = network
        self.region: str | None = conn.config.get_region_name() or None
        remember_auth(conn.config.config.get("auth") or {})
        hooks = conn.session.session.hooks.setdefault("response", [])
        hooks.append(_remember_tokens)
        self._lock = threading.Lock()
        self._volume: Adapter | None = None

    @property
    def object_store(self) -> Any:
        return self.conn.object_store

    @property
    def compute(self) -> Any:
        return self.conn.compute

    @property
    def image(self) -> Any:
        return self.conn.image

    @property
    def volume(self) -> Adapter:
        """Block storage: openstacksdk's v3 adapter, or (Cinder v1) a plain adapter on the
        catalogue's ``volume`` URL, which needs no version discovery."""
        with self._lock:
            if self._volume is None:
                if self.profile.cinder_v1:
                    self._volume = Adapter(
                        session=self.conn.session,
                        service_type="volume",
                        service_name=self.profile.volume_service_name,
                        interface="public",
                        region_name=self.region,
                    )
                else:
                    self._volume = self.conn.block_storage
            return self._volume

    def regions(self) -> dict[str, list[dict[str, Any]]]:
        """The regions the service catalogue lists for compute, by name, each with its
        compute endpoints as the catalogue gives them (no request once logged in)."""
        auth: Any = self.conn.session.auth
        access = auth.get_access(self.conn.session)
        catalog = access.service_catalog.normalize_catalog()
        found: dict[str, list[dict[str, Any]]] = {}
        for service in catalog:
            if service.get("type") != "compute":
                continue
            if self.profile.compute_service_name and service.get("name") != self.profile.compute_service_name:
                continue
            for endpoint in service.get("endpoints", []):
                region = endpoint.get("region_id") or endpoint.get("region")
                if region:
                    found.setdefault(str(region), []).append(dict(endpoint))
        return dict(sorted(found.items()))

    def close(self) -> None:
        self.conn.close()
