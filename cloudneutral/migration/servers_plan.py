"""Planning a server migration: what each source server, volume and snapshot becomes.

For each server (not terminated) of the source:

* **size**: the smallest target size with at least the source size's vCPUs and memory
  (never smaller), of the same CPU architecture (the size's, else the image's);
* **image**: the newest target image of the source image's OS family for that architecture
  (size and image are picked together, :func:`cloudneutral.servers.pick_pair`);
* **zone**: the zone of the same name where the target has one, else source zones are
  spread over the target's zones in order (servers that shared a zone still do).

Each volume becomes a volume of the same size in its server's target zone, attached as on
the source: in the source's device order, at the same device when both ends are the same
provider (device names are the provider's), else at the device the target picks. A
volume at a boot device (``/dev/sda1``, ``/dev/xvda`` ...) is the server's boot disk: the
target image brings its own, so it is listed as ``boot`` and not re-created.

**Data.** There is no portable block-data path between providers. Where both ends are the
local provider (volumes expose their bytes, :class:`~cloudneutral.local.LocalVolumeData`),
every byte is copied and read back; elsewhere only the volume is re-created, empty, and the
plan says so. Snapshots of the volumes in the plan are restored only where their bytes can
be moved (a staging volume at the target receives them and is snapshotted); elsewhere they
are listed as what cannot be mapped, with the reason.

What already exists at the target from an earlier run (the journal says so and the target
still has it) is ``done``; what a run began and did not finish is ``create`` again, with the
mapping it was begun with.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import InvalidArgument, NotFound, Unsupported
from ..models import Capability, Image, Server, ServerState, Snapshot, SnapshotState, Volume
from ..servers import fitting_sizes, pick_pair
from ..validation import check_resource_name
from .servers_journal import KINDS, Item, ServerJournal

if TYPE_CHECKING:
    from ..cloud import Cloud

__all__ = ["BOOT_DEVICES", "ServerPlan", "build_server_plan", "zone_map"]

#: Devices at which a volume is a server's boot disk (AWS, Azure, OpenStack, KVM conventions).
BOOT_DEVICES = frozenset({"/dev/sda", "/dev/sda1", "/dev/xvda", "/dev/xvda1", "/dev/vda", "/dev/hda"})
ACTIONS = ("create", "done", "boot", "unmapped")


def zone_map(used: Sequence[str | None], target: Sequence[str]) -> dict[str | None, str | None]:
    """Where each source zone goes: the target zone of the same name, else the source zones
    (sorted) spread over the target's (sorted) in order; ``None`` (the target's default)
    when the target names no zones."""
    zones = sorted(set(target))
    mapping: dict[str | None, str | None] = {None: zones[0] if zones else None}
    others = sorted({z for z in used if z is not None and z not in zones})
    for zone in {z for z in used if z is not None}:
        mapping[zone] = zone if zone in zones else (zones[others.index(zone) % len(zones)] if zones else None)
    return mapping


def _name(name: str, fallback: str) -> str:
    """A portable resource name: ``name`` when it is one, else ``fallback`` (an id) made one."""
    try:
        return check_resource_name("resource", name)
    except InvalidArgument:
        pass
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c == "-") else "-" for c in fallback)
    cleaned = cleaned.strip("-")[:63].rstrip("-")
    return cleaned if cleaned and cleaned[0].isalpha() else f"r-{cleaned}"[:63].rstrip("-")


def _selected(name: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    if include and not any(fnmatch.fnmatchcase(name, p) for p in include):
        return False
    return not any(fnmatch.fnmatchcase(name, p) for p in exclude)


def _has(cloud: Cloud, capability: Capability) -> bool:
    return capability in cloud.capabilities


def offers_volume_bytes(cloud: Cloud) -> bool:
    """Whether the provider's volumes expose their bytes (the local provider's do)."""
    from ..local import LocalProvider

    try:
        cloud.as_native(LocalProvider)
    except Unsupported:
        return False
    return True


class _Mapper:
    """The catalogues of both ends, fetched once, and the mapping of one resource at a time."""

    def __init__(self, src: Cloud, dst: Cloud) -> None:
        self.src, self.dst = src, dst
        self.src_sizes = {s.name: s for s in src.servers.sizes()} if _has(src, Capability.SERVERS) else {}
        self.dst_sizes = dst.servers.sizes() if _has(dst, Capability.SERVERS) else []
        self._src_images: dict[str, Image | None] = {}
        self._dst_images: dict[str, list[Image]] = {}
        self.data_path = offers_volume_bytes(src) and offers_volume_bytes(dst)
        self.same_provider = src.provider == dst.provider
        self.zones: dict[str | None, str | None] = {}

    def src_image(self, image_id: str) -> Image | None:
        if image_id not in self._src_images:
            try:
                self._src_images[image_id] = self.src.servers.find_image(image_id)
            except NotFound:
                self._src_images[image_id] = None
        return self._src_images[image_id]

    def dst_images(self, os: str) -> list[Image]:
        if os not in self._dst_images:
            self._dst_images[os] = self.dst.servers.images(os)
        return self._dst_images[os]

    def server(self, server: Server) -> Item:
        size, image = self.src_sizes.get(server.size), self.src_image(server.image)
        arch = (size.arch if size else None) or (image.arch if image else None)
        source: dict[str, Any] = {
            "size": server.size,
            "vcpus": size.vcpus if size else None,
            "memory_mib": size.memory_mib if size else None,
            "arch": arch,
            "image": server.image,
            "image_name": image.name if image else None,
            "os": image.os if image else None,
            "zone": server.zone,
            "state": server.state.value,
        }
        name = _name(server.name, server.id)

        def unmapped(reason: str) -> Item:
            return Item("server", server.id, name, "unmapped", source, {}, reason=reason)

        if not _has(self.dst, Capability.SERVERS):
            return unmapped(f"{self.dst.provider} has no servers")
        if size is None:
            return unmapped(
                f"size {server.size} is not in the source's catalogue: its vCPUs and memory are unknown"
            )
        if image is None:
            return unmapped(f"image {server.image} is unknown at the source: its OS family cannot be told")
        if not image.os:
            return unmapped(f"the OS family of image {image.name} cannot be told")
        sizes = [s for s in self.dst_sizes if arch is None or s.arch in (None, arch)]
        on = f" for {arch}" if arch else ""
        try:
            fitting_sizes(sizes, None, size.vcpus, size.memory_mib)
        except NotFound:
            need = f"{size.vcpus} vCPUs and {size.memory_mib} MiB{on}"
            return unmapped(f"no size at {self.dst.provider} has at least {need}")
        images = self.dst_images(image.os)
        if not images:
            return unmapped(f"{self.dst.provider} has no image of OS family {image.os}")
        try:
            chosen, picked = pick_pair(
                sizes,
                images,
                size=None,
                min_vcpus=size.vcpus,
                min_memory_mib=size.memory_mib,
                image=None,
                os=image.os,
            )
        except NotFound:
            return unmapped(f"{self.dst.provider} has no {image.os} image{on} on a size that fits")
        target = {
            "size": chosen.name,
            "vcpus": chosen.vcpus,
            "memory_mib": chosen.memory_mib,
            "arch": chosen.arch or picked.arch,
            "image": picked.id,
            "image_name": picked.name,
            "os": picked.os,
            "zone": self.zones.get(server.zone),
            "stop": server.state in (ServerState.STOPPED, ServerState.STOPPING),
            "tags": dict(server.tags),
        }
        return Item("server", server.id, name, "create", source, target)

    def volume(self, volume: Volume, server: Item | None) -> Item:
        attached = volume.attachments[0] if volume.attachments and server is not None else None
        source = {
            "size_gib": volume.size_gib,
            "zone": volume.zone,
            "server": attached.server_id if attached else None,
            "device": attached.device if attached else None,
            "state": volume.state.value,
        }
        name = _name(volume.name, volume.id)
        if attached is not None and server is not None and attached.device in BOOT_DEVICES:
            reason = f"the boot disk of server {server.name}: the target image brings its own"
            return Item("volume", volume.id, name, "boot", source, {}, reason=reason)
        if server is not None and server.action == "unmapped":
            reason = f"it is attached to server {server.name}, which cannot be mapped"
            return Item("volume", volume.id, name, "unmapped", source, {}, reason=reason)
        if not _has(self.dst, Capability.VOLUMES):
            return Item(
                "volume",
                volume.id,
                name,
                "unmapped",
                source,
                {},
                reason=f"{self.dst.provider} has no volumes",
            )
        notes = []
        attach_to = attached.server_id if attached else None
        if attach_to is not None and not _has(self.dst, Capability.VOLUME_ATTACH):
            notes.append(f"not attached: {self.dst.provider} cannot attach volumes")
            attach_to = None
        device = attached.device if attached and self.same_provider else None
        if attach_to is not None and device is None and attached is not None and attached.device:
            notes.append(
                f"device {attached.device} -> the one {self.dst.provider} picks, in the source's order"
            )
        if not self.data_path:
            notes.append(
                f"only the volume is re-created, empty: there is no portable block-data path "
                f"from {self.src.provider} to {self.dst.provider}"
            )
        zone = server.target.get("zone") if server is not None else self.zones.get(volume.zone)
        target = {
            "size_gib": volume.size_gib,
            "zone": zone,
            "server": attach_to,
            "device": device,
            "order": attached.device or "" if attached else "",
            "data": "copy" if self.data_path else "none",
            "tags": dict(volume.tags),
        }
        return Item("volume", volume.id, name, "create", source, target, note="; ".join(notes) or None)

    def snapshot(self, snapshot: Snapshot, volume: Item) -> Item:
        source = {"volume": snapshot.volume_id, "size_gib": snapshot.size_gib, "state": snapshot.state.value}
        name = _name(snapshot.name, snapshot.id)

        def unmapped(reason: str) -> Item:
            return Item("snapshot", snapshot.id, name, "unmapped", source, {}, reason=reason)

        if not _has(self.dst, Capability.SNAPSHOTS) or not _has(self.dst, Capability.VOLUMES):
            return unmapped(f"{self.dst.provider} has no snapshots")
        if not self.data_path:
            return unmapped(
                f"no portable path moves snapshot bytes from {self.src.provider} to {self.dst.provider}"
            )
        if snapshot.state is not SnapshotState.AVAILABLE:
            return unmapped(f"it is {snapshot.state.value}, not available")
        target = {
            "size_gib": snapshot.size_gib,
            "zone": volume.target.get("zone") or self.zones.get(volume.source.get("zone")),
            "volume": snapshot.volume_id,
        }
        note = "its bytes are copied into a staging volume at the target, which is snapshotted, then deleted"
        return Item("snapshot", snapshot.id, name, "create", source, target, note=note)


@attrs.define
class ServerPlan:
    """What a server migration will do, recorded in ``journal``: ``items`` in order (servers,
    then volumes, then snapshots). ``locations`` are the source and destination as given,
    so the plan can be applied as it is (``cloudneutral.apply_servers(plan)``). Close it
    (or use it as a context manager) to close its journal."""

    src: str
    dst: str
    journal: ServerJournal
    items: list[Item] = attrs.field(factory=list)
    locations: tuple[object, object] = attrs.field(default=(None, None), repr=False)

    def close(self) -> None:
        self.journal.close()

    def __enter__(self) -> ServerPlan:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def of(self, kind: str, *actions: str) -> list[Item]:
        """The items of ``kind`` (of ``actions`` only, when given)."""
        return [i for i in self.items if i.kind == kind and (not actions or i.action in actions)]

    @property
    def unmapped(self) -> list[Item]:
        """What cannot be mapped (each with its ``reason``)."""
        return [i for i in self.items if i.action == "unmapped"]

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        """``kind -> action -> count``."""
        return {k: {a: len(self.of(k, a)) for a in ACTIONS if self.of(k, a)} for k in KINDS}

    def summary(self) -> str:
        """``servers: create 2, cannot map 1; volumes: create 3, boot 1; snapshots: none``."""
        words = {"create": "create", "done": "already there", "boot": "boot disk", "unmapped": "cannot map"}
        parts = []
        for kind, counts in self.counts.items():
            text = ", ".join(f"{words[a]} {n}" for a, n in counts.items()) or "none"
            parts.append(f"{kind}s: {text}")
        return "; ".join(parts)

    def lines(self) -> list[str]:
        """The mapping, one resource per line (and a note under it), what cannot be mapped last."""
        out: list[str] = []
        for item in self.items:
            if item.action == "unmapped":
                continue
            out.append(describe(item))
            if item.note and item.action == "create":
                out.append(f"      note: {item.note}")
        if self.unmapped:
            out.append("cannot map:")
            out += [f"  {describe(i)[len('[cannot map] ') :]}" for i in self.unmapped]
        return out

    def as_json(self) -> dict[str, object]:
        return {
            "src": self.src,
            "dst": self.dst,
            "journal": self.journal.path,
            "counts": self.counts,
            "items": [i.as_json() for i in self.items],
        }


def _spec(values: Mapping[str, Any]) -> str:
    arch = values["arch"] or "any arch"
    return f"{values['size']} ({values['vcpus']} vCPUs, {values['memory_mib']} MiB, {arch})"


def describe(item: Item) -> str:
    """One line: what the source has and what it becomes."""
    s, t = item.source, item.target
    head = "create" if item.state == "planned" else "resume"
    head = {"create": head, "done": "done", "boot": "leave", "unmapped": "cannot map"}[item.action]
    where = f"{item.kind} {item.name}" + (f" ({item.src_id})" if item.name != item.src_id else "")
    if item.action in ("boot", "unmapped"):
        return f"[{head}] {where}: {item.reason}"
    if item.kind == "server":
        line = (
            f"[{head}] {where}: {_spec(s)}, {s['image_name'] or s['image']}, zone {s['zone']}, {s['state']}"
            f" -> {_spec(t)}, {t['image_name']} ({t['image']}), zone {t['zone'] or 'default'}"
        )
        line += ", then stopped" if t.get("stop") else ""
    elif item.kind == "volume":
        at = f" at {s['device'] or '?'} of {s['server']}" if s.get("server") else ", not attached"
        to = f", attached at {t['device'] or 'the next device'}" if t.get("server") else ""
        data = ", with its bytes" if t.get("data") == "copy" else ", empty"
        zone = t["zone"] or "the default zone"
        line = f"[{head}] {where}: {s['size_gib']} GiB{at} -> {t['size_gib']} GiB in {zone}{to}{data}"
    else:
        line = f"[{head}] {where} of volume {s['volume']}: {s['size_gib']} GiB -> restored with its bytes"
    return line + (f" = {item.dst_id}" if item.dst_id else "")


def _exists(dst: Cloud, item: Item) -> bool:
    """Whether what ``item`` recorded as created is still at the target."""
    assert item.dst_id is not None
    try:
        if item.kind == "server":
            return dst.servers.get(item.dst_id).state is not ServerState.TERMINATED
        if item.kind == "volume":
            dst.volumes.get(item.dst_id)
        else:
            dst.volumes.get_snapshot(item.dst_id)
    except NotFound:
        return False
    return True


def _merge(fresh: Item, old: Item | None, exists: Callable[[Item], bool]) -> Item:
    """The plan's item given what the journal says of an earlier run."""
    if old is None or old.action in ("unmapped", "boot") or old.state == "planned":
        return fresh
    if old.state == "done" and old.dst_id is not None:
        if exists(old):
            return attrs.evolve(old, action="done", name=fresh.name, source=fresh.source, error=None)
        return fresh  # deleted at the target since: created again
    return attrs.evolve(old, action="create", source=fresh.source)  # begun: finished as it was mapped


