"""Volumes and snapshots: the portable service over a :class:`~cloudneutral.driver.VolumeDriver`.

Here, once for every provider: validation, the "attached volumes cannot be deleted" rule,
waiting for volume and snapshot states, lazy pagination, retries and error translation.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ._runtime import Runtime
from .compute import DEFAULT_TIMEOUT, ServerRef, _server_id
from .driver import VolumeDriver
from .errors import Conflict, InvalidArgument, NotFound
from .models import Snapshot, SnapshotState, Volume, VolumeState
from .validation import check_positive, check_resource_name, check_tags

__all__ = ["VolumeService"]

DEFAULT_PAGE_SIZE = 100
VolumeRef = Volume | str
SnapshotRef = Snapshot | str


def _id(kind: str, ref: Volume | Snapshot | str) -> str:
    if isinstance(ref, (Volume, Snapshot)):
        return ref.id
    if not isinstance(ref, str) or not ref:
        raise InvalidArgument(f"a {kind} is given as a {kind.capitalize()} or its non-empty id")
    return ref


class VolumeService:
    """Volumes and snapshots of one provider. Obtain it as ``cloud.volumes``."""

    def __init__(self, driver: VolumeDriver, runtime: Runtime) -> None:
        self._driver = driver
        self._runtime = runtime

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
        """Create a volume of ``size_gib`` GiB, from ``snapshot`` when given (``size_gib``
        must then be at least the snapshot's). Waits until available unless ``wait`` is
        false. Raises ``InvalidArgument``, ``NotFound`` (snapshot), ``QuotaExceeded``, ``Timeout``."""
        check_resource_name("volume", name)
        check_positive("size_gib", size_gib)
        snapshot_id = _id("snapshot", snapshot) if snapshot is not None else None
        if isinstance(snapshot, Snapshot) and size_gib < snapshot.size_gib:
            raise InvalidArgument(
                f"volume size {size_gib} GiB is smaller than snapshot {snapshot.id} ({snapshot.size_gib} GiB)"
            )
        volume = self._runtime.call(
            self._driver.create_volume, name, size_gib, zone, snapshot_id, check_tags(tags), idempotent=False
        )
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
        current = self.get(volume)
        if current.attachments or current.state is VolumeState.IN_USE:
            servers = ", ".join(a.server_id for a in current.attachments) or "a server"
            raise Conflict(
                f"volume {current.id} is attached to {servers}; detach it first",
                provider=self._runtime.provider,
            )
        self._runtime.call(self._driver.delete_volume, current.id)
        if wait:
            self._runtime.wait(
                f"volume {current.id} to be deleted",
                lambda: self._state_or_gone(current.id),
                lambda state: state is VolumeState.DELETED,
                timeout=timeout,
            )

    def _state_or_gone(self, volume_id: str) -> VolumeState:
        try:
            return self.get(volume_id).state
        except NotFound:
            return VolumeState.DELETED

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
        volume_id, server_id = _id("volume", volume), _server_id(server)
        self._runtime.call(self._driver.attach_volume, volume_id, server_id, device, idempotent=False)
        if not wait:
            return self.get(volume_id)
        return self._runtime.wait(
            f"volume {volume_id} to attach to {server_id}",
            lambda: self.get(volume_id),
            lambda v: v.state is VolumeState.IN_USE and any(a.server_id == server_id for a in v.attachments),
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
        current = self.get(volume)
        wanted = _server_id(server) if server is not None else None
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
        ``error``, ``NotFound``."""
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
        check_resource_name("snapshot", name)
        snap = self._runtime.call(self._driver.create_snapshot, _id("volume", volume), name, idempotent=False)
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
        return self._runtime.call(self._driver.get_snapshot, _id("snapshot", snapshot))

    def snapshots(self, *, page_size: int = DEFAULT_PAGE_SIZE) -> Iterator[Snapshot]:
        """Every snapshot of the account, lazily."""
        check_positive("page_size", page_size)
        for page in self._runtime.paginate(self._driver.list_snapshots, page_size):
            yield from page.items

    def delete_snapshot(self, snapshot: SnapshotRef) -> None:
        """Raises ``NotFound``."""
        self._runtime.call(self._driver.delete_snapshot, _id("snapshot", snapshot))
