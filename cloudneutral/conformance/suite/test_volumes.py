"""Volumes and snapshots: life cycle, attachments, restore, errors."""

from __future__ import annotations

import contextlib

import pytest

from cloudneutral import (
    Capability,
    Conflict,
    InvalidArgument,
    NotFound,
    SnapshotState,
    Volume,
    VolumeState,
)
from cloudneutral.conformance.env import Env
from cloudneutral.conformance.marks import area, requires

AREA = area("volumes", Capability.VOLUMES)


@AREA
class TestVolumes:
    def test_create_and_get(self, cn: Env) -> None:
        volume = cn.volume(size_gib=2, tags={"purpose": "conformance"})
        assert isinstance(volume, Volume)
        assert (volume.name, volume.size_gib, volume.state) == (cn.name("v"), 2, VolumeState.AVAILABLE)
        assert volume.attachments == ()
        assert volume.provider == cn.cloud.provider
        got = cn.cloud.volumes.get(volume.id)
        assert (got.id, got.size_gib, got.state) == (volume.id, 2, VolumeState.AVAILABLE)

    def test_list(self, cn: Env) -> None:
        first, second = cn.volume("one"), cn.volume("two")
        ids = [v.id for v in cn.cloud.volumes.list(page_size=1)]
        assert first.id in ids and second.id in ids
        assert len(ids) == len(set(ids))

    def test_delete(self, cn: Env) -> None:
        volume = cn.volume()
        cn.cloud.volumes.delete(volume, timeout=cn.timeout)
        with contextlib.suppress(NotFound):  # gone is as good as deleted
            assert cn.cloud.volumes.get(volume.id).state is VolumeState.DELETED
        assert volume.id not in [v.id for v in cn.cloud.volumes.list() if v.state is not VolumeState.DELETED]

    @pytest.mark.parametrize(
        ("name", "size", "rule"),
        [("1volume", 1, "volume name"), ("bad_name", 1, "volume name"), ("good", 0, "size_gib")],
        ids=["digit-name", "underscore-name", "zero-size"],
    )
    def test_invalid_arguments(self, cn: Env, name: str, size: int, rule: str) -> None:
        with pytest.raises(InvalidArgument, match=rule):
            cn.cloud.volumes.create(name, size)

    @pytest.mark.parametrize("action", ["get", "delete", "snapshot"])
    def test_missing_volume_is_not_found(self, cn: Env, action: str) -> None:
        missing = cn.harness.missing_id("volume")
        volumes = cn.cloud.volumes
        with pytest.raises(NotFound):
            if action == "snapshot":
                volumes.snapshot(missing, cn.name("snap"))
            else:
                getattr(volumes, action)(missing)

    @requires(Capability.SERVERS, Capability.VOLUME_ATTACH)
    def test_attach_and_detach(self, cn: Env) -> None:
        server = cn.server()
        volume = cn.volume(zone=server.zone)
        attached = cn.cloud.volumes.attach(volume, server, timeout=cn.timeout)
        assert attached.state is VolumeState.IN_USE
        assert [a.server_id for a in attached.attachments] == [server.id]
        assert attached.attachments[0].volume_id == volume.id
        detached = cn.cloud.volumes.detach(volume, server, timeout=cn.timeout)
        assert detached.state is VolumeState.AVAILABLE
        assert detached.attachments == ()

    @requires(Capability.SERVERS, Capability.VOLUME_ATTACH)
    def test_delete_attached_is_conflict(self, cn: Env) -> None:
        server = cn.server()
        volume = cn.volume(zone=server.zone)
        cn.cloud.volumes.attach(volume, server, timeout=cn.timeout)
        with pytest.raises(Conflict):
            cn.cloud.volumes.delete(volume)
        assert cn.cloud.volumes.get(volume.id).state is VolumeState.IN_USE

    @requires(Capability.SERVERS, Capability.VOLUME_ATTACH)
    def test_detach_unattached_is_conflict(self, cn: Env) -> None:
        volume = cn.volume()
        with pytest.raises(Conflict):
            cn.cloud.volumes.detach(volume)

    @requires(Capability.SERVERS, Capability.VOLUME_ATTACH)
    def test_attach_missing_is_not_found(self, cn: Env) -> None:
        server = cn.server()
        volume = cn.volume(zone=server.zone)
        with pytest.raises(NotFound):
            cn.cloud.volumes.attach(cn.harness.missing_id("volume"), server)
        with pytest.raises(NotFound):
            cn.cloud.volumes.attach(volume, cn.harness.missing_id("server"))
        assert cn.cloud.volumes.get(volume.id).attachments == ()


@AREA
@requires(Capability.SNAPSHOTS)
class TestSnapshots:
    def test_snapshot_available(self, cn: Env) -> None:
        volume = cn.volume(size_gib=2)
        snap = cn.snapshot(volume)
        assert snap.state is SnapshotState.AVAILABLE
        assert (snap.volume_id, snap.size_gib, snap.name) == (volume.id, 2, cn.name("snap"))
        got = cn.cloud.volumes.get_snapshot(snap.id)
        assert (got.id, got.state) == (snap.id, SnapshotState.AVAILABLE)
        assert snap.id in [s.id for s in cn.cloud.volumes.snapshots(page_size=1)]

    def test_restore(self, cn: Env) -> None:
        volume = cn.volume(size_gib=2)
        snap = cn.snapshot(volume)
        restored = cn.cloud.volumes.restore(snap, cn.name("restored"), timeout=cn.timeout)
        cn.defer(f"volume {restored.id}", lambda: cn.cloud.volumes.delete(restored.id, timeout=cn.timeout))
        assert restored.state is VolumeState.AVAILABLE
        assert restored.size_gib == 2
        assert restored.snapshot_id == snap.id

    def test_restore_larger(self, cn: Env) -> None:
        volume = cn.volume(size_gib=1)
        snap = cn.snapshot(volume)
        restored = cn.cloud.volumes.restore(snap, cn.name("bigger"), size_gib=3, timeout=cn.timeout)
        cn.defer(f"volume {restored.id}", lambda: cn.cloud.volumes.delete(restored.id, timeout=cn.timeout))
        assert restored.size_gib == 3

    def test_restore_smaller_is_invalid(self, cn: Env) -> None:
        volume = cn.volume(size_gib=2)
        snap = cn.snapshot(volume)
        with pytest.raises(InvalidArgument, match="smaller"):
            cn.cloud.volumes.create(cn.name("small"), 1, snapshot=snap)

    def test_delete_snapshot(self, cn: Env) -> None:
        volume = cn.volume()
        snap = cn.snapshot(volume)
        cn.cloud.volumes.delete_snapshot(snap)
        with pytest.raises(NotFound):
            cn.cloud.volumes.get_snapshot(snap.id)

    @pytest.mark.parametrize("action", ["get_snapshot", "delete_snapshot", "restore"])
    def test_missing_snapshot_is_not_found(self, cn: Env, action: str) -> None:
        missing = cn.harness.missing_id("snapshot")
        volumes = cn.cloud.volumes
        with pytest.raises(NotFound):
            if action == "restore":
                volumes.restore(missing, cn.name("restored"))
            else:
                getattr(volumes, action)(missing)
