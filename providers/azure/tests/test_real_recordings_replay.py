"""Real recorded ARM traffic (``cassettes/azure/real/``) replays under today's SDKs, without sleeping.

Each test drives azure-mgmt-compute/-network/-resource directly (no adapter yet) through
vcrpy with the helpers of :mod:`cloudneutral_azure.testing.replay`: a query matcher that
ignores ``api-version``, ``Retry-After`` stripped on load, clients with
``polling_interval=0`` and a fake credential. Record mode is ``none``, so a request the
recording lacks fails the test. See docs/cassettes.md for what replays and what does not.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient
from cloudneutral_azure.testing.replay import mgmt_client, real_cassettes_dir, recorder
from cloudneutral_azure.testing.scrub import find_arm_leaks

from cloudneutral.conformance.scrub import find_secrets

RG = "rgname"


@pytest.fixture
def compute() -> Iterator[ComputeManagementClient]:
    with mgmt_client(ComputeManagementClient) as client:
        yield client


def _play(name: str) -> Any:
    return recorder().use_cassette(name, allow_playback_repeats=False)


def _all_played(tape: Any) -> None:
    assert tape.all_played, f"{len(tape.data) - tape.play_count} recorded interactions not used"


def test_recordings_hold_no_credentials() -> None:
    files = sorted(real_cassettes_dir().glob("*.yaml"))
    assert len(files) == 7
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert find_secrets(text) == [], path.name
        assert find_arm_leaks(text) == [], path.name


def test_disk_create_get_update_access_delete(
    compute: ComputeManagementClient, no_sleep: list[float]
) -> None:
    started = time.monotonic()
    with _play("test_mgmt_compute_disks.test_compute_disks.yaml") as tape:
        name = "disknamex77f61175"
        disk = compute.disks.begin_create_or_update(
            RG, name, {"location": "eastus", "creation_data": {"create_option": "Empty"}, "disk_size_gb": 200}
        ).result()
        assert (disk.name, disk.disk_size_gb, disk.provisioning_state) == (name, 200, "Succeeded")
        got = compute.disks.get(RG, name)
        assert (got.disk_state, got.sku.name) == ("Unattached", "Standard_LRS")  # type: ignore[union-attr]
        updated = compute.disks.begin_update(RG, name, {"disk_size_gb": 200}).result()
        assert updated.disk_size_gb == 200
        access = compute.disks.begin_grant_access(
            RG, name, {"access": "Read", "duration_in_seconds": 1800}
        ).result()
        assert access.access_sas == "FakeUrl"
        compute.disks.begin_revoke_access(RG, name).result()
        compute.disks.begin_delete(RG, name).result()
        _all_played(tape)
    assert all(d == 0 for d in no_sleep)
    assert time.monotonic() - started < 10


def test_snapshot_from_disk(compute: ComputeManagementClient, no_sleep: list[float]) -> None:
    with _play("test_mgmt_compute_disks.test_compute_shot.yaml") as tape:
        disk = compute.disks.begin_create_or_update(
            RG,
            "disknamex66bb1115",
            {"location": "eastus", "creation_data": {"create_option": "Empty"}, "disk_size_gb": 200},
        ).result()
        snapshot = compute.snapshots.begin_create_or_update(
            RG,
            "snapshotx66bb1115",
            {"location": "eastus", "creation_data": {"create_option": "Copy", "source_uri": disk.id}},
        ).result()
        assert snapshot.creation_data.create_option == "Copy"
        assert snapshot.creation_data.source_resource_id == disk.id
        assert compute.snapshots.get(RG, "snapshotx66bb1115").provisioning_state == "Succeeded"
        compute.snapshots.begin_delete(RG, "snapshotx66bb1115").result()
        assert tape.play_count == 9  # the image interactions of the recording are not driven here
    assert all(d == 0 for d in no_sleep)


def test_vm_lifecycle(compute: ComputeManagementClient, no_sleep: list[float]) -> None:
    suffix = "x15cf0eff"
    vm_name = f"virtualmachine{suffix}"
    with (
        _play("test_mgmt_compute_vm.test_compute_vm.yaml") as tape,
        mgmt_client(NetworkManagementClient) as network,
    ):
        network.virtual_networks.begin_create_or_update(
            RG,
            f"networkname{suffix}",
            {"location": "eastus", "address_space": {"address_prefixes": ["10.0.0.0/16"]}},
        ).result()
        subnet = network.subnets.begin_create_or_update(
            RG, f"networkname{suffix}", f"subnet{suffix}", {"address_prefix": "10.0.0.0/24"}
        ).result()
        nic = network.network_interfaces.begin_create_or_update(
            RG,
            f"interface{suffix}",
            {
                "location": "eastus",
                "ip_configurations": [{"name": "MyIpConfig", "subnet": {"id": subnet.id}}],
            },
        ).result()
        vm = compute.virtual_machines.begin_create_or_update(
            RG,
            vm_name,
            {
                "location": "eastus",
                "hardware_profile": {"vm_size": "Standard_D2_v2"},
                "storage_profile": {
                    "image_reference": {
                        "publisher": "Canonical",
                        "offer": "UbuntuServer",
                        "sku": "16.04.0-LTS",
                        "version": "latest",
                    }
                },
                "os_profile": {"admin_username": "testuser", "computer_name": "test", "admin_password": "x"},
                "network_profile": {"network_interfaces": [{"id": nic.id}]},
            },
        ).result()
        assert (vm.name, vm.provisioning_state) == (vm_name, "Succeeded")
        view = compute.virtual_machines.instance_view(RG, vm_name)
        assert any(s.code.startswith("PowerState/") for s in view.statuses or [])  # type: ignore[union-attr]
        assert compute.virtual_machines.get(RG, vm_name).name == vm_name
        compute.virtual_machines.begin_restart(RG, vm_name).result()
        compute.virtual_machines.begin_power_off(RG, vm_name, skip_shutdown=False).result()
        compute.virtual_machines.begin_start(RG, vm_name).result()
        compute.virtual_machines.begin_deallocate(RG, vm_name).result()
        compute.virtual_machines.begin_delete(RG, vm_name).result()
        assert tape.play_count >= 30
    assert all(d == 0 for d in no_sleep)


def test_vm_lists_sizes_and_instance_view(compute: ComputeManagementClient) -> None:
    name = "virtualmachinexxx9a731234"
    with _play("test_mgmt_compute_base_async.test_compute_vm.yaml") as tape:
        sizes = list(compute.virtual_machine_sizes.list("eastus"))
        assert len(sizes) > 100
        assert all(s.number_of_cores and s.memory_in_mb for s in sizes)
        assert list(compute.virtual_machines.list_available_sizes(RG, name))
        in_rg = [vm.name for vm in compute.virtual_machines.list(RG)]
        assert name in in_rg
        assert name in [vm.name for vm in compute.virtual_machines.list_all()]
        assert list(compute.virtual_machines.list_by_location("eastus"))
        vm = compute.virtual_machines.get(RG, name, expand="instanceView")
        assert vm.instance_view is not None and vm.instance_view.statuses
        assert tape.play_count == 6


def test_marketplace_images(compute: ComputeManagementClient) -> None:
    loc, pub, offer, sku = "eastus", "MicrosoftWindowsServer", "WindowsServer", "2019-Datacenter"
    with _play("test_mgmt_compute_vm.test_compute_vm_image.yaml") as tape:
        image = compute.virtual_machine_images.get(loc, pub, offer, sku, "2019.0.20190115")
        assert image.os_disk_image.operating_system == "Windows"  # type: ignore[union-attr]
        versions = compute.virtual_machine_images.list(loc, pub, offer, sku)
        assert versions and all(v.name for v in versions)
        assert offer in [o.name for o in compute.virtual_machine_images.list_offers(loc, pub)]
        assert pub in [p.name for p in compute.virtual_machine_images.list_publishers(loc)]
        assert sku in [s.name for s in compute.virtual_machine_images.list_skus(loc, pub, offer)]
        _all_played(tape)


def test_resource_group_create_get_delete(no_sleep: list[float]) -> None:
    name = "test_mgmt_resource_test_resource_groups457f1050"
    with (
        _play("test_mgmt_resource.test_resource_groups.yaml") as tape,
        mgmt_client(ResourceManagementClient) as resource,
    ):
        group = resource.resource_groups.create_or_update(
            name, {"location": "westus", "tags": {"tag1": "value1"}}
        )
        assert (group.name, group.properties.provisioning_state) == (name, "Succeeded")  # type: ignore[union-attr]
        assert resource.resource_groups.get(name).tags == {"tag1": "value1"}
        assert resource.resource_groups.check_existence(name) is True
        assert resource.resource_groups.check_existence("unknowngroup") is False
        assert name in [g.name for g in resource.resource_groups.list()]
        resource.resource_groups.begin_delete(name).result()
        assert tape.play_count == 8
    assert all(d == 0 for d in no_sleep)


def test_disk_detach_and_attach_azure_cli(compute: ComputeManagementClient, no_sleep: list[float]) -> None:
    """azure-cli 2.83 (Feb 2026): detach and re-attach an existing managed disk by PUT of the VM."""
    rg, name = "cli-test-disk000001", "vm-diskattach-test"
    with _play("test_vm_disk_attach_detach.yaml") as tape:
        vm_body: dict[str, Any] = {
            "location": "eastus2",
            "hardware_profile": {"vm_size": "Standard_B2ms"},
            "storage_profile": {"data_disks": []},
        }
        detached = compute.virtual_machines.begin_create_or_update(rg, name, vm_body).result()
        assert detached.storage_profile.data_disks == []  # type: ignore[union-attr]
        assert compute.virtual_machines.get(rg, name).storage_profile.data_disks == []  # type: ignore[union-attr]
        vm = compute.virtual_machines.get(rg, name)
        disk_id = vm.storage_profile.os_disk.managed_disk.id.rsplit("/", 1)[0] + "/d1"  # type: ignore[union-attr]
        vm_body["storage_profile"]["data_disks"] = [
            {
                "lun": 0,
                "create_option": "Attach",
                "caching": "ReadWrite",
                "managed_disk": {"id": disk_id, "storage_account_type": "Standard_LRS"},
            }
        ]
        attached = compute.virtual_machines.begin_create_or_update(rg, name, vm_body).result()
        (disk,) = attached.storage_profile.data_disks  # type: ignore[union-attr]
        assert (disk.lun, disk.name, disk.to_be_detached) == (0, "d1", False)
        assert compute.virtual_machines.get(rg, name).storage_profile.data_disks[0].name == "d1"  # type: ignore[union-attr,index]
        _all_played(tape)
    assert all(d == 0 for d in no_sleep)
