"""The ARM test peer through today's SDKs: the flows the Azure adapter will use, and its errors.

Clients come from :func:`cloudneutral_azure.testing.clients.peer_client` (plain http,
``polling_interval=0``, fake token); bodies are REST-shaped dicts or SDK models (the
azure-mgmt-* 2025+ clients send a plain dict verbatim, so snake_case dicts would not work).
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError, ServiceRequestError
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute import models as cm
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient
from cloudneutral_azure.testing.arm_peer import ArmPeer
from cloudneutral_azure.testing.credentials import FakeCredential

ROOT = Path(__file__).resolve().parents[3]
RG = "cn-rg"
LOC = "westeurope"


@pytest.fixture
def peer() -> Iterator[ArmPeer]:
    with ArmPeer(polls=2) as instance:
        yield instance


@pytest.fixture
def clients(
    peer: ArmPeer,
) -> Iterator[tuple[ResourceManagementClient, NetworkManagementClient, ComputeManagementClient]]:
    res = peer.client(ResourceManagementClient)
    net = peer.client(NetworkManagementClient)
    compute = peer.client(ComputeManagementClient)
    res.resource_groups.create_or_update(RG, {"location": LOC})
    yield res, net, compute
    for client in (res, net, compute):
        client.close()


def _nic(net: NetworkManagementClient) -> str:
    net.virtual_networks.begin_create_or_update(
        RG, "vnet", {"location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}}}
    ).result()
    subnet = net.subnets.begin_create_or_update(
        RG, "vnet", "default", {"properties": {"addressPrefix": "10.1.0.0/24"}}
    ).result()
    nic = net.network_interfaces.begin_create_or_update(
        RG,
        "nic",
        {
            "location": LOC,
            "properties": {"ipConfigurations": [{"name": "ip", "properties": {"subnet": {"id": subnet.id}}}]},
        },
    ).result()
    assert nic.ip_configurations and nic.ip_configurations[0].private_ip_address == "10.1.0.4"
    return str(nic.id)


def _vm_body(nic_id: str, size: str = "Standard_B2s", sku: str = "server", **storage: Any) -> dict[str, Any]:
    return {
        "location": LOC,
        "properties": {
            "hardwareProfile": {"vmSize": size},
            "storageProfile": {
                "imageReference": {
                    "publisher": "Canonical",
                    "offer": "ubuntu-24_04-lts",
                    "sku": sku,
                    "version": "latest",
                },
                **storage,
            },
            "osProfile": {"computerName": "web", "adminUsername": "cn", "adminPassword": "not-a-secret-1!"},
            "networkProfile": {"networkInterfaces": [{"id": nic_id}]},
        },
    }


def _power(compute: ComputeManagementClient, name: str) -> str:
    statuses = compute.virtual_machines.instance_view(RG, name).statuses or []
    return next(str(s.code) for s in statuses if str(s.code).startswith("PowerState/"))


def test_vm_lifecycle_without_sleeping(clients: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _, net, compute = clients
    monkeypatch.setattr(
        time, "sleep", lambda s: (_ for _ in ()).throw(AssertionError(f"slept {s}")) if s else None
    )
    nic = _nic(net)
    poller = compute.virtual_machines.begin_create_or_update(RG, "web", _vm_body(nic))
    assert poller.status() == "InProgress"
    vm = poller.result()
    assert (vm.provisioning_state, vm.hardware_profile.vm_size) == ("Succeeded", "Standard_B2s")  # type: ignore[union-attr]
    assert vm.storage_profile.image_reference.exact_version == "24.04.202405010"  # type: ignore[union-attr]
    os_disk = compute.disks.get(RG, vm.storage_profile.os_disk.name)  # type: ignore[union-attr,arg-type]
    assert os_disk.managed_by == vm.id and os_disk.disk_state == "Attached"
    assert _power(compute, "web") == "PowerState/running"
    for action, state in [
        ("power_off", "stopped"),
        ("start", "running"),
        ("restart", "running"),
        ("deallocate", "deallocated"),
    ]:
        getattr(compute.virtual_machines, f"begin_{action}")(RG, "web").result()
        assert _power(compute, "web") == f"PowerState/{state}"
    expanded = compute.virtual_machines.get(RG, "web", expand="instanceView")
    assert expanded.instance_view and expanded.instance_view.statuses
    assert [v.name for v in compute.virtual_machines.list(RG)] == ["web"]
    assert [v.name for v in compute.virtual_machines.list_all()] == ["web"]
    compute.virtual_machines.begin_delete(RG, "web").result()
    with pytest.raises(ResourceNotFoundError) as raised:
        compute.virtual_machines.get(RG, "web")
    assert raised.value.error is not None and raised.value.error.code == "ResourceNotFound"
    assert compute.disks.get(RG, os_disk.name).managed_by is None  # type: ignore[arg-type]


def test_data_disks_attach_and_detach_by_lun(clients: Any) -> None:
    _, net, compute = clients
    vm = compute.virtual_machines.begin_create_or_update(RG, "db", _vm_body(_nic(net))).result()
    disk = compute.disks.begin_create_or_update(
        RG,
        "data",
        {
            "location": LOC,
            "sku": {"name": "Premium_LRS"},
            "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 16},
        },
    ).result()
    assert (disk.disk_size_gb, disk.disk_state, disk.sku.name) == (16, "Unattached", "Premium_LRS")  # type: ignore[union-attr]
    vm.storage_profile.data_disks = [
        cm.DataDisk(lun=3, create_option="Attach", managed_disk=cm.ManagedDiskParameters(id=disk.id))
    ]  # type: ignore[union-attr]
    vm = compute.virtual_machines.begin_create_or_update(RG, "db", vm).result()
    assert [(d.lun, d.name) for d in vm.storage_profile.data_disks] == [(3, "data")]  # type: ignore[union-attr]
    assert compute.disks.get(RG, "data").managed_by == vm.id
    with pytest.raises(HttpResponseError) as raised:
        compute.disks.begin_delete(RG, "data")
    assert raised.value.status_code == 409 and raised.value.error.code == "OperationNotAllowed"  # type: ignore[union-attr]
    detaching = compute.virtual_machines.begin_create_or_update(
        RG, "db", {**_vm_body(""), "properties": {"storageProfile": {"dataDisks": []}}}
    )
    assert detaching.status() == "InProgress"
    vm = detaching.result()
    assert vm.storage_profile.data_disks == []  # type: ignore[union-attr]
    assert compute.disks.get(RG, "data").managed_by is None
    compute.disks.begin_delete(RG, "data").result()
    assert [d.name for d in compute.disks.list_by_resource_group(RG)] == [vm.storage_profile.os_disk.name]  # type: ignore[union-attr]


def test_snapshot_and_disk_from_snapshot(clients: Any) -> None:
    _, _, compute = clients
    disk = compute.disks.begin_create_or_update(
        RG,
        "src",
        {"location": LOC, "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 10}},
    ).result()
    snap = compute.snapshots.begin_create_or_update(
        RG,
        "snap",
        {
            "location": LOC,
            "properties": {"creationData": {"createOption": "Copy", "sourceResourceId": disk.id}},
        },
    ).result()
    assert (snap.disk_size_gb, snap.creation_data.source_resource_id) == (10, disk.id)  # type: ignore[union-attr]
    copy = compute.disks.begin_create_or_update(
        RG,
        "copy",
        {
            "location": LOC,
            "properties": {
                "creationData": {"createOption": "Copy", "sourceResourceId": snap.id},
                "diskSizeGB": 20,
            },
        },
    ).result()
    assert (copy.disk_size_gb, copy.creation_data.create_option) == (20, "Copy")  # type: ignore[union-attr]
    assert {s.name for s in compute.snapshots.list_by_resource_group(RG)} == {"snap"}
    with pytest.raises(HttpResponseError) as raised:
        compute.disks.begin_create_or_update(
            RG,
            "small",
            {
                "location": LOC,
                "properties": {
                    "creationData": {"createOption": "Copy", "sourceResourceId": snap.id},
                    "diskSizeGB": 5,
                },
            },
        )
    assert raised.value.status_code == 400
    compute.snapshots.begin_delete(RG, "snap").result()
    with pytest.raises(ResourceNotFoundError):
        compute.snapshots.get(RG, "snap")


def test_catalogue_sizes_skus_and_images_by_architecture(clients: Any) -> None:
    _, _, compute = clients
    sizes = {s.name: s for s in compute.virtual_machine_sizes.list(LOC)}
    assert sizes["Standard_B2s"].number_of_cores == 2 and sizes["Standard_B2s"].memory_in_mb == 4096
    skus = {
        s.name: {c.name: c.value for c in s.capabilities or []}
        for s in compute.resource_skus.list(filter=f"location eq '{LOC}'")
    }
    assert skus["Standard_D2ps_v5"]["CpuArchitectureType"] == "Arm64"
    assert skus["Standard_B2s"]["CpuArchitectureType"] == "x64"
    publishers = {p.name for p in compute.virtual_machine_images.list_publishers(LOC)}
    assert {"Canonical", "Debian", "MicrosoftWindowsServer"} <= publishers
    skus_debian = [s.name for s in compute.virtual_machine_images.list_skus(LOC, "Debian", "debian-12")]
    assert skus_debian == ["12-arm64", "12-gen2"]
    (latest,) = compute.virtual_machine_images.list(
        LOC, "Debian", "debian-12", "12-arm64", top=1, orderby="name desc"
    )
    image = compute.virtual_machine_images.get(LOC, "Debian", "debian-12", "12-arm64", str(latest.name))
    assert image.architecture == "Arm64" and image.os_disk_image.operating_system == "Linux"  # type: ignore[union-attr]
    with pytest.raises(ResourceNotFoundError):
        compute.virtual_machine_images.get(LOC, "Nobody", "none", "none", "1.0")


def test_errors_have_arm_codes(clients: Any, peer: ArmPeer) -> None:
    res, net, compute = clients
    with pytest.raises(ResourceNotFoundError) as raised:
        res.resource_groups.get("missing")
    assert raised.value.error.code == "ResourceGroupNotFound"  # type: ignore[union-attr]
    with pytest.raises(ResourceNotFoundError) as raised:
        compute.disks.get("missing", "d")
    assert raised.value.error.code == "ResourceGroupNotFound"  # type: ignore[union-attr]
    with pytest.raises(HttpResponseError) as raised:
        compute.virtual_machines.begin_create_or_update(
            RG, "arm", _vm_body(_nic(net), size="Standard_B2s", sku="server-arm64")
        )
    assert raised.value.status_code == 400 and "architecture" in str(raised.value.message)
    with pytest.raises(HttpResponseError) as raised:
        compute.virtual_machines.begin_start(RG, "nothing")
    assert raised.value.status_code == 404
    request = urllib.request.Request(f"{peer.endpoint}/subscriptions/s/resourcegroups?api-version=2022-09-01")
    with pytest.raises(urllib.error.HTTPError) as http:
        urllib.request.urlopen(request)
    assert http.value.code == 401  # no bearer token
    assert compute.virtual_machines.begin_delete(RG, "nothing").result() is None  # 204: nothing to delete


def test_resource_group_delete_is_a_location_lro(clients: Any) -> None:
    res, _, compute = clients
    compute.disks.begin_create_or_update(
        RG, "d", {"location": LOC, "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 1}}
    ).result()
    poller = res.resource_groups.begin_delete(RG)
    assert poller.status() == "InProgress"
    poller.result()
    assert res.resource_groups.check_existence(RG) is False
    with pytest.raises(ResourceNotFoundError):
        compute.disks.get(RG, "d")


def test_azure_core_refuses_bearer_over_http_without_the_policy(peer: ArmPeer) -> None:
    """Why :func:`peer_client` replaces the authentication policy."""
    plain = ResourceManagementClient(
        FakeCredential(), "00000000-0000-0000-0000-000000000000", base_url=peer.endpoint
    )
    with pytest.raises(ServiceRequestError, match=r"non-TLS|https"):
        plain.resource_groups.get(RG)


def test_peer_script_start_status_stop(tmp_path: Path) -> None:
    script = ROOT / "scripts" / "peers" / "arm.sh"
    env = {**os.environ, "CN_PEERS_DIR": str(tmp_path)}  # never the peer CI started in .peers/
    url = subprocess.run(
        [str(script), "start"], check=True, capture_output=True, text=True, timeout=60, env=env
    ).stdout.strip()
    try:
        assert url.startswith("http://127.0.0.1:")
        assert subprocess.run([str(script), "status"], timeout=30, env=env).returncode == 0
        assert (
            subprocess.run(
                [str(script), "url"], capture_output=True, text=True, timeout=30, env=env
            ).stdout.strip()
            == url
        )
        request = urllib.request.Request(
            f"{url}/subscriptions/s/providers/Microsoft.Compute/locations/x/vmSizes?api-version=1"
        )
        request.add_header("Authorization", "Bearer anything")
        assert urllib.request.urlopen(request, timeout=5).status == 200
    finally:
        subprocess.run([str(script), "stop"], check=True, timeout=60, env=env)
    assert subprocess.run([str(script), "status"], timeout=30, env=env).returncode == 1
