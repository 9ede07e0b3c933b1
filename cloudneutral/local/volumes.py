"""The local :class:`~cloudneutral.driver.VolumeDriver`: volumes with real (sparse) bytes.

Volumes go creating -> available, and are ``in-use`` while attached; ``delete`` ->
deleting -> gone. Snapshots go pending -> available and capture the volume's bytes when
they are taken; a volume created from one starts with those bytes. A volume attaches only
to a running or stopped server in its own zone, one server at a time, at a device such
as ``/dev/vdb`` that is free on that server; breaking any of these rules is a ``Conflict``.

The bytes are reachable through each :class:`~cloudneutral.Volume`'s escape hatch,
``volume.as_native(LocalVolumeData)``, or :meth:`LocalProvider.volume_data`; snapshots
offer :class:`LocalSnapshotData` the same way, read-only.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence

import attrs

from ..driver import VolumeRequest
from ..errors import Conflict, InvalidArgument, NotFound, QuotaExceeded
from ..models import Attachment, Page, Snapshot, SnapshotState, Volume, VolumeState
from ..validation import MAX_VOLUME_GIB
from .lifecycle import GONE, begin, check_zone, new_id, observe, observed_page, require
from .records import AttachmentRecord, SnapshotRecord, VolumeRecord
from .store import DiskStore, StateStore, utcnow

__all__ = ["GIB", "LocalSnapshotData", "LocalVolumeData", "LocalVolumeDriver"]

GIB = 1024**3
_DEVICE = re.compile(r"^/dev/[a-z][a-z0-9]*$")
_DEVICES = tuple(f"/dev/vd{c}" for c in "bcdefghijklmnopqrstuvwxyz")


@attrs.frozen
class LocalSnapshotData:
    """The bytes a local snapshot holds (``size`` bytes), read-only."""

    image: str
    size: int
    _disks: DiskStore = attrs.field(repr=False)

    def _check(self, offset: int, length: int) -> None:
        if offset < 0 or length < 0 or offset + length > self.size:
            raise InvalidArgument(f"range {offset}+{length} is outside the {self.size} bytes of {self.image}")

    def read(self, offset: int, length: int) -> bytes:
        """``length`` bytes from ``offset``; never-written bytes read as zeros.
        A range outside the image -> ``InvalidArgument``; deleted -> ``NotFound``."""
        self._check(offset, length)
        return self._disks.read(self.image, offset, length)

    def extents(self) -> list[tuple[int, int]]:
        """The ``[start, end)`` ranges that may hold data, in order; every byte outside
        them reads as zero (so a copy may skip them). Deleted -> ``NotFound``."""
        return self._disks.extents(self.image)


@attrs.frozen
class LocalVolumeData(LocalSnapshotData):
    """The bytes of a local volume (``size_gib`` GiB), readable and writable like a disk.

    Only written ranges take memory (or, under a root, disk blocks).
    """

    def write(self, offset: int, data: bytes) -> None:
        """Write ``data`` at ``offset``. Outside the volume -> ``InvalidArgument``."""
        self._check(offset, len(data))
        self._disks.write(self.image, offset, bytes(data))


class LocalVolumeDriver:
    """Volumes and snapshots: records in a :class:`StateStore`, bytes in a :class:`DiskStore`.

    ``steps`` is how many observations each transitional state lasts; ``max_volumes``
    makes ``create_volume`` raise ``QuotaExceeded`` beyond that many volumes.
    """

    def __init__(
        self,
        state: StateStore,
        disks: DiskStore,
        *,
        steps: int = 1,
        max_volumes: int | None = None,
        provider: str = "local",
    ) -> None:
        self._state = state
        self._disks = disks
        self._steps = steps
        self._max_volumes = max_volumes
        self._provider = provider

    def natives(self) -> Sequence[object]:
        return (self._state, self._disks)

    def data(self, volume_id: str) -> LocalVolumeData:
        """The bytes of volume ``volume_id``. Missing or deleting -> ``NotFound``."""
        with self._state.transaction() as state:
            record = require(state.volumes, volume_id, "volume")
            if record.state == VolumeState.DELETING.value:
                raise NotFound(f"volume {volume_id} is being deleted")
            return LocalVolumeData(volume_id, record.size_gib * GIB, disks=self._disks)

    # -- models ----------------------------------------------------------------------------
    def _volume(self, record: VolumeRecord) -> Volume:
        attached = record.attachment
        attachments = (Attachment(record.id, attached.server, attached.device),) if attached else ()
        return Volume(
            id=record.id,
            name=record.name,
            size_gib=record.size_gib,
            state=VolumeState(record.state),
            zone=record.zone,
            attachments=attachments,
            snapshot_id=record.snapshot_id,
            created=_dt.datetime.fromisoformat(record.created),
            tags=record.tags,
            provider=self._provider,
            native=LocalVolumeData(record.id, record.size_gib * GIB, disks=self._disks),
        )

    def _snapshot(self, record: SnapshotRecord) -> Snapshot:
        return Snapshot(
            id=record.id,
            name=record.name,
            volume_id=record.volume_id,
            size_gib=record.size_gib,
            state=SnapshotState(record.state),
            created=_dt.datetime.fromisoformat(record.created),
            provider=self._provider,
            native=LocalSnapshotData(record.id, record.size_gib * GIB, disks=self._disks),
        )

    # -- volumes ---------------------------------------------------------------------------
    def create_volume(self, request: VolumeRequest) -> Volume:
        if not 1 <= request.size_gib <= MAX_VOLUME_GIB:
            raise InvalidArgument(f"volume size must be 1 to {MAX_VOLUME_GIB} GiB, not {request.size_gib}")
        zone = check_zone(request.zone)
        with self._state.transaction(create=True) as state:
            if request.snapshot_id is not None:
                snap = require(state.snapshots, request.snapshot_id, "snapshot")
                if snap.state != SnapshotState.AVAILABLE.value:
                    raise Conflict(f"snapshot {snap.id} is {snap.state}, not available")
                if request.size_gib < snap.size_gib:
                    raise InvalidArgument(
                        f"volume size {request.size_gib} GiB is smaller than snapshot {snap.id} "
                        f"({snap.size_gib} GiB)"
                    )
            if self._max_volumes is not None and len(state.volumes) >= self._max_volumes:
                raise QuotaExceeded(f"the limit of {self._max_volumes} volumes is reached")
            state.seq += 1
            record = VolumeRecord(
                id=new_id("vol"),
                seq=state.seq,
                name=request.name,
                created=utcnow().isoformat(),
                size_gib=request.size_gib,
                zone=zone,
                snapshot_id=request.snapshot_id,
                tags=dict(request.tags),
            )
            state.volumes[record.id] = record
            self._disks.create(record.id, request.size_gib * GIB, request.snapshot_id)
            begin(
                state.volumes,
                record,
                VolumeState.CREATING.value,
                VolumeState.AVAILABLE.value,
                steps=self._steps,
            )
            return self._volume(record)

    def get_volume(self, volume_id: str) -> Volume:
        with self._state.transaction() as state:
            record = require(state.volumes, volume_id, "volume")
            return self._volume(observe(state.volumes, record, self._steps))

    def list_volumes(self, page_size: int, token: str | None) -> Page[Volume]:
        with self._state.transaction() as state:
            records, next_token = observed_page(state.volumes, page_size, token, self._steps)
            return Page(tuple(self._volume(r) for r in records), next_token)

    def delete_volume(self, volume_id: str) -> None:
        with self._state.transaction() as state:
            record = require(state.volumes, volume_id, "volume")
            if record.attachment is not None:
                raise Conflict(f"volume {volume_id} is attached to {record.attachment.server}")
            if record.state == VolumeState.DELETING.value:
                return
            begin(state.volumes, record, VolumeState.DELETING.value, GONE, steps=self._steps)
            self._disks.delete(volume_id)

    def attach_volume(self, volume_id: str, server_id: str, device: str | None) -> None:
        with self._state.transaction() as state:
            volume = require(state.volumes, volume_id, "volume")
            server = require(state.servers, server_id, "server")
            if volume.attachment is not None:
                raise Conflict(f"volume {volume_id} is in use by {volume.attachment.server}")
            if volume.state != VolumeState.AVAILABLE.value:
                raise Conflict(f"volume {volume_id} is {volume.state}, not available")
            if server.state not in ("running", "stopped"):
                raise Conflict(f"server {server_id} is {server.state}; attach needs running or stopped")
            if volume.zone != server.zone:
                raise Conflict(
                    f"volume {volume_id} is in zone {volume.zone}, server {server_id} in {server.zone}"
                )
            used = {v.attachment.device for v in state.volumes_of(server_id) if v.attachment is not None}
            if device is None:
                free = [d for d in _DEVICES if d not in used]
                if not free:
                    raise QuotaExceeded(f"server {server_id} has no free device left")
                device = free[0]
            elif not _DEVICE.match(device):
                raise InvalidArgument(f"device {device!r} must look like /dev/vdb")
            elif device in used:
                raise Conflict(f"device {device} of server {server_id} is taken")
            volume.attachment = AttachmentRecord(server=server_id, device=device)
            begin(state.volumes, volume, VolumeState.IN_USE.value, steps=self._steps)

    def detach_volume(self, volume_id: str, server_id: str, device: str | None) -> None:
        with self._state.transaction() as state:
            volume = require(state.volumes, volume_id, "volume")
            require(state.servers, server_id, "server")
            attached = volume.attachment
            if attached is None or attached.server != server_id:
                raise Conflict(f"volume {volume_id} is not attached to server {server_id}")
            if device is not None and device != attached.device:
                raise Conflict(f"volume {volume_id} is attached at {attached.device}, not {device}")
            volume.attachment = None
            begin(state.volumes, volume, VolumeState.AVAILABLE.value, steps=self._steps)

    # -- snapshots -------------------------------------------------------------------------
    def create_snapshot(self, volume_id: str, name: str) -> Snapshot:
        with self._state.transaction() as state:
            volume = require(state.volumes, volume_id, "volume")
            if volume.state not in (VolumeState.AVAILABLE.value, VolumeState.IN_USE.value):
                raise Conflict(f"volume {volume_id} is {volume.state}; snapshots need available or in-use")
            state.seq += 1
            record = SnapshotRecord(
                id=new_id("snap"),
                seq=state.seq,
                name=name,
                created=utcnow().isoformat(),
                volume_id=volume_id,
                size_gib=volume.size_gib,
            )
            state.snapshots[record.id] = record
            self._disks.create(record.id, volume.size_gib * GIB, volume_id)
            begin(
                state.snapshots,
                record,
                SnapshotState.PENDING.value,
                SnapshotState.AVAILABLE.value,
                steps=self._steps,
            )
            return self._snapshot(record)

    def get_snapshot(self, snapshot_id: str) -> Snapshot:
        with self._state.transaction() as state:
            record = require(state.snapshots, snapshot_id, "snapshot")
            return self._snapshot(observe(state.snapshots, record, self._steps))

    def list_snapshots(self, page_size: int, token: str | None) -> Page[Snapshot]:
        with self._state.transaction() as state:
            records, next_token = observed_page(state.snapshots, page_size, token, self._steps)
            return Page(tuple(self._snapshot(r) for r in records), next_token)

    def delete_snapshot(self, snapshot_id: str) -> None:
        with self._state.transaction() as state:
            require(state.snapshots, snapshot_id, "snapshot")
            del state.snapshots[snapshot_id]
            self._disks.delete(snapshot_id)
