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
        assert got.native is not None

    def test_tags_and_zone_round_trip(self, cn: Env) -> None:
        zones = (  # only the connected region lists its zones (see Region)
            [z for r in cn.cloud.servers.regions() for z in r.zones]
            if Capability.SERVER_ZONES in cn.cloud.capabilities
            else []
        )
        zone = zones[-1] if zones else None
        tags = {"team": "storage", "cost-centre": "42"}
        volume = cn.volume(tags=tags, zone=zone)
        for seen in (volume, cn.cloud.volumes.get(volume.id)):
            assert dict(seen.tags) == tags
            if zone is not None:
                assert seen.zone == zone
        listed = next(v for v in cn.cloud.volumes.list() if v.id == volume.id)
        assert dict(listed.tags) == tags and listed.zone == volume.zone

    def test_list(self, cn: Env) -> None:
        first, second = cn.volume("one"), cn.volume("two")
        ids = [v.id for v in cn.cloud.volumes.list(page_size=1)]
        assert first.id in ids and second.id in ids
        assert len(ids) == len(set(ids))

    def test_pages_after_a_delete_between_them(self, cn: Env) -> None:
        made = [cn.volume(f"p{n}") for n in range(3)]
        mine = {v.id for v in made}
        seen: list[str] = []
        for volume in cn.cloud.volumes.list(page_size=1):  # one page fetched per item
            if volume.id in mine and not seen:
                cn.cloud.volumes.delete(volume, timeout=cn.timeout)  # before the cursor now
            if volume.id in mine:
                seen.append(volume.id)
        assert sorted(seen) == sorted(mine), "a volume was skipped or repeated across pages"

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
        device = attached.attachments[0].device
        assert device, "an attachment reports the device the volume is attached at"
        again = cn.cloud.volumes.get(volume.id).attachments
        assert [(a.server_id, a.device) for a in again] == [(server.id, device)]
        assert volume.id in cn.cloud.servers.get(server.id).volumes
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
    def test_second_volume_gets_another_device(self, cn: Env) -> None:
        server = cn.server()
        first, second = cn.volume("v1", zone=server.zone), cn.volume("v2", zone=server.zone)
        devices = [
            cn.cloud.volumes.attach(v, server, timeout=cn.timeout).attachments[0].device
            for v in (first, second)
        ]
        assert all(devices) and devices[0] != devices[1]

    @requires(Capability.SERVERS, Capability.VOLUME_ATTACH)
    def test_attach_in_use_is_conflict(self, cn: Env) -> None:
        server = cn.server("s1")
        other = cn.server("s2", zone=server.zone)
        volume = cn.volume(zone=server.zone)
        cn.cloud.volumes.attach(volume, server, timeout=cn.timeout)
        for target in (other, server):
            with pytest.raises(Conflict):
                cn.cloud.volumes.attach(volume, target, timeout=cn.timeout)
        attachments = cn.cloud.volumes.get(volume.id).attachments
        assert [a.server_id for a in attachments] == [server.id]

    @requires(Capability.SERVERS, Capability.VOLUME_ATTACH)
    def test_deleting_a_server_detaches_its_volumes(self, cn: Env) -> None:
        server = cn.server()
        volume = cn.volume(zone=server.zone)
        cn.cloud.volumes.attach(volume, server, timeout=cn.timeout)
        cn.cloud.servers.delete(server, timeout=cn.timeout)
        after = cn.cloud.volumes.wait(volume, VolumeState.AVAILABLE, timeout=cn.timeout)
        assert after.attachments == ()
        cn.cloud.volumes.delete(volume, timeout=cn.timeout)  # no longer attached: deletable

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
        assert got.native is not None
        assert snap.id in [s.id for s in cn.cloud.volumes.snapshots(page_size=1)]

    def test_only_the_accounts_own_snapshots_are_listed(self, cn: Env) -> None:
        volume = cn.volume()
        snap = cn.snapshot(volume)
        foreign = set(cn.harness.foreign_snapshots(cn.cloud))
        listed = list(cn.cloud.volumes.snapshots())
        ids = [s.id for s in listed]
        assert snap.id in ids and len(ids) == len(set(ids))
        if foreign:
            assert not set(ids) & foreign, (
                f"other accounts' snapshots listed: {sorted(set(ids) & foreign)[:5]}"
            )
            return
        # No planted foreign snapshot: another account's tags (its names) are never visible,
        # so a nameless snapshot of a volume this account does not have is someone else's.
        known = {v.id for v in cn.cloud.volumes.list()}
        strangers = [s.id for s in listed if s.volume_id not in known and not s.name]
        assert not strangers, f"snapshots of no volume of this account and with no name: {strangers[:5]}"

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
