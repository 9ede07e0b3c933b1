"""The adapter, driven through the portable API, against real recorded Azure traffic.

Each test connects ``Cloud.from_driver(AzureDriver(...))`` to ``https://management.azure.com``
with the recordings' subscription, resource group and location, and replays a file of
``cassettes/azure/real/`` (vcrpy record mode ``none``: a request the recording lacks fails
the test; ``api-version`` is ignored, ``Retry-After`` stripped, nothing sleeps). What the
adapter sends must be in the recording, and what Azure answered must become the right
portable model. Where the adapter's request sequence differs from the recorded one, the
test says how (see also docs/cassettes.md, "What replays from real traffic").
"""

from __future__ import annotations

import copy
import json
import socket
from pathlib import Path
from typing import Any

import pytest
import yaml
from cloudneutral_azure import AzureDriver, _clients
from cloudneutral_azure.testing.credentials import FakeCredential
from cloudneutral_azure.testing.replay import ZERO_SUBSCRIPTION, real_cassettes_dir, recorder

import cloudneutral
from cloudneutral import Capability, ServerState, SnapshotState, VolumeState
from cloudneutral.registry import parse_url

from cloudneutral_azure import OPENER  # isort: skip


@pytest.fixture(autouse=True)
def fake_credential(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_clients, "credential_factory", FakeCredential)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any name lookup but loopback's: a request the recording lacks must never reach Azure."""
    real = socket.getaddrinfo

    def lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise AssertionError(f"network access to {host} during a replay")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)


def connect(group: str = "rgname", location: str = "eastus") -> cloudneutral.Cloud:
    url = parse_url(
        f"azure://?subscription={ZERO_SUBSCRIPTION}&resource_group={group}&location={location}"
        "&polling_interval=0"
    )
    driver = AzureDriver(OPENER.check(url))
    return cloudneutral.Cloud.from_driver(driver, clock=cloudneutral.FakeClock())


def play(name: str, *, repeats: bool = False) -> Any:
    return recorder().use_cassette(name, allow_playback_repeats=repeats)


def requests_played(tape: Any) -> list[str]:
    out = []
    for index, (request, _) in enumerate(tape.data):
        if tape.play_counts[index]:
            out.append(f"{request.method} {request.path.rsplit('/providers/', 1)[-1]}")
    return out


# -- disks ----------------------------------------------------------------------------------
def test_disk_create_get_delete(no_sleep: list[float]) -> None:
    """azure-mgmt-compute 23.1 recording, Oct 2021: PUT 202 + the final GET, GET, DELETE 202."""
    with play("test_mgmt_compute_disks.test_compute_disks.yaml") as tape, connect() as cloud:
        volume = cloud.volumes.create("disknamex77f61175", 200)  # waits: GET until Succeeded
        assert (volume.id, volume.name, volume.size_gib) == ("disknamex77f61175", "disknamex77f61175", 200)
        assert volume.state is VolumeState.AVAILABLE and volume.attachments == ()
        assert volume.zone is None and volume.provider == "azure"
        got = cloud.volumes.get(volume.id)
        assert (got.state, got.size_gib, got.snapshot_id) == (VolumeState.AVAILABLE, 200, None)
        assert got.created is not None and got.created.year == 2021
        cloud.volumes.delete(volume.id, wait=False)  # GET (not attached), then DELETE 202
        assert requests_played(tape) == [
            "PUT Microsoft.Compute/disks/disknamex77f61175",
            "GET Microsoft.Compute/disks/disknamex77f61175",
            "GET Microsoft.Compute/disks/disknamex77f61175",
            "GET Microsoft.Compute/disks/disknamex77f61175",
            "DELETE Microsoft.Compute/disks/disknamex77f61175",
        ]
    assert all(d == 0 for d in no_sleep)


def test_snapshot_of_a_disk_and_its_deletion(no_sleep: list[float]) -> None:
    """Oct 2021: disk PUT, snapshot PUT 202 (Copy), GETs, DELETE 202 polled to the end."""
    with play("test_mgmt_compute_disks.test_compute_shot.yaml") as tape, connect() as cloud:
        disk = cloud.volumes.create("disknamex66bb1115", 200)
        snap = cloud.volumes.snapshot(disk, "snapshotx66bb1115")  # waits: GET until Succeeded
        assert (snap.id, snap.name, snap.volume_id, snap.size_gib) == (
            "snapshotx66bb1115",
            "snapshotx66bb1115",
            "disknamex66bb1115",
            200,
        )
        assert snap.state is SnapshotState.AVAILABLE
        assert cloud.volumes.get_snapshot(snap.id).state is SnapshotState.AVAILABLE
        # DELETE 202 + the recorded DiskOperations poll: the adapter waits for Azure's
        # operation; the portable layer's confirming GET (a 404) is not in the recording
        cloud.volumes.delete_snapshot(snap, wait=False)
        sent = requests_played(tape)
        assert sent[-1].startswith("GET Microsoft.Compute/locations/eastus/DiskOperations/")
        assert sent[-2] == "DELETE Microsoft.Compute/snapshots/snapshotx66bb1115"
    assert all(d == 0 for d in no_sleep)


