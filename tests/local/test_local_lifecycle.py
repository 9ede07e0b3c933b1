"""Servers and volumes move one state per observation, never by the wall clock: each
transitional state is seen exactly once (``steps=1``), so waits converge on a FakeClock."""

from __future__ import annotations

from pathlib import Path

import pytest

import cloudneutral
from cloudneutral import FakeClock, ServerState, SnapshotState, VolumeState, errors


def test_a_server_goes_through_every_state_one_observation_at_a_time(cloud: cloudneutral.Cloud) -> None:
    servers = cloud.servers
    server = servers.create("web", os="ubuntu", min_vcpus=1, wait=False)
    observed = [server.state] + [servers.get(server).state for _ in range(3)]
    assert observed == [ServerState.PENDING, ServerState.PENDING, ServerState.RUNNING, ServerState.RUNNING]

    # without waiting, an action answers with one observation: the transitional state
    assert servers.stop(server, wait=False).state is ServerState.STOPPING
    assert [servers.get(server).state for _ in range(2)] == [ServerState.STOPPED] * 2
    assert servers.start(server, wait=False).state is ServerState.PENDING
    assert servers.get(server).state is ServerState.RUNNING
    assert servers.reboot(server, wait=False).state is ServerState.REBOOTING
    assert servers.get(server).state is ServerState.RUNNING

    servers.delete(server, wait=False)
    assert [s.state for s in servers.list(include_terminated=True)] == [ServerState.TERMINATED]
    with pytest.raises(errors.NotFound):
        servers.get(server)


def test_waits_converge_on_a_fake_clock_without_real_sleeps(url: str) -> None:
    clock = FakeClock()
    cloud = cloudneutral.connect(url, clock=clock)
    server = cloud.servers.create("web", os="debian", min_vcpus=1)
    assert server.state is ServerState.RUNNING
    cloud.servers.stop(server)
    cloud.servers.start(server)
    volume = cloud.volumes.create("data", 1)
    assert volume.state is VolumeState.AVAILABLE
    snap = cloud.volumes.snapshot(volume, "snap")
    assert snap.state is SnapshotState.AVAILABLE
    cloud.volumes.delete(volume)
    cloud.servers.delete(server)
    # one sleep for each of: create, stop, start, volume create, snapshot, volume delete
    # (deleting, then gone); the server delete is done on its first poll (terminated)
    assert clock.slept == [0.5] * 6


def test_steps_zero_completes_transitions_at_once(url: str) -> None:
    cloud = cloudneutral.connect(url + ("&" if "?" in url else "?") + "steps=0")
    server = cloud.servers.create("web", os="ubuntu", min_vcpus=1, wait=False)
    assert server.state is ServerState.RUNNING
    volume = cloud.volumes.create("data", 1, wait=False)
    assert volume.state is VolumeState.AVAILABLE
    cloud.servers.delete(server, wait=False)
    with pytest.raises(errors.NotFound):
        cloud.servers.get(server)


def test_steps_makes_each_state_last_longer(url: str) -> None:
    cloud = cloudneutral.connect(url + ("&" if "?" in url else "?") + "steps=3")
    server = cloud.servers.create("web", os="ubuntu", min_vcpus=1, wait=False)
    states = [cloud.servers.get(server).state for _ in range(4)]
    assert states == [ServerState.PENDING] * 3 + [ServerState.RUNNING]


@pytest.mark.parametrize(
    ("action", "state_needed"),
    [("start", "stopped"), ("stop", "running"), ("reboot", "running")],
)
def test_actions_in_the_wrong_state_are_conflicts(
    cloud: cloudneutral.Cloud, action: str, state_needed: str
) -> None:
    server = cloud.servers.create("web", os="ubuntu", min_vcpus=1)
    if action == "start":
        with pytest.raises(errors.Conflict, match=f"running, not {state_needed}"):
            cloud.servers.start(server)
    else:
        cloud.servers.stop(server)
        with pytest.raises(errors.Conflict, match=f"stopped, not {state_needed}"):
            getattr(cloud.servers, action)(server)
    pending = cloud.servers.create("new", os="ubuntu", min_vcpus=1, wait=False)
    with pytest.raises(errors.Conflict, match="pending"):
        getattr(cloud.servers, action)(pending)


def test_the_catalogue_and_unknown_specs(cloud: cloudneutral.Cloud) -> None:
    assert [s.name for s in cloud.servers.sizes()][-1] == "local.xlarge"
    assert {i.os for i in cloud.servers.images()} >= {"ubuntu", "debian", "windows"}
    assert cloud.servers.find_image(os="ubuntu").id == "img-ubuntu-24.04"
    (region,) = cloud.servers.regions()
    assert (region.name, region.zones) == ("local", ("local-a", "local-b"))
    server = cloud.servers.create(
        "big", min_vcpus=8, min_memory_mib=32768, image="img-windows-2022", zone="local-b"
    )
    assert (server.size, server.image, server.zone) == ("local.xlarge", "img-windows-2022", "local-b")
    assert server.id.startswith("srv-") and server.private_ips[0].startswith("10.")
    with pytest.raises(errors.NotFound):
        cloud.servers.create("x", size="local.huge", os="ubuntu")
    with pytest.raises(errors.NotFound):
        cloud.servers.create("x", min_vcpus=1, image="img-beos-5")
    with pytest.raises(errors.NotFound, match="zone"):
        cloud.servers.create("x", min_vcpus=1, os="ubuntu", zone="mars-1")


