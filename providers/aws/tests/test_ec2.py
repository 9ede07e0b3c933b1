"""The EC2 compute driver against a real moto server."""

from __future__ import annotations

from typing import Any

import pytest
from cloudneutral_aws.ec2 import STATES, image_os

import cloudneutral
from cloudneutral import ServerState, errors
from cloudneutral.driver import ServerRequest


def test_sizes_follow_the_sizes_option(cloud: cloudneutral.Cloud) -> None:
    sizes = {s.name: s for s in cloud.servers.sizes()}
    assert "t2.micro" in sizes and all(n == "t2.micro" or n.startswith("t3.") for n in sizes)
    assert (sizes["t3.large"].vcpus, sizes["t3.large"].memory_mib) == (2, 8192)
    assert cloud.servers.find_size(min_vcpus=2, min_memory_mib=4000).name == "t3.medium"


def test_images_by_os_family(cloud: cloudneutral.Cloud) -> None:
    everything = cloud.servers.images()
    assert {i.os for i in everything} == {"ubuntu", "debian", "windows", "amazon-linux", "rhel", "suse"}
    ubuntu = cloud.servers.images("Ubuntu")
    assert ubuntu and all(i.os == "ubuntu" for i in ubuntu)
    newest = cloud.servers.find_image(os="ubuntu")
    assert "xenial" in newest.name
    assert cloud.servers.find_image(newest.id) == newest
    assert cloud.servers.images("plan9") == []


@pytest.mark.parametrize("image_id", ["ami-12345678", "not-an-ami"])
def test_missing_or_malformed_image_is_not_found(cloud: cloudneutral.Cloud, image_id: str) -> None:
    with pytest.raises(errors.NotFound):
        cloud.servers.find_image(image_id)


def test_regions_and_zones(cloud: cloudneutral.Cloud) -> None:
    regions = {r.name: r for r in cloud.servers.regions()}
    assert "eu-west-1a" in regions["eu-west-1"].zones
    assert "ap-east-1" not in regions  # not opted in


def test_server_lifecycle(cloud: cloudneutral.Cloud) -> None:
    server = cloud.servers.create(
        "web-1", size="t3.micro", os="debian", zone="eu-west-1b", tags={"team": "a"}
    )
    assert (server.name, server.state, server.size, server.zone) == (
        "web-1",
        ServerState.RUNNING,
        "t3.micro",
        "eu-west-1b",
    )
    assert dict(server.tags) == {"team": "a"} and server.private_ips and server.volumes
    assert cloud.servers.stop(server).state is ServerState.STOPPED
    assert cloud.servers.start(server).state is ServerState.RUNNING
    assert cloud.servers.reboot(server).state is ServerState.RUNNING
    assert cloud.servers.find("web-1").id == server.id
    cloud.servers.delete(server)
    assert cloud.servers.get(server.id).state is ServerState.TERMINATED
    assert [s.id for s in cloud.servers.list(include_terminated=True)] == [server.id]
    assert list(cloud.servers.list()) == []


def test_missing_server_is_not_found(cloud: cloudneutral.Cloud) -> None:
    for action in (cloud.servers.get, cloud.servers.start, cloud.servers.stop, cloud.servers.delete):
        with pytest.raises(errors.NotFound):
            action("i-0123456789abcdef0")


def test_listing_pages_with_next_token(cloud: cloudneutral.Cloud) -> None:
    driver: Any = cloud.driver.servers
    size, image = cloud.servers.find_size("t3.nano"), cloud.servers.find_image(os="ubuntu")
    for n in range(7):
        driver.create_server(ServerRequest(f"s{n}", size, image))
    first = driver.list_servers(2, None)  # EC2's MaxResults floor is 5
    assert len(first.items) == 5 and first.next_token
    second = driver.list_servers(2, first.next_token)
    assert len(second.items) == 2 and second.next_token is None
    assert sorted(s.name for s in cloud.servers.list(page_size=5)) == [f"s{n}" for n in range(7)]


def test_state_table() -> None:
    assert STATES["shutting-down"] is ServerState.STOPPING
    assert {STATES[s] for s in ("pending", "running", "stopping", "stopped", "terminated")} == {
        ServerState.PENDING,
        ServerState.RUNNING,
        ServerState.STOPPING,
        ServerState.STOPPED,
        ServerState.TERMINATED,
    }


@pytest.mark.parametrize(
    ("native", "family"),
    [
        ({"Name": "ubuntu/images/hvm-ssd/ubuntu-noble-24.04-amd64-server-20240701"}, "ubuntu"),
        ({"Name": "debian-12-amd64-20240717-1811"}, "debian"),
        ({"Name": "Windows_Server-2022-English-Full-Base-2024.07.10", "Platform": "windows"}, "windows"),
        ({"Name": "al2023-ami-2023.5.20240708.0-kernel-6.1-x86_64"}, "amazon-linux"),
        ({"Name": "RHEL-9.4.0_HVM-20240605-x86_64-82-Hourly2-GP3"}, "rhel"),
        ({"Name": "suse-sles-15-sp6-v20240615-hvm-ssd-x86_64"}, "suse"),
        ({"Name": "my-golden-image"}, None),
    ],
)
def test_image_os_is_derived(native: dict[str, str], family: str | None) -> None:
    assert image_os(native) == family
