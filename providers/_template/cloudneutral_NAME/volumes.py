"""NAME volumes and snapshots: a :class:`cloudneutral.driver.VolumeDriver` (skeleton).

Declare ``Capability.VOLUMES`` once create / get / list / delete work, ``VOLUME_ATTACH`` for
attach and detach, ``SNAPSHOTS`` for the snapshot methods and volumes made from snapshots.
"""

from __future__ import annotations

from collections.abc import Sequence

from cloudneutral.driver import VolumeRequest
from cloudneutral.errors import Unsupported
from cloudneutral.models import Page, Snapshot, Volume

__all__ = ["NameVolumeDriver"]


def _todo(operation: str) -> Unsupported:
    return Unsupported(f"{operation} is not implemented yet", provider="NAME")


class NameVolumeDriver:
    """Volumes of NAME. Method contracts: :class:`cloudneutral.driver.VolumeDriver`."""

    def natives(self) -> Sequence[object]:
        return ()

    # -- Capability.VOLUMES, in this order --------------------------------------------------
    def create_volume(self, request: VolumeRequest) -> Volume:
        raise _todo("create_volume")

    def get_volume(self, volume_id: str) -> Volume:
        raise _todo("get_volume")

    def list_volumes(self, page_size: int, token: str | None) -> Page[Volume]:
        raise _todo("list_volumes")

    def delete_volume(self, volume_id: str) -> None:
        raise _todo("delete_volume")

    # -- Capability.VOLUME_ATTACH ------------------------------------------------------------
    def attach_volume(self, volume_id: str, server_id: str, device: str | None) -> None:
        raise _todo("attach_volume")

    def detach_volume(self, volume_id: str, server_id: str, device: str | None) -> None:
        raise _todo("detach_volume")

    # -- Capability.SNAPSHOTS -----------------------------------------------------------------
    def create_snapshot(self, volume_id: str, name: str) -> Snapshot:
        raise _todo("create_snapshot")

    def get_snapshot(self, snapshot_id: str) -> Snapshot:
        raise _todo("get_snapshot")

    def list_snapshots(self, page_size: int, token: str | None) -> Page[Snapshot]:
        raise _todo("list_snapshots")

    def delete_snapshot(self, snapshot_id: str) -> None:
        raise _todo("delete_snapshot")
