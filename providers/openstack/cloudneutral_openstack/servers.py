"""Servers on Nova and the catalogue (flavors, Glance or Nova images, regions, zones): the
:class:`cloudneutral.driver.ServerDriver` of the OpenStack adapter.

Servers are created with ``networks='none'`` unless the URL names a ``network`` (Nova from
microversion 2.37 wants ``networks``; ``'auto'`` needs a full Neutron); Rackspace's Nova
(no microversions) gets no ``networks`` and attaches its default public and private
networks. Images come from Glance v2 filtered by ``os_distro`` on the server side, or, for
Rackspace, from Nova's image API. A server's volumes are in Nova's server body, or, for
Rackspace (no ``os-extended-volumes``), from ``os-volume_attachments``: one more request
per server got or listed. Pages resume after the last id (Nova and Glance ``marker``).
Nothing here waits: the portable layer polls.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import attrs
from openstack import exceptions as ox

from cloudneutral.driver import ServerRequest
from cloudneutral.models import Image, Page, Region, Server, ServerState, Size

from ._nova import image_from, server_from, size_from
from ._session import Session
from ._swift import check

__all__ = ["NovaServerDriver"]


class NovaServerDriver:
    """Servers, flavors, images and regions of one project and region."""

    def __init__(self, session: Session, provider: str) -> None:
        self._session = session
        self._provider = provider
        self._lock = threading.Lock()
        self._flavor_names: dict[str, str] = {}

    @property
    def _compute(self) -> Any:
        return self._session.compute

    def natives(self) -> Sequence[object]:
        return (self._compute,)

    # -- catalogue ------------------------------------------------------------------------
    def list_sizes(self, page_size: int, token: str | None) -> Page[Size]:
        query: dict[str, Any] = {"limit": page_size, "paginated": False}
        if token is not None:
            query["marker"] = token
        flavors = list(self._compute.flavors(details=True, **query))
        with self._lock:
            self._flavor_names.update((str(f.id), str(f.name)) for f in flavors if f.name)
        sizes = tuple(size_from(f, self._provider) for f in flavors)
        return Page(sizes, str(flavors[-1].id) if len(flavors) == page_size else None)

    def list_images(self, os: str | None, page_size: int, token: str | None) -> Page[Image]:
        if self._session.profile.nova_images:
            return self._nova_images(os, page_size, token)
        params: dict[str, Any] = {"limit": page_size, "status": "active"}
        if os is not None:
            params["os_distro"] = os
        if token is not None:
            params["marker"] = token
        body = check(self._session.image.get("/images", params=params)).json()
        items = body.get("images") or []
        images = tuple(image_from(i, self._provider) for i in items)
        return Page(images, str(items[-1]["id"]) if items and body.get("next") else None)

    def _nova_images(self, os: str | None, page_size: int, token: str | None) -> Page[Image]:
        """Nova's image API has no OS filter: the page is filtered here."""
        params: dict[str, Any] = {"limit": page_size}
        if token is not None:
            params["marker"] = token
        items = check(self._compute.get("/images/detail", params=params)).json().get("images") or []
        images = tuple(i for i in (image_from(n, self._provider) for n in items) if os in (None, i.os))
        return Page(images, str(items[-1]["id"]) if len(items) == page_size else None)

    def get_image(self, image_id: str) -> Image:
        if self._session.profile.nova_images:
            body = check(self._compute.get(f"/images/{image_id}")).json()["image"]
        else:
            body = check(self._session.image.get(f"/images/{image_id}")).json()
        return image_from(body, self._provider)

    def list_regions(self, page_size: int, token: str | None) -> Page[Region]:
        """The catalogue's compute regions (one page; native: the region's compute
        endpoints of the catalogue); zones of the connected region only (Nova names one
        region's zones per endpoint)."""
        zones: tuple[str, ...] = ()
        if self._session.profile.zones:
            found = self._compute.availability_zones(details=False)
            zones = tuple(sorted(str(z.name) for z in found if (z.state or {}).get("available", True)))
        regions = tuple(
            Region(
                name=name,
                zones=zones if name == self._session.region else (),
                provider=self._provider,
                native=endpoints,
            )
            for name, endpoints in self._session.regions().items()
        )
        return Page(regions)

    # -- servers ----------------------------------------------------------------------------
    def _server(self, native: Any, attached: bool = False) -> Server:
        """``native`` as a Server; ``attached``: ask Nova for its volumes where the profile's
        server bodies do not name them."""
        flavor = native.flavor
        if flavor is not None and not flavor.original_name and flavor.id:
            self._flavor_name(str(flavor.id))
        with self._lock:
            names = dict(self._flavor_names)
        server = server_from(native, self._provider, names)
        if attached and not self._session.profile.server_volumes:
            server = attrs.evolve(server, volumes=self._volumes_of(server.id))
        return server

    def _volumes_of(self, server_id: str) -> tuple[str, ...]:
        """The volumes attached to ``server_id`` (``GET os-volume_attachments``); none once
        the server is gone (a list may name a server deleted since)."""
        try:
            response = check(self._compute.get(f"/servers/{server_id}/os-volume_attachments"))
        except ox.NotFoundException:
            return ()
        found = response.json().get("volumeAttachments") or []
        return tuple(str(a["volumeId"]) for a in found if a.get("volumeId"))

    def _flavor_name(self, flavor_id: str) -> None:
        """Nova before 2.47 names a server's flavor by id: look its name up once."""
        with self._lock:
            if flavor_id in self._flavor_names:
                return
        try:
            name = self._compute.get_flavor(flavor_id).name
        except ox.NotFoundException:  # a deleted flavor: the size stays its id
            return
        with self._lock:
            self._flavor_names[flavor_id] = str(name or flavor_id)

    def create_server(self, request: ServerRequest) -> Server:
        fields: dict[str, Any] = {
            "name": request.name,
            "image_id": request.image.id,
            "flavor_id": str(getattr(request.size.native, "id", None) or request.size.name),
            "metadata": dict(request.tags),
        }
        if request.zone:
            fields["availability_zone"] = request.zone
        if self._session.network:
            fields["networks"] = [{"uuid": self._session.network}]
        elif self._session.profile.networks_none:
            fields["networks"] = "none"
        created = self._compute.create_server(**fields)
        server = self._server(created)
        if created.status is None:  # the create answer holds no status nor flavor yet
            server = attrs.evolve(server, state=ServerState.PENDING, size=request.size.name)
        return server

    def get_server(self, server_id: str) -> Server:
        return self._server(self._compute.get_server(server_id), attached=True)

    def list_servers(self, page_size: int, token: str | None) -> Page[Server]:
        query: dict[str, Any] = {"limit": page_size, "paginated": False}
        if token is not None:
            query["marker"] = token
        found = list(self._compute.servers(details=True, **query))
        servers = tuple(self._server(s, attached=True) for s in found)
        return Page(servers, str(found[-1].id) if len(found) == page_size else None)

    def start_server(self, server_id: str) -> None:
        self._compute.start_server(server_id)

    def stop_server(self, server_id: str) -> None:
        self._compute.stop_server(server_id)

    def reboot_server(self, server_id: str) -> None:
        self._compute.reboot_server(server_id, "SOFT")

    def delete_server(self, server_id: str) -> None:
        self._compute.delete_server(server_id, ignore_missing=False)
