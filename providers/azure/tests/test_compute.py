"""What the Azure server and volume drivers do beyond the conformance suite, against the ARM
test peer: what a VM is made of and what its deletion removes, stop = deallocate, LUN devices,
zones, names that are taken, state mapping, size architectures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cloudneutral_azure._catalogue import size_arch
from cloudneutral_azure.servers import server_state
from cloudneutral_azure.volumes import volume_state

import cloudneutral
from cloudneutral import AlreadyExists, NotFound, ServerState, VolumeState


@pytest.fixture
def cloud(arm_peer: Any, connect_url: Any) -> Iterator[cloudneutral.Cloud]:
    url = connect_url(arm_endpoint=arm_peer.endpoint, sizes="Standard_B*")
    with cloudneutral.connect(url, clock=cloudneutral.FakeClock()) as cloud:
        yield cloud


def resources(peer: Any, group: str) -> list[str]:
    """``kind/name`` of what the peer holds in ``group``."""
    return sorted(f"{k}/{n}" for (_, g, k, n) in peer.arm.store.resources if g == group.lower())


def test_a_server_brings_its_nic_and_os_disk_and_takes_them_away(
    cloud: cloudneutral.Cloud, arm_peer: Any
) -> None:
    group = cloud.driver.clients.resource_group  # type: ignore[attr-defined]
    server = cloud.servers.create("web", os="ubuntu", min_vcpus=1)
    assert server.state is ServerState.RUNNING and server.size.startswith("Standard_B")
    assert server.private_ips == ("10.20.0.4",) and server.public_ips == ()  # no public IP is made
    held = resources(arm_peer, group)
    assert "networkinterfaces/web-nic" in held and "virtualnetworks/cloudneutral-vnet" in held
    assert any(r.startswith("disks/web_osdisk") for r in held)
    vm = arm_peer.arm.store.resources[
        ("00000000-0000-0000-0000-000000000000", group.lower(), "virtualmachines", "web")
    ]
    assert vm["properties"]["osProfile"]["adminUsername"] == "cloudneutral"
    cloud.servers.delete(server)
    assert resources(arm_peer, group) == ["virtualnetworks/cloudneutral-vnet"]


def test_stop_deallocates(cloud: cloudneutral.Cloud, arm_peer: Any) -> None:
    server = cloud.servers.create("app", os="debian", min_vcpus=1)
    assert cloud.servers.stop(server).state is ServerState.STOPPED
    statuses = cloud.servers.get(server.id).native["properties"]["instanceView"]["statuses"]  # type: ignore[index]
    assert "PowerState/deallocated" in [s["code"] for s in statuses]
    cloud.servers.delete(server)


def test_a_taken_server_name_is_already_exists(cloud: cloudneutral.Cloud) -> None:
    server = cloud.servers.create("twin", os="ubuntu", min_vcpus=1)
    with pytest.raises(AlreadyExists):
        cloud.servers.create("twin", os="ubuntu", min_vcpus=1)
    assert cloud.servers.get(server.id).state is ServerState.RUNNING
    cloud.servers.delete(server)


def test_zones_round_trip_and_unknown_zones_are_not_found(cloud: cloudneutral.Cloud) -> None:
    zones = next(r.zones for r in cloud.servers.regions() if r.name == "eastus")
    assert zones == ("eastus-1", "eastus-2", "eastus-3")
    volume = cloud.volumes.create("zonal", 1, zone="eastus-2")
    assert cloud.volumes.get(volume.id).zone == "eastus-2"
    with pytest.raises(NotFound, match="zone"):
        cloud.volumes.create("elsewhere", 1, zone="westus-1")
    cloud.volumes.delete(volume)


def test_attachments_report_server_and_lun(cloud: cloudneutral.Cloud) -> None:
    server = cloud.servers.create("db", os="ubuntu", min_vcpus=1)
    first = cloud.volumes.create("data1", 1)
    second = cloud.volumes.create("data2", 1)
    cloud.volumes.attach(first, server)
    attached = cloud.volumes.attach(second, server, device="lun5")
    assert [(a.server_id, a.device) for a in attached.attachments] == [("db", "lun5")]
    assert [(a.server_id, a.device) for a in cloud.volumes.get(first.id).attachments] == [("db", "lun0")]
    listed = {v.id: v for v in cloud.volumes.list()}
    assert listed["data2"].attachments[0].device == "lun5"
    assert set(cloud.servers.get(server.id).volumes) >= {"data1", "data2"}
    cloud.servers.delete(server)  # data disks are detached, not deleted
    assert cloud.volumes.get(first.id).state is VolumeState.AVAILABLE
    for volume in (first, second):
        cloud.volumes.delete(volume)


def test_taken_volume_and_snapshot_names_are_already_exists(cloud: cloudneutral.Cloud) -> None:
    volume = cloud.volumes.create("taken", 1)
    with pytest.raises(AlreadyExists):
        cloud.volumes.create("taken", 2)
    snap = cloud.volumes.snapshot(volume, "snap")
    with pytest.raises(AlreadyExists):
        cloud.volumes.snapshot(volume, "snap")
    assert [s.id for s in cloud.volumes.snapshots()] == [snap.id]
    cloud.volumes.delete_snapshot(snap)
    cloud.volumes.delete(volume)


@pytest.mark.parametrize(
    ("provisioning", "power", "state"),
    [
        ("Creating", None, ServerState.PENDING),
        ("Creating", "starting", ServerState.PENDING),
        ("Succeeded", "running", ServerState.RUNNING),
        ("Updating", "running", ServerState.RUNNING),
        ("Succeeded", "stopping", ServerState.STOPPING),
        ("Succeeded", "stopped", ServerState.STOPPED),
        ("Succeeded", "deallocating", ServerState.STOPPING),
        ("Succeeded", "deallocated", ServerState.STOPPED),
        ("Succeeded", "restarting", ServerState.REBOOTING),
        ("Deleting", "running", ServerState.STOPPING),
        ("Failed", "running", ServerState.ERROR),
        ("Succeeded", None, ServerState.UNKNOWN),
    ],
)
def test_server_state_from_provisioning_and_power(
    provisioning: str, power: str | None, state: ServerState
) -> None:
    statuses = [{"code": f"ProvisioningState/{provisioning.lower()}"}]
    if power:
        statuses.append({"code": f"PowerState/{power}"})
    vm = {"properties": {"provisioningState": provisioning, "instanceView": {"statuses": statuses}}}
    assert server_state(vm) is state


@pytest.mark.parametrize(
    ("provisioning", "managed_by", "state"),
    [
        ("Updating", None, VolumeState.CREATING),
        ("Succeeded", None, VolumeState.AVAILABLE),
        (
            "Succeeded",
            "/subscriptions/x/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/v",
            VolumeState.IN_USE,
        ),
        ("Deleting", None, VolumeState.DELETING),
        ("Failed", None, VolumeState.ERROR),
    ],
)
def test_volume_state(provisioning: str, managed_by: str | None, state: VolumeState) -> None:
    disk: dict[str, Any] = {"properties": {"provisioningState": provisioning}}
    if managed_by:
        disk["managedBy"] = managed_by
    assert volume_state(disk) is state


@pytest.mark.parametrize(
    ("name", "arch"),
    [
        ("Standard_D2ps_v5", "arm64"),
        ("Standard_B2pts_v2", "arm64"),
        ("Standard_E4pds_v5", "arm64"),
        ("Standard_D2s_v3", "x86_64"),
        ("Standard_M128-64ms", "x86_64"),
        ("Standard_NC24ads_A100_v4", "x86_64"),
        ("Standard_DC2s_v3", "x86_64"),
        ("Basic_A0", "x86_64"),
    ],
)
def test_size_architecture_from_its_name(name: str, arch: str) -> None:
    assert size_arch(name) == arch


def test_listings_of_a_group_not_made_yet_are_empty(cloud: cloudneutral.Cloud) -> None:
    assert list(cloud.servers.list()) == []
    assert list(cloud.volumes.list()) == []
    assert list(cloud.volumes.snapshots()) == []