def test_server_quota(url: str) -> None:
    cloud = cloudneutral.connect(url + ("&" if "?" in url else "?") + "max_servers=1&steps=0")
    first = cloud.servers.create("one", os="ubuntu", min_vcpus=1)
    with pytest.raises(errors.QuotaExceeded):
        cloud.servers.create("two", os="ubuntu", min_vcpus=1)
    cloud.servers.delete(first)
    cloud.servers.create("two", os="ubuntu", min_vcpus=1)


def test_attachment_rules(cloud: cloudneutral.Cloud) -> None:
    server = cloud.servers.create("web", os="ubuntu", min_vcpus=1, zone="local-a")
    other = cloud.servers.create("db", os="ubuntu", min_vcpus=1, zone="local-a")
    far = cloud.volumes.create("far", 1, zone="local-b")
    with pytest.raises(errors.Conflict, match="zone"):
        cloud.volumes.attach(far, server)

    volume = cloud.volumes.create("data", 1, zone="local-a")
    attached = cloud.volumes.attach(volume, server)
    assert attached.state is VolumeState.IN_USE
    assert [(a.server_id, a.device) for a in attached.attachments] == [(server.id, "/dev/vdb")]
    assert cloud.servers.get(server).volumes == (volume.id,)
    with pytest.raises(errors.Conflict, match="in use"):
        cloud.volumes.attach(volume, other)
    with pytest.raises(errors.Conflict, match="attached"):
        cloud.volumes.delete(volume)
    with pytest.raises(errors.Conflict, match="attached"):
        cloud.driver.volumes.delete_volume(volume.id)  # type: ignore[union-attr]
    with pytest.raises(errors.Conflict, match="not attached"):
        cloud.volumes.detach(volume, other)
    second = cloud.volumes.create("more", 1, zone="local-a")
    assert cloud.volumes.attach(second, server).attachments[0].device == "/dev/vdc"

    assert cloud.volumes.detach(volume).state is VolumeState.AVAILABLE
    with pytest.raises(errors.Conflict, match="not attached"):
        cloud.volumes.detach(volume)
    with pytest.raises(errors.NotFound):
        cloud.volumes.attach(volume, "srv-0000000000000000")

    cloud.servers.stop(other)  # a stopped server takes volumes, as on EC2 and OpenStack
    cloud.volumes.attach(volume, other)
    creating = cloud.servers.create("late", os="ubuntu", min_vcpus=1, wait=False)
    with pytest.raises(errors.Conflict, match="pending"):
        cloud.volumes.attach(cloud.volumes.create("spare", 1), creating)


def test_deleting_a_server_detaches_its_volumes(cloud: cloudneutral.Cloud) -> None:
    server = cloud.servers.create("web", os="ubuntu", min_vcpus=1)
    volume = cloud.volumes.attach(cloud.volumes.create("data", 1), server)
    assert volume.state is VolumeState.IN_USE
    cloud.servers.delete(server)
    after = cloud.volumes.get(volume)
    assert (after.state, after.attachments) == (VolumeState.AVAILABLE, ())
    cloud.volumes.delete(volume)
    with pytest.raises(errors.NotFound):
        cloud.volumes.get(volume)


def test_a_volume_is_deleting_for_one_observation(cloud: cloudneutral.Cloud) -> None:
    volume = cloud.volumes.create("data", 1)
    cloud.volumes.delete(volume, wait=False)
    assert cloud.volumes.get(volume).state is VolumeState.DELETING
    with pytest.raises(errors.NotFound):
        cloud.volumes.get(volume)


def test_listing_pages_in_creation_order_and_observes_each_item(cloud: cloudneutral.Cloud) -> None:
    created = [cloud.servers.create(f"s{i}", os="ubuntu", min_vcpus=1, wait=False) for i in range(5)]
    listed = list(cloud.servers.list(page_size=2))
    assert [s.id for s in listed] == [s.id for s in created]
    assert {s.state for s in listed} == {ServerState.PENDING}
    assert {s.state for s in cloud.servers.list(page_size=3)} == {ServerState.RUNNING}


def test_transitions_are_shared_by_processes(root: Path, run_python: object) -> None:
    cloud = cloudneutral.connect(f"local://?root={root}")
    server = cloud.servers.create("web", os="ubuntu", min_vcpus=1, wait=False)
    child = run_python(  # type: ignore[operator]
        """
        import sys, cloudneutral
        print(cloudneutral.connect(f"local://?root={sys.argv[1]}").servers.get(sys.argv[2]).state.value)
        """,
        str(root),
        server.id,
    )
    assert child.stdout.strip() == "pending"  # the child made the one observation of pending
    assert cloud.servers.get(server).state is ServerState.RUNNING
