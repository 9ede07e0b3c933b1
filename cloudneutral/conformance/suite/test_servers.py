"""Servers: catalogues (sizes, images, regions), life cycle, waits, errors."""

from __future__ import annotations

import contextlib
import time

import pytest

from cloudneutral import Capability, InvalidArgument, NotFound, Server, ServerState, Timeout
from cloudneutral.conformance.env import Env
from cloudneutral.conformance.marks import area, requires

AREA = area("servers", Capability.SERVERS)
#: Server actions that need a capability beyond ``servers``.
_NEEDS = {
    "start": Capability.SERVER_STOP_START,
    "stop": Capability.SERVER_STOP_START,
    "reboot": Capability.SERVER_REBOOT,
}


@AREA
class TestServerCatalogue:
    def test_sizes_smallest_first(self, cn: Env) -> None:
        sizes = cn.cloud.servers.sizes()
        assert sizes
        assert all(s.vcpus > 0 and s.memory_mib > 0 and s.name for s in sizes)
        assert [(s.vcpus, s.memory_mib) for s in sizes] == sorted((s.vcpus, s.memory_mib) for s in sizes)

    def test_find_size_by_minimum(self, cn: Env) -> None:
        servers = cn.cloud.servers
        sizes = servers.sizes()
        want_cpu, want_mem = sizes[-1].vcpus, sizes[0].memory_mib + 1
        size = servers.find_size(min_vcpus=want_cpu, min_memory_mib=want_mem)
        assert size.vcpus >= want_cpu and size.memory_mib >= want_mem
        fitting = [s for s in sizes if s.vcpus >= want_cpu and s.memory_mib >= want_mem]
        assert (size.vcpus, size.memory_mib) == min((s.vcpus, s.memory_mib) for s in fitting)

    def test_find_size_by_name(self, cn: Env) -> None:
        size = cn.cloud.servers.sizes()[0]
        assert cn.cloud.servers.find_size(size.name) == size

    def test_no_size_fits_is_not_found(self, cn: Env) -> None:
        biggest = cn.cloud.servers.sizes()[-1]
        with pytest.raises(NotFound, match="no size"):
            cn.cloud.servers.find_size(min_vcpus=biggest.vcpus * 1000)
        with pytest.raises(NotFound):
            cn.cloud.servers.find_size(cn.name("no-such-size"))

    def test_images_by_os(self, cn: Env) -> None:
        images = cn.cloud.servers.images()
        assert images
        family = next(i.os for i in images if i.os)
        assert family == family.lower()
        of_family = cn.cloud.servers.images(family)
        assert of_family and all(i.os == family for i in of_family)
        chosen = cn.cloud.servers.find_image(os=family.upper())
        assert chosen.os == family

    def test_find_image_by_id_and_name(self, cn: Env) -> None:
        image = cn.cloud.servers.images()[0]
        assert cn.cloud.servers.find_image(image.id).id == image.id
        assert cn.cloud.servers.find_image(image.name).id == image.id

    def test_unknown_image_is_not_found(self, cn: Env) -> None:
        with pytest.raises(NotFound):
            cn.cloud.servers.find_image(os="no-such-os-family")
        with pytest.raises(NotFound):
            cn.cloud.servers.find_image(cn.name("no-such-image"))

    def test_regions(self, cn: Env) -> None:
        regions = cn.cloud.servers.regions()
        assert regions and all(r.name for r in regions)
        assert all(r.native is not None for r in regions)
        zones = [z for r in regions for z in r.zones]
        if Capability.SERVER_ZONES in cn.cloud.capabilities:
            assert zones, "the connected region lists its zones"
        else:
            assert zones == [], "zones listed by a provider that does not declare servers.zones"
        assert len(zones) == len(set(zones))

    def test_catalogue_items_carry_natives(self, cn: Env) -> None:
        provider = cn.cloud.provider
        assert all(s.native is not None and s.provider == provider for s in cn.cloud.servers.sizes())
        assert all(i.native is not None and i.provider == provider for i in cn.cloud.servers.images())

    @pytest.mark.parametrize(
        "name",
        ["1starts-with-digit", "ends-with-hyphen-", "under_score", "x" * 64, ""],
        ids=["digit", "hyphen", "underscore", "long", "empty"],
    )
    def test_invalid_name(self, cn: Env, name: str) -> None:
        with pytest.raises(InvalidArgument, match="server name"):
            cn.cloud.servers.create(name, min_vcpus=1, os="ubuntu")

    def test_size_and_minimums_conflict(self, cn: Env) -> None:
        with pytest.raises(InvalidArgument, match="not both"):
            cn.cloud.servers.create(cn.name(), size="any", min_vcpus=1, os="ubuntu")

    def test_create_with_unfit_size_is_not_found(self, cn: Env) -> None:
        image = cn.cloud.servers.images()[0]
        with pytest.raises(NotFound):
            cn.cloud.servers.create(cn.name(), min_vcpus=100_000, image=image.id)
        assert cn.name() not in [s.name for s in cn.cloud.servers.list()]

    @pytest.mark.parametrize("action", ["get", "start", "stop", "reboot", "delete"])
    def test_missing_server_is_not_found(self, cn: Env, action: str) -> None:
        needed = _NEEDS.get(action)
        if needed is not None and needed not in cn.cloud.capabilities:
            pytest.skip(f"provider lacks capability {needed.value}")
        missing = cn.harness.missing_id("server")
        with pytest.raises(NotFound):
            getattr(cn.cloud.servers, action)(missing)


