"""The EBS volume driver against a real moto server."""

from __future__ import annotations

from typing import Any

import pytest

import cloudneutral
from cloudneutral import SnapshotState, VolumeState, errors


@pytest.fixture
def server(cloud: cloudneutral.Cloud) -> cloudneutral.Server:
    return cloud.servers.create("host", size="t3.micro", os="ubuntu", zone="eu-west-1a")


def test_volume_defaults_to_the_first_zone(cloud: cloudneutral.Cloud) -> None:
    volume = cloud.volumes.create("data", 3, tags={"k": "v"})
    assert (volume.name, volume.size_gib, volume.state, volume.zone) == (
        "data",
        3,
        VolumeState.AVAILABLE,
        "eu-west-1a",
    )
    assert dict(volume.tags) == {"k": "v"}
    assert cloud.volumes.get(volume.id) == volume


def test_attach_picks_free_devices_and_detach(cloud: cloudneutral.Cloud, server: cloudneutral.Server) -> None:
    one, two = cloud.volumes.create("one", 1), cloud.volumes.create("two", 1)
    one = cloud.volumes.attach(one, server)
    two = cloud.volumes.attach(two, server)
    assert one.state is VolumeState.IN_USE
    assert [a.device for a in one.attachments + two.attachments] == ["/dev/sdf", "/dev/sdg"]
    with pytest.raises(errors.Conflict):
        cloud.volumes.delete(one)
    driver: Any = cloud.driver.volumes
    with pytest.raises(errors.Conflict):  # the driver maps EC2's VolumeInUse itself too
        cloud.runtime.call(driver.delete_volume, one.id)
    assert cloud.volumes.detach(one, server).state is VolumeState.AVAILABLE
    with pytest.raises(errors.Conflict):
        cloud.runtime.call(driver.detach_volume, one.id, server.id, "/dev/sdf")
    cloud.volumes.delete(one)
    with pytest.raises(errors.NotFound):
        cloud.volumes.get(one.id)


def test_snapshots(cloud: cloudneutral.Cloud) -> None:
    volume = cloud.volumes.create("src", 4)
    snap = cloud.volumes.snapshot(volume, "nightly")
    assert (snap.name, snap.volume_id, snap.size_gib, snap.state) == (
        "nightly",
        volume.id,
        4,
        SnapshotState.AVAILABLE,
    )
    assert snap.id in {s.id for s in cloud.volumes.snapshots()}
    restored = cloud.volumes.restore(snap, "copy")
    assert (restored.snapshot_id, restored.size_gib) == (snap.id, 4)
    cloud.volumes.delete_snapshot(snap)
    with pytest.raises(errors.NotFound):
        cloud.volumes.get_snapshot(snap.id)


def test_missing_things_are_not_found(cloud: cloudneutral.Cloud, server: cloudneutral.Server) -> None:
    with pytest.raises(errors.NotFound):
        cloud.volumes.get("vol-0123456789abcdef0")
    with pytest.raises(errors.NotFound):
        cloud.volumes.delete_snapshot("snap-0123456789abcdef0")
    with pytest.raises(errors.NotFound):
        cloud.volumes.create("x", 1, snapshot="snap-0123456789abcdef0")
    with pytest.raises(errors.NotFound):
        cloud.volumes.attach("vol-0123456789abcdef0", server)


def test_volume_listing_pages(cloud: cloudneutral.Cloud) -> None:
    created = {cloud.volumes.create(f"v{n}", 1).id for n in range(6)}
    assert created <= {v.id for v in cloud.volumes.list(page_size=5)}