# -- virtual machines ---------------------------------------------------------------------------
VM = "virtualmachinexxx9a731234"
ASYNC_2020 = "test_mgmt_compute_base_async.test_compute_vm.yaml"


def test_vm_get_maps_provisioning_and_power_state() -> None:
    """Sep 2020: GET with ``$expand=instanceView`` of a running VM, then GET of its NIC."""
    with play(ASYNC_2020) as tape, connect() as cloud:
        server = cloud.servers.get(VM)
        assert (server.id, server.name, server.state) == (VM, VM, ServerState.RUNNING)
        assert server.size == "Standard_D2_v2"
        assert server.image == "MicrosoftWindowsServer:WindowsServer:2016-Datacenter:latest"
        assert server.zone is None and server.provider == "azure"
        assert server.volumes[0] == "myVMosdisk"  # the OS disk, then two data disks
        assert len(server.volumes) == 3
        assert server.private_ips == ("10.0.0.4",)  # read from its NIC (recorded at its creation)
        assert server.public_ips == ()
        assert tape.play_count == 2


def test_vm_list_in_resource_group() -> None:
    """The 2020 recording lists the group's VMs without ``$expand=instanceView`` (the adapter
    asks with it, to read power states in the same request): matched here ignoring
    ``$expand``, so the VMs come back without power state: UNKNOWN."""

    def query_ignoring_expand(r1: Any, r2: Any) -> None:
        def keep(r: Any) -> list[tuple[str, str]]:
            return sorted((k, v) for k, v in r.query if k not in ("api-version", "$expand"))

        assert keep(r1) == keep(r2)

    recording = recorder()
    recording.register_matcher("arm_query", query_ignoring_expand)
    with recording.use_cassette(ASYNC_2020, allow_playback_repeats=False), connect() as cloud:
        listed = list(cloud.servers.list(include_terminated=True))
    assert [(s.id, s.size) for s in listed] == [(VM, "Standard_D2_v2")]
    assert listed[0].state is ServerState.UNKNOWN  # provisioned, power state not in this answer


@pytest.mark.parametrize(
    ("action", "path"),
    [
        ("reboot", "restart"),
        ("stop", "deallocate"),
        ("start", "start"),
    ],
)
def test_vm_power_actions(action: str, path: str, no_sleep: list[float]) -> None:
    """Sep 2020: POST restart / deallocate / start answered 202 (+ operation headers). The
    adapter does not poll the operation (the portable wait reads the VM instead); the one
    state the recording observed (running, read with ``$expand=instanceView``) is what the
    portable call returns without waiting."""
    with play(ASYNC_2020) as tape, connect() as cloud:
        server = getattr(cloud.servers, action)(VM, wait=False)
        assert server.id == VM and server.state is ServerState.RUNNING
        assert requests_played(tape) == [
            "GET Microsoft.Network/networkInterfaces/interfacexxx9a731234",
            f"GET Microsoft.Compute/virtualMachines/{VM}",
            f"POST Microsoft.Compute/virtualMachines/{VM}/{path}",
        ]
    assert all(d == 0 for d in no_sleep)


def test_vm_delete(no_sleep: list[float]) -> None:
    """Sep 2020: DELETE 202; its deletion is then observed by the portable wait (not recorded)."""
    with play(ASYNC_2020) as tape, connect() as cloud:
        cloud.servers.delete(VM, wait=False)
        assert requests_played(tape) == [f"DELETE Microsoft.Compute/virtualMachines/{VM}"]
    assert all(d == 0 for d in no_sleep)


def test_vm_sizes_carry_architecture() -> None:
    """Sep 2020: ``locations/eastus/vmSizes`` (hundreds of sizes)."""
    with play(ASYNC_2020, repeats=True), connect() as cloud:  # the catalogue is read twice
        sizes = cloud.servers.sizes()
        fitting = cloud.servers.find_size(min_vcpus=2, min_memory_mib=4096)
    assert fitting.vcpus == 2 and fitting.memory_mib >= 4096
    assert len(sizes) > 100
    assert all(s.vcpus > 0 and s.memory_mib > 0 and s.provider == "azure" for s in sizes)
    by_name = {s.name: s for s in sizes}
    d2 = by_name["Standard_D2_v2"]
    assert (d2.vcpus, d2.memory_mib, d2.arch) == (2, 7168, "x86_64")


