"""Volumes and snapshots on ARM managed disks: the :class:`cloudneutral.driver.VolumeDriver` of Azure.

A volume is a managed disk of the connection's resource group, a snapshot a (full)
snapshot of one; each is identified by its ARM name. Attaching adds the disk to the VM's
data disks at a LUN (the first free one, or ``device`` given as ``lunN``) by a PUT of the
VM, as azure-cli does; detaching is a PUT of the VM without it. An attachment reports the
VM's name as its server and ``lunN`` as its device (the OS disk's device is ``os``).
Creation, deletion, attach and detach are started and not waited for: the portable layer
waits. Snapshots listed are this resource group's only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.compute.models import Disk, VirtualMachine
from azure.mgmt.compute.models import Snapshot as AzureSnapshot

from cloudneutral.driver import VolumeRequest
from cloudneutral.errors import AlreadyExists, Conflict, NotFound
from cloudneutral.models import Attachment, Page, Snapshot, SnapshotState, Volume, VolumeState

from ._arm import (
    JSON,
    arm_id,
    doc,
    first_page,
    is_group_missing,
    name_of,
    page_after,
    parse_time,
    split_ref,
    status_code,
    values,
    zone_of,
    zones_for,
)
from ._clients import Clients
from ._network import Network

__all__ = ["DISKS", "SNAPSHOTS", "AzureVolumeDriver", "snapshot_state", "volume_state"]

PROVIDER = "azure"
DISKS = "Microsoft.Compute/disks"
SNAPSHOTS = "Microsoft.Compute/snapshots"
MAX_LUNS = 64
#: ``If-None-Match: *``: create, never replace, a disk or snapshot of the same name.
CREATE_ONLY = {"If-None-Match": "*"}
#: What a PUT of an existing VM sends back of its GET (azure-cli's choice; the rest is read-only).
_VM_WRITABLE = ("hardwareProfile", "storageProfile", "osProfile", "networkProfile")


def volume_state(disk: JSON) -> VolumeState:
    """The portable state of a managed disk document."""
    provisioning = str(values(disk, "properties", "provisioningState") or "").lower()
    if provisioning == "failed":
        return VolumeState.ERROR
    if provisioning == "deleting":
        return VolumeState.DELETING
    if disk.get("managedBy"):
        return VolumeState.IN_USE
    if provisioning in ("creating", "updating", ""):
        return VolumeState.CREATING
    return VolumeState.AVAILABLE


def snapshot_state(snap: JSON) -> SnapshotState:
    """The portable state of a snapshot document."""
    provisioning = str(values(snap, "properties", "provisioningState") or "").lower()
    return {
        "succeeded": SnapshotState.AVAILABLE,
        "failed": SnapshotState.ERROR,
        "deleting": SnapshotState.DELETING,
        "creating": SnapshotState.PENDING,
        "updating": SnapshotState.PENDING,
        "": SnapshotState.PENDING,
    }.get(provisioning, SnapshotState.UNKNOWN)


def _luns(vm: JSON) -> dict[str, str]:
    """Lower-cased disk name -> device (``lunN``, ``os``) of a VM's attached disks."""
    storage = values(vm, "properties", "storageProfile") or {}
    devices = {}
    os_disk = storage.get("osDisk") or {}
    if os_disk:
        devices[(os_disk.get("name") or name_of(values(os_disk, "managedDisk", "id"))).lower()] = "os"
    for disk in storage.get("dataDisks") or ():
        if not disk.get("toBeDetached"):
            name = disk.get("name") or name_of(values(disk, "managedDisk", "id"))
            devices[str(name).lower()] = f"lun{disk.get('lun')}"
    return devices


def _lun(device: str | None) -> int | None:
    """The LUN a portable ``device`` names (``lun3`` or ``3``)."""
    if device is None:
        return None
    text = device.lower().removeprefix("lun")
    if not text.isdigit() or int(text) >= MAX_LUNS:
        raise NotFound(f"no LUN {device!r}: devices are lun0 .. lun{MAX_LUNS - 1}")
    return int(text)


