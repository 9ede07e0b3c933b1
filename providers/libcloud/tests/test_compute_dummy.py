"""The compute mapping, tested ONLY against libcloud's in-process "dummy" compute driver
(libcloud.compute.drivers.dummy): no real compute service was exercised (see README.md)."""

from __future__ import annotations

import pytest
from cloudneutral_libcloud.compute import server_state

import cloudneutral
from cloudneutral import Capability, NotFound, ServerState


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> cloudneutral.Cloud:
    monkeypatch.setenv("LIBCLOUD_KEY", "0")
    monkeypatch.delenv("LIBCLOUD_SECRET", raising=False)
    return cloudneutral.connect("libcloud://?compute=dummy", clock=cloudneutral.FakeClock())


def test_capabilities_follow_what_the_driver_implements(cloud: cloudneutral.Cloud) -> None:
    assert Capability.SERVERS in cloud.capabilities
    assert Capability.SERVER_REBOOT in cloud.capabilities  # the dummy overrides reboot_node
    assert Capability.SERVER_STOP_START not in cloud.capabilities  # ... but not start/stop
    assert Capability.BLOBS not in cloud.capabilities


def test_catalogues(cloud: cloudneutral.Cloud) -> None:
    sizes = cloud.servers.sizes()
    assert {s.name for s in sizes} >= {"1", "2"}
    assert all(s.memory_mib > 0 for s in sizes)
    images = cloud.servers.images(os="ubuntu")
    assert images and all(i.os == "ubuntu" for i in images)


def test_create_list_get_delete(cloud: cloudneutral.Cloud) -> None:
    driver = cloud.driver.servers
    assert driver is not None
    size = driver.list_sizes(10, None).items[0]
    image = driver.list_images(None, 10, None).items[0]
    from cloudneutral.driver import ServerRequest

    created = driver.create_server(ServerRequest(name="cn-dummy", size=size, image=image))
    assert created.state is ServerState.RUNNING
    assert driver.get_server(created.id).name == created.name  # the dummy names nodes dummy-N itself
    assert created.id in {s.id for s in driver.list_servers(100, None).items}
    driver.delete_server(created.id)
    with pytest.raises(NotFound):
        driver.get_server(created.id)


@pytest.mark.parametrize(
    ("native", "portable"),
    [
        ("running", ServerState.RUNNING),
        ("starting", ServerState.PENDING),
        ("rebooting", ServerState.REBOOTING),
        ("terminated", ServerState.TERMINATED),
        ("stopped", ServerState.STOPPED),
        ("suspended", ServerState.STOPPED),
        ("error", ServerState.ERROR),
        ("something-new", ServerState.UNKNOWN),
    ],
)
def test_node_states(native: str, portable: ServerState) -> None:
    from libcloud.compute.types import NodeState

    assert server_state(NodeState(native) if native in NodeState._value2member_map_ else native) is portable