# -- marketplace images ------------------------------------------------------------------------
def test_images_of_a_family_and_one_version() -> None:
    """Oct 2021: SKUs of MicrosoftWindowsServer/WindowsServer and one image version."""
    with play("test_mgmt_compute_vm.test_compute_vm_image.yaml"), connect() as cloud:
        images = cloud.servers.images("windows")
        urn = "MicrosoftWindowsServer:WindowsServer:2019-Datacenter:2019.0.20190115"
        image = cloud.servers.find_image(urn)
    names = [i.id for i in images]
    assert "MicrosoftWindowsServer:WindowsServer:2019-Datacenter:latest" in names
    assert all(i.os == "windows" and i.arch == "x86_64" for i in images)
    assert (image.id, image.os, image.arch) == (urn, "windows", "x86_64")


# -- attach and detach (azure-cli 2.83, Feb 2026) -------------------------------------------------
CLI = "test_vm_disk_attach_detach.yaml"
CLI_GROUP, CLI_VM = "cli-test-disk000001", "vm-diskattach-test"


def _ordered(tmp_path: Path, picks: list[int]) -> str:
    """The azure-cli recording's interactions ``picks``, in that order, as a cassette file."""
    source = yaml.safe_load((real_cassettes_dir() / CLI).read_text(encoding="utf-8"))
    chosen = [copy.deepcopy(source["interactions"][i]) for i in picks]
    path = tmp_path / "ordered.yaml"
    path.write_text(yaml.safe_dump({"interactions": chosen, "version": source["version"]}), encoding="utf-8")
    return str(path)


def _capture(sent: list[dict[str, Any]]) -> Any:
    """A ``before_record_request`` hook keeping the JSON of each PUT the adapter sends."""
    seen: set[bytes] = set()

    def capture(request: Any) -> Any:  # vcrpy calls it more than once per request
        if request.method == "PUT" and request.body not in seen:
            seen.add(request.body)
            sent.append(json.loads(request.body))
        return request

    return capture


def _put_bodies(tape: Any) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r, _ in tape.data if r.method == "PUT"]


def test_detach_by_put_of_the_vm(tmp_path: Path, no_sleep: list[float]) -> None:
    """The excerpt starts at azure-cli's detach PUT (its GET of the VM before it was cut
    off): the adapter's GET is answered with the recording's own observation of the VM with
    ``d1`` at LUN 0 (interaction 12), then its PUT with the detach answer (interaction 0)."""
    sent: list[dict[str, Any]] = []
    with (
        recorder(tmp_path, before_record_request=_capture(sent)).use_cassette(
            _ordered(tmp_path, [12, 0]), allow_playback_repeats=False
        ) as tape,
        connect(CLI_GROUP, "eastus2") as cloud,
    ):
        assert Capability.VOLUME_ATTACH in cloud.capabilities
        cloud.runtime.call(cloud.driver.volumes.detach_volume, "d1", CLI_VM, "lun0")
        assert tape.play_count == 2
    ours = sent[-1]  # the hook also sees the recorded requests, when the cassette loads
    (recorded,) = _put_bodies(tape)
    assert ours["properties"]["storageProfile"]["dataDisks"] == []
    for section in ("hardwareProfile", "networkProfile", "osProfile"):
        assert ours["properties"][section] == recorded["properties"][section], section
    assert ours["properties"]["storageProfile"] == recorded["properties"]["storageProfile"]
    assert all(d == 0 for d in no_sleep)


def test_attach_by_put_of_the_vm(tmp_path: Path, no_sleep: list[float]) -> None:
    """azure-cli's attach of the existing disk ``d1``: GET of the VM without data disks
    (interaction 4), PUT with ``d1`` at LUN 0 (interaction 7)."""
    sent: list[dict[str, Any]] = []
    with (
        recorder(tmp_path, before_record_request=_capture(sent)).use_cassette(
            _ordered(tmp_path, [4, 7]), allow_playback_repeats=False
        ) as tape,
        connect(CLI_GROUP, "eastus2") as cloud,
    ):
        cloud.runtime.call(cloud.driver.volumes.attach_volume, "d1", CLI_VM, None)
        assert tape.play_count == 2
    ours = sent[-1]  # the hook also sees the recorded requests, when the cassette loads
    (recorded,) = [b for b in _put_bodies(tape) if b["properties"]["storageProfile"]["dataDisks"]]
    ours_disk, cli_disk = (
        ours["properties"]["storageProfile"]["dataDisks"][0],
        recorded["properties"]["storageProfile"]["dataDisks"][0],
    )
    assert {k: ours_disk[k] for k in ("lun", "createOption")} == {
        k: cli_disk[k] for k in ("lun", "createOption")
    }
    assert ours_disk["managedDisk"]["id"].lower() == cli_disk["managedDisk"]["id"].lower()
    for section in ("hardwareProfile", "networkProfile", "osProfile"):
        assert ours["properties"][section] == recorded["properties"][section], section
    assert (
        ours["properties"]["storageProfile"]["osDisk"] == recorded["properties"]["storageProfile"]["osDisk"]
    )
    assert all(d == 0 for d in no_sleep)