@AREA
class TestServerLifecycle:
    def test_create_by_minimums_and_os(self, cn: Env) -> None:
        family = next(i.os for i in cn.cloud.servers.images() if i.os)
        server = cn.server(min_vcpus=1, min_memory_mib=256, os=family, tags={"purpose": "conformance"})
        assert isinstance(server, Server)
        assert server.state is ServerState.RUNNING
        assert server.name == cn.name("s")
        assert server.provider == cn.cloud.provider
        assert server.size == cn.cloud.servers.find_size(min_vcpus=1, min_memory_mib=256).name
        assert dict(server.tags).get("purpose") == "conformance"

    def test_create_by_size_name_and_image_id(self, cn: Env) -> None:
        size = cn.cloud.servers.sizes()[0]
        image = cn.cloud.servers.images()[-1]
        server = cn.server(size=size.name, image=image.id)
        assert (server.size, server.image) == (size.name, image.id)

    def test_create_without_wait_then_wait(self, cn: Env) -> None:
        servers = cn.cloud.servers
        image = servers.images()[0]
        server = servers.create(cn.name(), min_vcpus=1, image=image.id, wait=False)
        cn.defer(f"server {server.id}", lambda: servers.delete(server.id, timeout=cn.timeout))
        assert server.state in (ServerState.PENDING, ServerState.RUNNING)
        assert servers.wait(server, ServerState.RUNNING, timeout=cn.timeout).state is ServerState.RUNNING

    def test_get_and_list(self, cn: Env) -> None:
        server = cn.server()
        got = cn.cloud.servers.get(server.id)
        assert (got.id, got.name, got.state) == (server.id, server.name, ServerState.RUNNING)
        assert got.native is not None and server.native is not None
        listed = {s.id: s for s in cn.cloud.servers.list()}
        assert server.id in listed and listed[server.id].name == server.name
        assert cn.cloud.servers.find(server.name).id == server.id

    @requires(Capability.SERVER_ZONES)
    def test_requested_zone_is_honoured(self, cn: Env) -> None:
        region = next(r for r in cn.cloud.servers.regions() if r.zones)
        zone = region.zones[-1]  # not the default a provider would pick without being asked
        server = cn.server(zone=zone)
        assert server.zone == zone
        assert cn.cloud.servers.get(server.id).zone == zone
        assert zone in region.zones

    def test_list_pages(self, cn: Env) -> None:
        first, second = cn.server("one"), cn.server("two")
        ids = [s.id for s in cn.cloud.servers.list(page_size=1)]
        assert first.id in ids and second.id in ids
        assert len(ids) == len(set(ids))

    @requires(Capability.SERVER_STOP_START)
    def test_stop_and_start(self, cn: Env) -> None:
        server = cn.server()
        stopped = cn.cloud.servers.stop(server, timeout=cn.timeout)
        assert stopped.state is ServerState.STOPPED
        assert cn.cloud.servers.get(server.id).state is ServerState.STOPPED
        started = cn.cloud.servers.start(server.id, timeout=cn.timeout)
        assert started.state is ServerState.RUNNING

    @requires(Capability.SERVER_REBOOT)
    def test_reboot(self, cn: Env) -> None:
        server = cn.server()
        assert cn.cloud.servers.reboot(server, timeout=cn.timeout).state is ServerState.RUNNING

    def test_delete(self, cn: Env) -> None:
        server = cn.server()
        cn.cloud.servers.delete(server, timeout=cn.timeout)
        with contextlib.suppress(NotFound):  # gone is as good as terminated
            assert cn.cloud.servers.get(server.id).state is ServerState.TERMINATED
        assert server.id not in [s.id for s in cn.cloud.servers.list()]

    def test_wait_times_out(self, cn: Env) -> None:
        server = cn.server()
        started = time.monotonic()
        slept = sum(cn.clock.slept) if cn.clock is not None else 0.0
        with pytest.raises(Timeout, match="stopped"):
            cn.cloud.servers.wait(server, ServerState.STOPPED, timeout=5)
        if cn.clock is not None:
            assert sum(cn.clock.slept) - slept == pytest.approx(5)
        if cn.instant:
            assert time.monotonic() - started < 5  # waiting on a fake clock never sleeps
        with pytest.raises(Timeout):
            cn.cloud.servers.wait(server, ServerState.STOPPED, timeout=0)
        assert cn.cloud.servers.get(server.id).state is ServerState.RUNNING

    def test_negative_timeout_is_invalid(self, cn: Env) -> None:
        server = cn.server()
        with pytest.raises(InvalidArgument, match="timeout"):
            cn.cloud.servers.wait(server, ServerState.RUNNING, timeout=-1)
