"""Nova's answers in the portable model: server states, sizes, images, servers.

A server's state is its ``status`` refined by ``OS-EXT-STS:task_state``, so that a wait
never sees the old state once Nova accepted an action (``ACTIVE`` while ``powering-off``
is already ``STOPPING``). Observed on the peer (scripts/peers/openstack/ADAPTER-NOTES.md)::

    create   BUILD/scheduling -> BUILD/networking -> ACTIVE
    stop     ACTIVE/powering-off -> SHUTOFF          start  SHUTOFF/powering-on -> ACTIVE
    reboot   REBOOT/rebooting -> REBOOT/reboot_pending -> ACTIVE
    delete   ACTIVE/deleting -> DELETED -> 404       bad image  BUILD -> ERROR
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from cloudneutral.models import Image, Server, ServerState, Size

__all__ = ["ARCHITECTURES", "STATUS", "image_from", "server_from", "size_from", "state_of"]

#: Nova ``status`` -> portable state (before ``task_state`` refines it).
STATUS: dict[str, ServerState] = {
    "BUILD": ServerState.PENDING,
    "REBUILD": ServerState.PENDING,
    "ACTIVE": ServerState.RUNNING,
    "REBOOT": ServerState.REBOOTING,
    "HARD_REBOOT": ServerState.REBOOTING,
    "SHUTOFF": ServerState.STOPPED,
    "STOPPED": ServerState.STOPPED,
    "PAUSED": ServerState.STOPPED,
    "SUSPENDED": ServerState.STOPPED,
    "SHELVED": ServerState.STOPPED,
    "SHELVED_OFFLOADED": ServerState.STOPPED,
    "DELETED": ServerState.TERMINATED,
    "SOFT_DELETED": ServerState.TERMINATED,
    "ERROR": ServerState.ERROR,
}

#: ``task_state`` values that say where an accepted action is taking the server.
_TASKS: dict[str, ServerState] = {
    "powering-off": ServerState.STOPPING,
    "powering-on": ServerState.PENDING,
    "deleting": ServerState.STOPPING,
    "rebooting": ServerState.REBOOTING,
    "reboot_pending": ServerState.REBOOTING,
    "reboot_started": ServerState.REBOOTING,
    "rebooting_hard": ServerState.REBOOTING,
    "reboot_pending_hard": ServerState.REBOOTING,
    "reboot_started_hard": ServerState.REBOOTING,
}

#: Glance/Nova architecture names -> portable ones.
ARCHITECTURES = {
    "x86_64": "x86_64",
    "amd64": "x86_64",
    "x64": "x86_64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "i386": "i386",
    "i686": "i386",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
}


def state_of(status: str | None, task_state: str | None) -> ServerState:
    """The portable state of a Nova ``status`` and ``task_state``."""
    state = STATUS.get((status or "").upper(), ServerState.UNKNOWN)
    if state in (ServerState.RUNNING, ServerState.STOPPED) and task_state in _TASKS:
        return _TASKS[task_state]
    return state


def _arch(value: object) -> str | None:
    return ARCHITECTURES.get(str(value).lower()) if value else None


def size_from(flavor: Any, provider: str) -> Size:
    """A Size from an openstacksdk Flavor (``arch`` from the ``hw:cpu_arch`` or
    ``capabilities:cpu_arch`` extra spec where there is one)."""
    specs: Mapping[str, Any] = flavor.extra_specs or {}
    return Size(
        name=str(flavor.name or flavor.id),
        vcpus=int(flavor.vcpus or 0),
        memory_mib=int(flavor.ram or 0),
        disk_gib=int(flavor.disk) if flavor.disk is not None else None,
        arch=_arch(specs.get("hw:cpu_arch") or specs.get("capabilities:cpu_arch")),
        provider=provider,
        native=flavor,
    )


def _os_family(properties: Mapping[str, Any]) -> str | None:
    distro = properties.get("os_distro") or properties.get("org.openstack__1__os_distro")
    if not distro:
        return None
    family = str(distro).lower()
    return family.removeprefix("com.").removeprefix("org.")


def image_from(item: Mapping[str, Any], provider: str) -> Image:
    """An Image from a Glance v2 image (properties at the top level) or a Nova image
    (properties under ``metadata``): OS family from ``os_distro``, arch from ``architecture``."""
    properties: Mapping[str, Any] = {**(item.get("metadata") or {}), **item}
    return Image(
        id=str(item["id"]),
        name=str(item.get("name") or item["id"]),
        os=_os_family(properties),
        arch=_arch(properties.get("architecture") or properties.get("org.openstack__1__architecture")),
        provider=provider,
        native=item,
    )


def _addresses(addresses: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    public: list[str] = []
    private: list[str] = []
    for network, entries in (addresses or {}).items():
        for entry in entries or ():
            address = entry.get("addr")
            if not address:
                continue
            floating = entry.get("OS-EXT-IPS:type") == "floating" or network == "public"
            (public if floating else private).append(str(address))
    return tuple(public), tuple(private)


def _created(value: object) -> dt.datetime | None:
    if not value:
        return None
    try:
        created = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return created if created.tzinfo else created.replace(tzinfo=dt.timezone.utc)


def server_from(native: Any, provider: str, flavor_names: Mapping[str, str]) -> Server:
    """A Server from an openstacksdk Server. The size is the flavor's name: embedded from
    microversion 2.47 (``original_name``), else looked up by id in ``flavor_names``."""
    flavor = native.flavor
    size = ""
    if flavor is not None:
        size = str(flavor.original_name or flavor_names.get(str(flavor.id), flavor.id or ""))
    image = native.image
    public, private = _addresses(native.addresses or {})
    return Server(
        id=str(native.id),
        name=str(native.name or ""),
        state=state_of(native.status, native.task_state),
        size=size,
        image=str(image.id) if image is not None and image.id else "",
        zone=native.availability_zone or None,
        public_ips=public,
        private_ips=private,
        volumes=tuple(str(v["id"]) for v in native.attached_volumes or () if v.get("id")),
        created=_created(native.created_at),
        tags=dict(native.metadata or {}),
        provider=provider,
        native=native,
    )
