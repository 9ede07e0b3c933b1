"""Volumes and snapshots: the portable service over a :class:`~cloudneutral.driver.VolumeDriver`.

Here, once for every provider: validation, capability checks, the "attached volumes cannot
be deleted" rule, waiting for volume and snapshot states, lazy pagination, retries and
error translation.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ._runtime import Runtime
from ._service import Service
from .driver import VolumeDriver, VolumeRequest
from .errors import Conflict, InvalidArgument
from .models import Capability, Snapshot, SnapshotState, Volume, VolumeState
from .servers import DEFAULT_TIMEOUT, ServerRef, server_id
from .validation import check_instance, check_positive, check_resource_name, check_tags, check_volume_size

__all__ = ["VolumeService"]

DEFAULT_PAGE_SIZE = 100
VolumeRef = Volume | str
SnapshotRef = Snapshot | str


def _id(kind: str, ref: Volume | Snapshot | str) -> str:
    if isinstance(ref, (Volume, Snapshot)):
        return ref.id
    if not isinstance(ref, str) or not ref:
        raise InvalidArgument(f"a {kind} is given as a {kind.capitalize()} or its non-empty id, not {ref!r}")
    return ref


def _timeout(timeout: float) -> float:
    check_instance("timeout", timeout, (int, float), "a number of seconds")
    return timeout


class VolumeService(Service):
    """Volumes and snapshots of one provider. Obtain it as ``cloud.volumes``."""

    kind = "volumes"

    def __init__(
        self,
        driver: VolumeDriver,
        runtime: Runtime,
        capabilities: frozenset[Capability] = frozenset(Capability),
    ) -> None:
        super().__init__(runtime, capabilities, driver.natives)
        self._driver = driver

    # -- volumes ------------------------------------------------------------------------
    def create(
        self,
        name: str,
        size_gib: int,
        *,
        zone: str | None = None,
        snapshot: SnapshotRef | None = None,
        tags: Mapping[str, str] | None = None,
        wait: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> Volume:
        """Create a volume of ``size_gib`` GiB (1 to ``MAX_VOLUME_GIB``), from ``snapshot``
        when given (``size_gib`` must then be at least the snapshot's). Waits until
        available unless ``wait`` is false. Raises ``InvalidArgument``, ``NotFound``
        (snapshot, zone), ``QuotaExceeded``, ``Timeout``."""
        check_resource_name("volume", name)
        check_volume_size(size_gib)
        _timeout(timeout)
        if zone is not None:
            check_instance("zone", zone, str, "a zone name (str)")
        snapshot_id = None
        if snapshot is not None:
            self.require(Capability.SNAPSHOTS, "a volume from a snapshot")
            snapshot_id = _id("snapshot", snapshot)
        if isinstance(snapshot, Snapshot) and size_gib < snapshot.size_gib:
            raise InvalidArgument(
                f"volume size {size_gib} GiB is smaller than snapshot {snapshot.id} ({snapshot.size_gib} GiB)"
            )
        request = VolumeRequest(name, size_gib, zone, snapshot_id, check_tags(tags))
        volume = self._runtime.call_once(self._driver.create_volume, request)
        return self.wait(volume, VolumeState.AVAILABLE, timeout=timeout) if wait else volume

    def restore(
        self,
        snapshot: SnapshotRef,
        name: str,
        *,
        size_gib: int | None = None,
        zone: str | None = None,
        wait: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> Volume:
        """A new volume holding the snapshot's bytes (its size unless ``size_gib`` is larger)."""
        snap = self.get_snapshot(snapshot)
        return self.create(
            name, size_gib or snap.size_gib, zone=zone, snapshot=snap, wait=wait, timeout=timeout
        )

    def get(self, volume: VolumeRef) -> Volume:
        """Raises ``NotFound``."""
        return self._runtime.call(self._driver.get_volume, _id("volume", volume))

    def list(self, *, page_size: int = DEFAULT_PAGE_SIZE) -> Iterator[Volume]:
        """Every volume, lazily."""
        check_positive("page_size", page_size)
        for page in self._runtime.paginate(self._driver.list_volumes, page_size):
            yield from page.items

    def delete(self, volume: VolumeRef, *, wait: bool = True, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Delete a volume. Raises ``NotFound``; ``Conflict`` while it is attached."""
        _timeout(timeout)
        current = self.get(volume)
        if current.attachments or current.state is VolumeState.IN_USE:
            servers = ", ".join(a.server_id for a in current.attachments) or "a server"
            raise Conflict(
                f"volume {current.id} is attached to {servers}; detach it first",
                provider=self._runtime.provider,
            )
        self._runtime.call(self._driver.delete_volume, current.id)
        if wait:
            self._runtime.wait_gone(
                f"volume {current.id} to be deleted",
                lambda: self.get(current.id).state,
                VolumeState.DELETED,
                timeout=timeout,
            )

    def attach(
        self,
        volume: VolumeRef,
        server: ServerRef,
        *,
        device: str | None = None,
        wait: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> Volume:
        """Attach a volume to a server (at ``device`` where the provider takes one).
        Raises ``NotFound``, ``Conflict`` (already attached), ``Timeout``."""
        self.require(Capability.VOLUME_ATTACH, "attaching a volume")
        _timeout(timeout)
        if device is not None:
            check_instance("device", device, str, "a device name such as '/dev/sdf' (str)")
        volume_id, target = _id("volume", volume), server_id(server)
        self._runtime.call_once(self._driver.attach_volume, volume_id, target, device)
        if not wait:
            return self.get(volume_id)
        return self._runtime.wait(
            f"volume {volume_id} to attach to {target}",
            lambda: self.get(volume_id),
            lambda v: v.state is VolumeState.IN_USE and any(a.server_id == target for a in v.attachments),
            timeout=timeout,
            failed=lambda v: "volume is in error" if v.state is VolumeState.ERROR else None,
        )

    def detach(
        self,
        volume: VolumeRef,
        server: ServerRef | None = None,
        *,
        wait: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> Volume:
        """Detach a volume from ``server`` (the one it is attached to when ``None``).
        Raises ``NotFound``; ``Conflict`` when it is not attached there."""
        self.require(Capability.VOLUME_ATTACH, "detaching a volume")
        _timeout(timeout)
        current = self.get(volume)
        wanted = server_id(server) if server is not None else None
        matches = [a for a in current.attachments if wanted in (None, a.server_id)]
        if not matches:
            where = f"server {wanted}" if wanted else "any server"
            raise Conflict(f"volume {current.id} is not attached to {where}", provider=self._runtime.provider)
        attachment = matches[0]
        self._runtime.call(self._driver.detach_volume, current.id, attachment.server_id, attachment.device)
        if not wait:
            return self.get(current.id)
        return self.wait(current.id, VolumeState.AVAILABLE, timeout=timeout)

    def wait(self, volume: VolumeRef, state: VolumeState, *, timeout: float = DEFAULT_TIMEOUT) -> Volume:
        """Poll until the volume is in ``state``. Raises ``Timeout``, ``ProviderError`` on
        ``error``, ``NotFound``; ``InvalidArgument`` when ``state`` is not a VolumeState."""
        check_instance("state", state, VolumeState, "a VolumeState (e.g. VolumeState.AVAILABLE)")
        volume_id = _id("volume", volume)
        return self._runtime.wait(
            f"volume {volume_id} to be {state.value}",
            lambda: self.get(volume_id),
            lambda v: v.state is state,
            timeout=timeout,
            failed=lambda v: (
                "volume is in error"
                if v.state is VolumeState.ERROR and state is not VolumeState.ERROR
                else None
            ),
        )

    # -- snapshots ----------------------------------------------------------------------
    def snapshot(
        self, volume: VolumeRef, name: str, *, wait: bool = True, timeout: float = DEFAULT_TIMEOUT
    ) -> Snapshot:
        """Snapshot a volume; wait until the snapshot is available unless ``wait`` is false."""
        self.require(Capability.SNAPSHOTS, "a snapshot")
        check_resource_name("snapshot", name)
        _timeout(timeout)
        snap = self._runtime.call_once(self._driver.create_snapshot, _id("volume", volume), name)
        if not wait:
            return snap
        return self._runtime.wait(
            f"snapshot {snap.id} to be available",
            lambda: self.get_snapshot(snap.id),
            lambda s: s.state is SnapshotState.AVAILABLE,
            timeout=timeout,
            failed=lambda s: "snapshot is in error" if s.state is SnapshotState.ERROR else None,
        )

    def get_snapshot(self, snapshot: SnapshotRef) -> Snapshot:
        """Raises ``NotFound``."""
        self.require(Capability.SNAPSHOTS, "a snapshot")
        return self._runtime.call(self._driver.get_snapshot, _id("snapshot", snapshot))

    def snapshots(self, *, page_size: int = DEFAULT_PAGE_SIZE) -> Iterator[Snapshot]:
        """Every snapshot of the account, lazily."""
        self.require(Capability.SNAPSHOTS, "listing snapshots")
        check_positive("page_size", page_size)
        for page in self._runtime.paginate(self._driver.list_snapshots, page_size):
            yield from page.items

    def delete_snapshot(
        self, snapshot: SnapshotRef, *, wait: bool = True, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        """Delete a snapshot; with ``wait``, return once it is gone (Cinder deletes in the
        background: a snapshot still ``deleting`` also keeps its volume from being
        deleted). Raises ``NotFound``, ``Timeout``."""
        self.require(Capability.SNAPSHOTS, "deleting a snapshot")
        _timeout(timeout)
        ident = _id("snapshot", snapshot)
        self._runtime.call(self._driver.delete_snapshot, ident)
        if wait:
            self._runtime.wait_gone(
                f"snapshot {ident} to be deleted",
                lambda: self._runtime.call(self._driver.get_snapshot, ident).state,
                None,
                timeout=timeout,
            )