def _live_servers(cloud: Cloud) -> Iterator[Server]:
    if not _has(cloud, Capability.SERVERS):
        return iter(())
    return (s for s in cloud.servers.list() if s.state is not ServerState.TERMINATED)


def build_server_plan(
    src: Cloud,
    dst: Cloud,
    journal: ServerJournal,
    *,
    src_name: str,
    dst_name: str,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> ServerPlan:
    """Map every server of ``src`` (named by ``include``/``exclude`` globs, when given), the
    volumes attached to them, the unattached volumes (by name) and their snapshots onto
    ``dst``; record the plan in ``journal`` (nothing is created). See the module docstring."""
    mapper = _Mapper(src, dst)
    every = list(_live_servers(src))
    servers = [s for s in every if _selected(s.name, include, exclude)]
    known = {s.id for s in every}
    volumes = list(src.volumes.list()) if _has(src, Capability.VOLUMES) else []
    attached_to = {v.id: v.attachments[0].server_id for v in volumes if v.attachments}
    chosen = {s.id for s in servers}
    volumes = [
        v
        for v in volumes
        if attached_to.get(v.id) in chosen
        or (attached_to.get(v.id) not in known and _selected(v.name, include, exclude))
    ]
    used = [s.zone for s in servers] + [v.zone for v in volumes if attached_to.get(v.id) not in chosen]
    dst_zones = [z for r in dst.servers.regions() for z in r.zones] if _has(dst, Capability.SERVERS) else []
    mapper.zones = zone_map(used, dst_zones)

    def exists(item: Item) -> bool:
        return _exists(dst, item)

    items: list[Item] = []
    by_server: dict[str, Item] = {}
    for server in servers:
        item = _merge(mapper.server(server), journal.get("server", server.id), exists)
        by_server[server.id] = item
        items.append(item)
    by_volume: dict[str, Item] = {}

    def order(volume: Volume) -> tuple[str, str, str]:
        device = volume.attachments[0].device if volume.attachments else None
        return attached_to.get(volume.id) or "", device or "", volume.id

    for volume in sorted(volumes, key=order):
        server_item = by_server.get(attached_to.get(volume.id) or "")
        item = _merge(mapper.volume(volume, server_item), journal.get("volume", volume.id), exists)
        by_volume[volume.id] = item
        items.append(item)
    if _has(src, Capability.SNAPSHOTS):
        for snapshot in src.volumes.snapshots():
            volume_item = by_volume.get(snapshot.volume_id)
            if volume_item is None or volume_item.action == "boot":
                continue  # only snapshots of the volumes in the plan
            fresh = mapper.snapshot(snapshot, volume_item)
            items.append(_merge(fresh, journal.get("snapshot", snapshot.id), exists))
    journal.put_plan(items)
    journal.set_meta(src=src_name, dst=dst_name)
    return ServerPlan(src_name, dst_name, journal, items)
