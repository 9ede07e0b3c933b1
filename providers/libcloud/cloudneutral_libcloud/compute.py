"""Servers over a libcloud ``NodeDriver``: a :class:`cloudneutral.driver.ServerDriver`.

Translation only: ``list_sizes``, ``list_images``, ``list_locations``, ``list_nodes``,
``create_node``, ``reboot_node``, ``start_node``/``stop_node`` and ``destroy_node``.
libcloud has no portable "get one node", so :meth:`LibcloudServerDriver.get_server` looks
the node up in ``list_nodes``. States map through :data:`STATES`. Sizes without a vCPU
count in libcloud (most drivers keep it, if at all, in ``extra``) report ``vcpus=0``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from cloudneutral.driver import ServerRequest
from cloudneutral.errors import NotFound
from cloudneutral.models import Image, Page, Region, Server, ServerState, Size

from ._paging import index_page, named_page
from .errors import PROVIDER

__all__ = ["OS_FAMILIES", "STATES", "LibcloudServerDriver", "server_state"]

#: libcloud ``NodeState`` values -> portable states. Suspended and paused nodes are neither
#: running nor gone: they count as stopped. Reconfiguring counts as pending.
STATES: Mapping[str, ServerState] = {
    "running": ServerState.RUNNING,
    "starting": ServerState.PENDING,
    "pending": ServerState.PENDING,
    "reconfiguring": ServerState.PENDING,
    "rebooting": ServerState.REBOOTING,
    "stopping": ServerState.STOPPING,
    "stopped": ServerState.STOPPED,
    "suspended": ServerState.STOPPED,
    "paused": ServerState.STOPPED,
    "terminated": ServerState.TERMINATED,
    "error": ServerState.ERROR,
    "unknown": ServerState.UNKNOWN,
}
#: Lower-case words of image names that name an OS family.
OS_FAMILIES = (
    "ubuntu",
    "debian",
    "centos",
    "rhel",
    "fedora",
    "rocky",
    "alma",
    "suse",
    "windows",
    "slackware",
)
_VCPU_KEYS = ("vcpus", "vcpu", "cpu", "cpus", "cores")


def server_state(raw: object) -> ServerState:
    """The portable state of a libcloud ``NodeState`` (or its string); unknown ones -> ``UNKNOWN``."""
    value = getattr(raw, "value", raw)
    return STATES.get(str(value).lower(), ServerState.UNKNOWN)


def _os(name: str) -> str | None:
    lowered = name.lower()
    return next((family for family in OS_FAMILIES if family in lowered), None)


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError):
        return None


class LibcloudServerDriver:
    """Nodes of one libcloud compute driver. Contracts: :class:`cloudneutral.driver.ServerDriver`."""

    def __init__(self, compute: Any, provider: str = PROVIDER) -> None:
        self.compute = compute
        self._provider = provider

    def natives(self) -> Sequence[object]:
        return (self.compute,)

    # -- model -----------------------------------------------------------------------------
    def _size(self, size: Any) -> Size:
        extra: Mapping[str, Any] = size.extra or {}
        vcpus = next((v for v in (_int(extra.get(k)) for k in _VCPU_KEYS) if v is not None), 0)
        return Size(
            name=str(size.id),
            vcpus=vcpus,
            memory_mib=_int(size.ram) or 0,
            disk_gib=_int(size.disk),
            arch=extra.get("arch") if isinstance(extra.get("arch"), str) else None,
            provider=self._provider,
            native=size,
        )

    def _image(self, image: Any) -> Image:
        name = str(image.name or image.id)
        return Image(id=str(image.id), name=name, os=_os(name), provider=self._provider, native=image)

    def _server(self, node: Any) -> Server:
        extra: Mapping[str, Any] = node.extra or {}
        size = node.size.id if node.size is not None else extra.get("size", extra.get("flavorId", ""))
        image = node.image.id if node.image is not None else extra.get("image", extra.get("imageId", ""))
        created = node.created_at if isinstance(node.created_at, dt.datetime) else None
        tags = extra.get("tags") if isinstance(extra.get("tags"), Mapping) else {}
        return Server(
            id=str(node.id),
            name=str(node.name),
            state=server_state(node.state),
            size=str(size or ""),
            image=str(image or ""),
            zone=extra.get("availability_zone") or extra.get("zone"),
            public_ips=tuple(str(ip) for ip in node.public_ips or ()),
            private_ips=tuple(str(ip) for ip in node.private_ips or ()),
            created=created,
            tags={str(k): str(v) for k, v in (tags or {}).items()},
            provider=self._provider,
            native=node,
        )

    def _node(self, server_id: str) -> Any:
        for node in self.compute.list_nodes():
            if str(node.id) == server_id:
                return node
        raise NotFound(f"no server {server_id!r}", provider=self._provider)

    # -- catalogues ------------------------------------------------------------------------
    def list_sizes(self, page_size: int, token: str | None) -> Page[Size]:
        return index_page([self._size(s) for s in self.compute.list_sizes()], page_size, token)

    def list_images(self, os: str | None, page_size: int, token: str | None) -> Page[Image]:
        images = [self._image(i) for i in self.compute.list_images()]
        return index_page([i for i in images if os is None or i.os == os], page_size, token)

    def get_image(self, image_id: str) -> Image:
        for image in self.compute.list_images():
            if str(image.id) == image_id:
                return self._image(image)
        raise NotFound(f"no image {image_id!r}", provider=self._provider)

    def list_regions(self, page_size: int, token: str | None) -> Page[Region]:
        regions = [
            Region(name=str(loc.id), provider=self._provider, native=loc)
            for loc in self.compute.list_locations()
        ]
        return index_page(regions, page_size, token)

    # -- servers ---------------------------------------------------------------------------
    def create_server(self, request: ServerRequest) -> Server:
        kwargs: dict[str, Any] = {
            "name": request.name,
            "size": request.size.native,
            "image": request.image.native,
        }
        if request.zone is not None:
            matches = [
                loc for loc in self.compute.list_locations() if request.zone in (str(loc.id), loc.name)
            ]
            if not matches:
                raise NotFound(f"no location {request.zone!r}", provider=self._provider)
            kwargs["location"] = matches[0]
        return self._server(self.compute.create_node(**kwargs))

    def get_server(self, server_id: str) -> Server:
        return self._server(self._node(server_id))

    def list_servers(self, page_size: int, token: str | None) -> Page[Server]:
        servers = [self._server(n) for n in self.compute.list_nodes()]
        return named_page(servers, lambda s: s.id, page_size, token)

    def start_server(self, server_id: str) -> None:
        self.compute.start_node(self._node(server_id))

    def stop_server(self, server_id: str) -> None:
        self.compute.stop_node(self._node(server_id))

    def reboot_server(self, server_id: str) -> None:
        self.compute.reboot_node(self._node(server_id))

    def delete_server(self, server_id: str) -> None:
        self.compute.destroy_node(self._node(server_id))
