"""Volumes and snapshots on EBS: the :class:`cloudneutral.driver.VolumeDriver` of AWS.

A volume's or snapshot's name is its ``Name`` tag. Without a zone, a volume goes to the
first availability zone of the region; without a device, an attachment takes the first
free one of ``/dev/sdf`` .. ``/dev/sdp``. Snapshots are listed by owner (the caller's
account, asked of STS once per connection), never the public ones.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from typing import Any

from cloudneutral.driver import VolumeRequest
from cloudneutral.errors import Conflict, NotFound
from cloudneutral.models import Attachment, Page, Snapshot, SnapshotState, Volume, VolumeState

from ._clients import Clients
from ._ec2util import max_results, name_of, tag_spec, tags_of

__all__ = ["SNAPSHOT_STATES", "VOLUME_STATES", "EbsVolumeDriver"]

PROVIDER = "aws"

VOLUME_STATES: dict[str, VolumeState] = {
    "creating": VolumeState.CREATING,
    "available": VolumeState.AVAILABLE,
    "in-use": VolumeState.IN_USE,
    "deleting": VolumeState.DELETING,
    "deleted": VolumeState.DELETED,
    "error": VolumeState.ERROR,
}
SNAPSHOT_STATES: dict[str, SnapshotState] = {
    "pending": SnapshotState.PENDING,
    "completed": SnapshotState.AVAILABLE,
    "error": SnapshotState.ERROR,
    "recoverable": SnapshotState.UNKNOWN,
    "recovering": SnapshotState.PENDING,
}
#: Device letters EC2 recommends for EBS data volumes on Linux.
_DEVICE_LETTERS = string.ascii_lowercase[5:16]  # f .. p


def _volume(native: Mapping[str, Any]) -> Volume:
    attachments = tuple(
        Attachment(volume_id=a["VolumeId"], server_id=a["InstanceId"], device=a.get("Device"))
        for a in native.get("Attachments") or ()
        if a.get("State") != "detached"
    )
    return Volume(
        id=native["VolumeId"],
        name=name_of(native),
        size_gib=native.get("Size", 0),
        state=VOLUME_STATES.get(native.get("State", ""), VolumeState.UNKNOWN),
        zone=native.get("AvailabilityZone"),
        attachments=attachments,
        snapshot_id=native.get("SnapshotId") or None,
        created=native.get("CreateTime"),
        tags=tags_of(native),
        provider=PROVIDER,
        native=native,
    )


def _snapshot(native: Mapping[str, Any]) -> Snapshot:
    return Snapshot(
        id=native["SnapshotId"],
        name=name_of(native),
        volume_id=native.get("VolumeId", ""),
        size_gib=native.get("VolumeSize", 0),
        state=SNAPSHOT_STATES.get(native.get("State", ""), SnapshotState.UNKNOWN),
        created=native.get("StartTime"),
        provider=PROVIDER,
        native=native,
    )


class EbsVolumeDriver:
    """EBS volumes and the account's own snapshots in one region."""

    def __init__(self, clients: Clients) -> None:
        self._clients = clients
        self._default_zone: str | None = None

    def natives(self) -> Sequence[object]:
        return (self._clients.ec2,)

    def _zone(self) -> str:
        if self._default_zone is None:
            zones = self._clients.ec2.describe_availability_zones(
                Filters=[{"Name": "state", "Values": ["available"]}]
            )["AvailabilityZones"]
            if not zones:
                raise NotFound(f"region {self._clients.region} has no available zone")
            self._default_zone = sorted(z["ZoneName"] for z in zones)[0]
        return self._default_zone

    # -- volumes --------------------------------------------------------------------------
    def create_volume(self, request: VolumeRequest) -> Volume:
        params: dict[str, Any] = {
            "Size": request.size_gib,
            "AvailabilityZone": request.zone or self._zone(),
            "TagSpecifications": tag_spec("volume", request.name, request.tags),
        }
        if request.snapshot_id:
            params["SnapshotId"] = request.snapshot_id
        return _volume(self._clients.ec2.create_volume(**params))

    def get_volume(self, volume_id: str) -> Volume:
        volumes = self._clients.ec2.describe_volumes(VolumeIds=[volume_id]).get("Volumes", [])
        if not volumes:
            raise NotFound(f"no volume {volume_id!r}")
        return _volume(volumes[0])

    def list_volumes(self, page_size: int, token: str | None) -> Page[Volume]:
        params: dict[str, Any] = {"MaxResults": max_results(page_size, high=500)}
        if token is not None:
            params["NextToken"] = token
        response = self._clients.ec2.describe_volumes(**params)
        return Page(tuple(_volume(v) for v in response.get("Volumes", [])), response.get("NextToken") or None)

    def delete_volume(self, volume_id: str) -> None:
        self._clients.ec2.delete_volume(VolumeId=volume_id)

    def attach_volume(self, volume_id: str, server_id: str, device: str | None) -> None:
        # EC2 refuses a volume in use (VolumeInUse); some endpoints (moto) accept it: look first.
        attached = self.get_volume(volume_id).attachments
        if attached:
            raise Conflict(f"volume {volume_id} is in use by {', '.join(a.server_id for a in attached)}")
        device = device or self._free_device(server_id)
        self._clients.ec2.attach_volume(VolumeId=volume_id, InstanceId=server_id, Device=device)

    def _free_device(self, server_id: str) -> str:
        reservations = self._clients.ec2.describe_instances(InstanceIds=[server_id]).get("Reservations", [])
        used = {
            m.get("DeviceName", "").replace("/dev/xvd", "/dev/sd")
            for r in reservations
            for i in r.get("Instances", [])
            for m in i.get("BlockDeviceMappings") or ()
        }
        for letter in _DEVICE_LETTERS:
            if f"/dev/sd{letter}" not in used:
                return f"/dev/sd{letter}"
        raise Conflict(f"server {server_id} has no free device in /dev/sdf../dev/sdp")

    def detach_volume(self, volume_id: str, server_id: str, device: str | None) -> None:
        ec2 = self._clients.ec2
        if device is None:  # moto answers 500 without a device; EC2 accepts both
            attached = [a for a in self.get_volume(volume_id).attachments if a.server_id == server_id]
            device = attached[0].device if attached else None
        params: dict[str, Any] = {"VolumeId": volume_id, "InstanceId": server_id}
        if device:
            params["Device"] = device
        ec2.detach_volume(**params)

    # -- snapshots ---------------------------------------------------------------------------
    def create_snapshot(self, volume_id: str, name: str) -> Snapshot:
        response = self._clients.ec2.create_snapshot(
            VolumeId=volume_id, TagSpecifications=tag_spec("snapshot", name, {})
        )
        return _snapshot(response)

    def get_snapshot(self, snapshot_id: str) -> Snapshot:
        snapshots = self._clients.ec2.describe_snapshots(SnapshotIds=[snapshot_id]).get("Snapshots", [])
        if not snapshots:
            raise NotFound(f"no snapshot {snapshot_id!r}")
        return _snapshot(snapshots[0])

    def list_snapshots(self, page_size: int, token: str | None) -> Page[Snapshot]:
        # The owner filter too: some endpoints (moto) ignore OwnerIds and list public ones.
        params: dict[str, Any] = {
            "OwnerIds": ["self"],
            "Filters": [{"Name": "owner-id", "Values": [self._clients.account_id()]}],
            "MaxResults": max_results(page_size),
        }
        if token is not None:
            params["NextToken"] = token
        response = self._clients.ec2.describe_snapshots(**params)
        snapshots = tuple(_snapshot(s) for s in response.get("Snapshots", []))
        return Page(snapshots, response.get("NextToken") or None)

    def delete_snapshot(self, snapshot_id: str) -> None:
        self._clients.ec2.delete_snapshot(SnapshotId=snapshot_id)