class AzureVolumeDriver:
    """Managed disks and snapshots of one resource group."""

    def __init__(self, clients: Clients, network: Network) -> None:
        self._clients = clients
        self._network = network

    def natives(self) -> Sequence[object]:
        return (self._clients.compute,)

    def _ref(self, ref: str) -> tuple[str, str]:
        return split_ref(ref, self._clients.resource_group)

    def _volume(self, native: Any, vms: dict[str, JSON] | None = None) -> Volume:
        disk = doc(native)
        props = disk.get("properties") or {}
        creation = props.get("creationData") or {}
        source = str(creation.get("sourceResourceId") or "")
        attachments: tuple[Attachment, ...] = ()
        owner = disk.get("managedBy")
        if owner:
            vm = (vms or {}).get(name_of(owner).lower()) if vms is not None else self._vm_of(owner)
            device = _luns(vm).get(disk["name"].lower()) if vm else None
            attachments = (Attachment(volume_id=disk["name"], server_id=name_of(owner), device=device),)
        return Volume(
            id=disk["name"],
            name=disk["name"],
            size_gib=int(props.get("diskSizeGB") or 0),
            state=volume_state(disk),
            zone=zone_of(disk.get("location", ""), disk.get("zones")),
            attachments=attachments,
            snapshot_id=name_of(source) if "/snapshots/" in source.lower() else None,
            created=parse_time(props.get("timeCreated")),
            tags=dict(disk.get("tags") or {}),
            provider=PROVIDER,
            native=native,
        )

    def _vm_of(self, vm_id: str) -> JSON | None:
        group, name = split_ref(vm_id, self._clients.resource_group)
        try:
            return doc(self._clients.compute.virtual_machines.get(group, name))
        except Exception:  # the VM may be going away; the attachment then has no device
            return None

    # -- volumes --------------------------------------------------------------------------
    def create_volume(self, request: VolumeRequest) -> Volume:
        clients = self._clients
        creation: JSON = {"createOption": "Empty"}
        if request.snapshot_id:
            group, name = self._ref(request.snapshot_id)
            creation = {
                "createOption": "Copy",
                "sourceResourceId": arm_id(clients.subscription, group, SNAPSHOTS, name),
            }
        body: JSON = {
            "location": clients.location,
            "tags": dict(request.tags),
            "properties": {"creationData": creation, "diskSizeGB": request.size_gib},
        }
        zones = zones_for(clients.location, request.zone)
        if zones:
            body["zones"] = zones

        def create() -> Any:
            return clients.compute.disks.begin_create_or_update(
                clients.resource_group, request.name, Disk(body), polling=False, headers=CREATE_ONLY
            ).result()

        created = doc(self._network.in_group(lambda: _create_only("volume", request.name, create)))
        created.setdefault("name", request.name)
        created.setdefault("location", clients.location)
        return self._volume(created, {})

    def get_volume(self, volume_id: str) -> Volume:
        return self._volume(self._clients.compute.disks.get(*self._ref(volume_id)))

    def list_volumes(self, page_size: int, token: str | None) -> Page[Volume]:
        clients = self._clients

        def fetch(link: str | None) -> tuple[list[Volume], str | None]:
            pager = clients.compute.disks.list_by_resource_group(clients.resource_group)
            disks, next_link = _missing_group_is_empty(lambda: first_page(pager, link))
            vms: dict[str, JSON] = {}
            if any(doc(d).get("managedBy") for d in disks):
                listed = clients.compute.virtual_machines.list(clients.resource_group)
                vms = {str(doc(v)["name"]).lower(): doc(v) for v in listed}
            return [self._volume(d, vms) for d in disks], next_link

        return page_after(fetch, lambda v: v.id, page_size, token)

    def delete_volume(self, volume_id: str) -> None:
        poller = self._clients.compute.disks.begin_delete(
            *self._ref(volume_id), polling=False, cls=status_code
        )
        if poller.result() == 204:  # ARM answers 204 to a DELETE of nothing
            raise NotFound(f"no volume {volume_id!r}")

    # -- attachments ----------------------------------------------------------------------
    def _vm(self, server_id: str) -> tuple[str, str, JSON]:
        group, name = self._ref(server_id)
        return group, name, doc(self._clients.compute.virtual_machines.get(group, name))

    def _put_vm(self, group: str, name: str, vm: JSON, data_disks: list[JSON]) -> None:
        props = vm.get("properties") or {}
        body: JSON = {"location": vm["location"], "tags": dict(vm.get("tags") or {})}
        if vm.get("zones"):
            body["zones"] = vm["zones"]
        body["properties"] = {k: props[k] for k in _VM_WRITABLE if k in props}
        storage = dict(body["properties"].get("storageProfile") or {})
        storage.pop("imageReference", None)
        storage["dataDisks"] = data_disks
        body["properties"]["storageProfile"] = storage
        conditions: dict[str, Any] = {}
        if vm.get("etag"):  # lose no concurrent change of the VM
            conditions = {"etag": vm["etag"], "match_condition": MatchConditions.IfNotModified}
        self._clients.compute.virtual_machines.begin_create_or_update(
            group, name, VirtualMachine(body), polling=False, **conditions
        ).result()

    def attach_volume(self, volume_id: str, server_id: str, device: str | None) -> None:
        clients = self._clients
        disk_group, disk_name = self._ref(volume_id)
        group, name, vm = self._vm(server_id)
        disks: list[JSON] = list(values(vm, "properties", "storageProfile", "dataDisks") or ())
        current = [d for d in disks if not d.get("toBeDetached")]
        if disk_name.lower() in _luns(vm):
            raise Conflict(f"volume {volume_id} is already attached to server {server_id}")
        used = {d.get("lun") for d in current}
        lun = _lun(device)
        if lun is None:
            lun = next((n for n in range(MAX_LUNS) if n not in used), None)
        if lun is None or lun in used:
            raise Conflict(f"server {server_id} has no free LUN {'' if lun is None else lun}".rstrip())
        entry: JSON = {
            "lun": lun,
            "createOption": "Attach",
            "managedDisk": {"id": arm_id(clients.subscription, disk_group, DISKS, disk_name)},
        }
        self._put_vm(group, name, vm, [*current, entry])

    def detach_volume(self, volume_id: str, server_id: str, device: str | None) -> None:
        _, disk_name = self._ref(volume_id)
        group, name, vm = self._vm(server_id)
        disks: list[JSON] = list(values(vm, "properties", "storageProfile", "dataDisks") or ())

        def is_it(disk: JSON) -> bool:
            found = disk.get("name") or name_of(values(disk, "managedDisk", "id"))
            return str(found).lower() == disk_name.lower()

        if not any(is_it(d) and not d.get("toBeDetached") for d in disks):
            raise Conflict(f"volume {volume_id} is not attached to server {server_id}")
        self._put_vm(group, name, vm, [d for d in disks if not is_it(d) and not d.get("toBeDetached")])

    # -- snapshots ------------------------------------------------------------------------
    def _snapshot(self, native: Any) -> Snapshot:
        snap = doc(native)
        props = snap.get("properties") or {}
        return Snapshot(
            id=snap["name"],
            name=snap["name"],
            volume_id=name_of(values(props, "creationData", "sourceResourceId")),
            size_gib=int(props.get("diskSizeGB") or 0),
            state=snapshot_state(snap),
            created=parse_time(props.get("timeCreated")),
            provider=PROVIDER,
            native=native,
        )

    def create_snapshot(self, volume_id: str, name: str) -> Snapshot:
        clients = self._clients
        group, disk = self._ref(volume_id)
        body: JSON = {
            "location": clients.location,
            "properties": {
                "creationData": {
                    "createOption": "Copy",
                    "sourceResourceId": arm_id(clients.subscription, group, DISKS, disk),
                }
            },
        }
        created = doc(
            _create_only(
                "snapshot",
                name,
                lambda: clients.compute.snapshots.begin_create_or_update(
                    clients.resource_group, name, AzureSnapshot(body), polling=False, headers=CREATE_ONLY
                ).result(),
            )
        )
        created.setdefault("name", name)
        return self._snapshot(created)

    def get_snapshot(self, snapshot_id: str) -> Snapshot:
        return self._snapshot(self._clients.compute.snapshots.get(*self._ref(snapshot_id)))

    def list_snapshots(self, page_size: int, token: str | None) -> Page[Snapshot]:
        clients = self._clients

        def fetch(link: str | None) -> tuple[list[Snapshot], str | None]:
            pager = clients.compute.snapshots.list_by_resource_group(clients.resource_group)
            snaps, next_link = _missing_group_is_empty(lambda: first_page(pager, link))
            return [self._snapshot(s) for s in snaps], next_link

        return page_after(fetch, lambda s: s.id, page_size, token)

    def delete_snapshot(self, snapshot_id: str) -> None:
        """Delete and wait (the SDK's poller): the portable layer has no wait for a snapshot's
        deletion, and callers expect it gone on return."""
        poller = self._clients.compute.snapshots.begin_delete(*self._ref(snapshot_id), cls=status_code)
        if poller.result() in (None, 204):  # a 204 (nothing to delete) ends the poller without a result
            raise NotFound(f"no snapshot {snapshot_id!r}")


def _create_only(kind: str, name: str, create: Callable[[], Any]) -> Any:
    """``create()`` (a PUT with ``If-None-Match: *``): 412 means the name is taken."""
    try:
        return create()
    except HttpResponseError as exc:
        if exc.status_code == 412:
            raise AlreadyExists(f"a {kind} named {name!r} exists") from exc
        raise


def _missing_group_is_empty(fetch: Any) -> tuple[list[Any], str | None]:
    """A listing of a resource group that does not exist yet is empty."""
    try:
        result: tuple[list[Any], str | None] = fetch()
    except ResourceNotFoundError as exc:
        if is_group_missing(exc):
            return [], None
        raise
    return result
