"""Probe, with plain openstacksdk as the member ``demo``, every call the OpenStack adapter needs.

Prints, per call, the HTTP requests openstacksdk really sent (method, path, query, status,
microversion header) and what came back, as the evidence behind ADAPTER-NOTES.md. Run it
against the peer (``scripts/peers/openstack.sh start``), with the SDK version under test:

    eval "$(scripts/peers/openstack.sh env)"; .venv/bin/python scripts/peers/openstack/explore.py

It creates and deletes its own resources (names start with ``cn-x``); ``admin`` is used only to
make a temporary flavor that exceeds the demo quota. Takes about two minutes.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import time
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import openstack
import openstack.version
from openstack import exceptions as exc

WAIT = 120
SEEN: list[str] = []


def out(line: str = "") -> None:
    print(line, flush=True)


def record(response: Any, *args: Any, **kwargs: Any) -> None:
    """requests response hook: remember one line per HTTP exchange."""
    request = response.request
    parts = urlsplit(request.url)
    version = request.headers.get("OpenStack-API-Version") or request.headers.get(
        "X-OpenStack-Nova-API-Version"
    )
    query = f"?{parts.query}" if parts.query else ""
    line = f"{request.method} {parts.port}{parts.path}{query} -> {response.status_code}"
    if version:
        line += f"  [{version}]"
    SEEN.append(line)


@contextlib.contextmanager
def call(title: str) -> Iterator[dict[str, Any]]:
    """Print ``title``, the HTTP lines sent inside the block, then the facts it noted."""
    SEEN.clear()
    facts: dict[str, Any] = {}
    started = time.monotonic()
    try:
        yield facts
    except exc.SDKException as error:
        facts["raised"] = describe(error)
    elapsed = time.monotonic() - started
    out(f"\n### {title}  ({elapsed:.2f}s)")
    for line in SEEN:
        out(f"    {line}")
    for key, value in facts.items():
        out(f"  - {key}: {value}")


def describe(error: Exception) -> str:
    """Exception class, status and the start of the body."""
    status = getattr(error, "status_code", None)
    details = getattr(error, "details", None)
    response = getattr(error, "response", None)
    body = response.text[:160].replace("\n", " ") if response is not None else ""
    return (
        f"{type(error).__module__}.{type(error).__name__} status={status} details={details!r} body={body!r}"
    )


def connect(cloud: str) -> Any:
    conn: Any = openstack.connect(cloud=cloud)
    conn.session.session.hooks["response"].append(record)
    return conn


def poll(
    fetch: Callable[[], Any],
    fields: Callable[[Any], tuple[Any, ...]],
    until: Callable[[Any], bool],
    timeout: float = WAIT,
    interval: float = 0.1,
) -> list[str]:
    """Poll quickly and return the distinct field tuples seen, with the time each first appeared."""
    seen: list[str] = []
    last: tuple[Any, ...] | None = None
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            item = fetch()
        except exc.NotFoundException:
            seen.append(f"{time.monotonic() - started:.2f}s 404")
            return seen
        now = fields(item)
        if now != last:
            seen.append(f"{time.monotonic() - started:.2f}s {now}")
            last = now
        if until(item):
            return seen
        time.sleep(interval)
    seen.append("TIMEOUT")
    return seen


def server_fields(s: Any) -> tuple[Any, ...]:
    return (s.status, s.vm_state, s.task_state, s.power_state)


# ------------------------------------------------------------------------------------ auth
def explore_auth(cloud: str) -> Any:
    SEEN.clear()
    conn: Any = openstack.connect(cloud=cloud)
    conn.session.session.hooks["response"].append(record)
    with call("connect + first call of each service (auth, version discovery)") as f:
        conn.compute.get("/flavors")  # forces auth and compute discovery
        conn.block_storage.get("/types")
        conn.image.get("/images?limit=1")
        conn.object_store.get_account_metadata()
        f["token expires_at"] = conn.session.auth.get_auth_ref(conn.session).expires.isoformat()
        f["project id (in Cinder/Swift URLs)"] = conn.current_project_id
        f["endpoints"] = {
            s: conn.endpoint_for(s) for s in ("compute", "block-storage", "image", "object-store")
        }
    return conn


# ------------------------------------------------------------------------------- catalogue
def explore_catalogue(conn: Any) -> tuple[Any, Any]:
    with call("compute.flavors() -> sizes") as f:
        flavors = sorted(conn.compute.flavors(), key=lambda x: (x.vcpus, x.ram))
        f["flavors"] = [(x.id, x.name, x.vcpus, x.ram, x.disk, x.is_public) for x in flavors]
        f["extra_specs on list (2.61+)"] = flavors[0].extra_specs
    with call("compute.find_flavor('m1.small') / get_flavor(missing)") as f:
        f["by name"] = conn.compute.find_flavor("m1.small").id
        try:
            conn.compute.get_flavor("no-such-flavor")
        except exc.SDKException as e:
            f["get missing"] = describe(e)
    with call("image.images() -> images; properties telling the OS") as f:
        images = list(conn.image.images())
        for i in images:
            f[i.name] = (
                f"id={i.id} os_distro={i.os_distro} os_version={i.os_version} os_type={i.os_type} "
                f"architecture={i.architecture} visibility={i.visibility} status={i.status} "
                f"size={i.size} min_disk={i.min_disk} min_ram={i.min_ram} properties={i.properties}"
            )
    with call("image.images(os_distro='ubuntu') (server-side filter on a property)") as f:
        f["names"] = [i.name for i in conn.image.images(os_distro="ubuntu")]
    with call("image.get_image(missing)") as f:
        try:
            conn.image.get_image("00000000-0000-0000-0000-000000000000")
        except exc.SDKException as e:
            f["error"] = describe(e)
        try:
            conn.image.get_image("cn-missing-image")
        except exc.SDKException as e:
            f["error (not a UUID)"] = describe(e)
    with call("identity.regions() as a member") as f:
        f["regions"] = [r.id for r in conn.identity.regions()]
    with call("compute.availability_zones() / block_storage.availability_zones()") as f:
        f["nova"] = [(z.name, z.state) for z in conn.compute.availability_zones()]
        try:
            f["nova details=True (admin only)"] = [
                z.name for z in conn.compute.availability_zones(details=True)
            ]
        except exc.SDKException as e:
            f["nova details=True"] = describe(e)
        f["cinder"] = [(z.name, z.state) for z in conn.block_storage.availability_zones()]
    with call("compute.get_limits() (quotas of the project)") as f:
        limits = conn.compute.get_limits().absolute
        f["compute"] = {k: getattr(limits, k) for k in ("instances", "total_cores", "total_ram")}
    ubuntu = next(i for i in images if i.os_distro == "ubuntu")
    return flavors, ubuntu


# --------------------------------------------------------------------------------- servers
def explore_servers(conn: Any, admin: Any, flavors: list[Any], image: Any) -> Any:
    compute = conn.compute
    with call("compute.create_server(networks='none', availability_zone='nova', metadata)") as f:
        server = compute.create_server(
            name="cn-x-vm",
            image_id=image.id,
            flavor_id=flavors[0].id,
            networks="none",
            availability_zone="nova",
            metadata={"purpose": "conformance", "Owner": "Team A"},
        )
        f["returned"] = f"id={server.id} status={server.status} adminPass set={bool(server.admin_password)}"
    with call("poll compute.get_server() until ACTIVE (status, vm_state, task_state, power_state)") as f:
        f["sequence"] = poll(
            lambda: compute.get_server(server.id), server_fields, lambda s: s.status == "ACTIVE"
        )
    server = compute.get_server(server.id)
    with call("compute.get_server(id): fields of an ACTIVE server") as f:
        f["fields"] = (
            f"name={server.name} az={server.availability_zone} flavor={server.flavor} "
            f"image={server.image} addresses={server.addresses} created_at={server.created_at} "
            f"launched_at={server.launched_at} metadata={server.metadata} tags={server.tags} "
            f"attached_volumes={server.attached_volumes} host_id={server.host_id!r}"
        )
    with call("compute.stop_server -> SHUTOFF") as f:
        compute.stop_server(server)
        f["sequence"] = poll(
            lambda: compute.get_server(server.id), server_fields, lambda s: s.status == "SHUTOFF"
        )
    with call("compute.stop_server on a SHUTOFF server") as f:
        try:
            compute.stop_server(server)
        except exc.SDKException as e:
            f["error"] = describe(e)
    with call("compute.reboot_server on a SHUTOFF server") as f:
        try:
            compute.reboot_server(server, "SOFT")
            f["answer"] = "accepted (202)"
            f["sequence"] = poll(
                lambda: compute.get_server(server.id),
                server_fields,
                lambda s: s.status == "ACTIVE" and s.task_state is None,
                timeout=20,
            )
        except exc.SDKException as e:
            f["error"] = describe(e)
    with call("compute.start_server -> ACTIVE") as f:
        with contextlib.suppress(exc.ConflictException):
            compute.start_server(server)
        f["sequence"] = poll(
            lambda: compute.get_server(server.id), server_fields, lambda s: s.status == "ACTIVE"
        )
    with call("compute.start_server on an ACTIVE server") as f:
        try:
            compute.start_server(server)
        except exc.SDKException as e:
            f["error"] = describe(e)
    for kind in ("SOFT", "HARD"):
        with call(f"compute.reboot_server(server, '{kind}')") as f:
            compute.reboot_server(server, kind)
            f["sequence"] = poll(
                lambda: compute.get_server(server.id),
                server_fields,
                lambda s: s.status == "ACTIVE" and s.task_state is None,
                interval=0.02,
            )
    with call("compute.create_server(availability_zone='no-such-az')") as f:
        try:
            bad = compute.create_server(
                name="cn-x-badaz",
                image_id=image.id,
                flavor_id=flavors[0].id,
                networks="none",
                availability_zone="no-such-az",
            )
            f["answer"] = f"accepted: {bad.id}"
            compute.delete_server(bad)
        except exc.SDKException as e:
            f["error"] = describe(e)
    with call("compute.create_server without networks / with networks='auto'") as f:
        for label, extra in (("no networks argument", {}), ("networks='auto'", {"networks": "auto"})):
            try:
                s = compute.create_server(
                    name="cn-x-net", image_id=image.id, flavor_id=flavors[0].id, **extra
                )
                server_id = s.id

                def fetch(server_id: str = server_id) -> Any:
                    return compute.get_server(server_id)

                f[label] = poll(fetch, server_fields, lambda x: x.status in ("ACTIVE", "ERROR"))[-1]
                f[label + " fault"] = compute.get_server(s.id).fault
                compute.delete_server(s)
                compute.wait_for_delete(s, wait=WAIT, interval=1)
            except exc.SDKException as e:
                f[label] = describe(e)
    with call("compute.create_server over the cores quota (flavor with 64 vCPUs)") as f:
        big = admin.compute.create_flavor(name="cn-x-huge", vcpus=64, ram=512, disk=1, is_public=True)
        try:
            compute.create_server(name="cn-x-huge", image_id=image.id, flavor_id=big.id, networks="none")
        except exc.SDKException as e:
            f["error"] = describe(e)
        finally:
            admin.compute.delete_flavor(big)
    with call("compute.create_server with an image architecture the host lacks (aarch64)") as f:
        arm = admin.image.create_image(
            name="cn-x-arm",
            data=b"x" * 1024,
            disk_format="raw",
            container_format="bare",
            visibility="public",
            architecture="aarch64",
        )
        try:
            s = compute.create_server(
                name="cn-x-arm", image_id=arm.id, flavor_id=flavors[0].id, networks="none"
            )
            seq = poll(
                lambda: compute.get_server(s.id), server_fields, lambda x: x.status in ("ACTIVE", "ERROR")
            )
            f["sequence"] = seq
            f["fault"] = compute.get_server(s.id).fault
            compute.delete_server(s)
            compute.wait_for_delete(s, wait=WAIT, interval=1)
        finally:
            admin.image.delete_image(arm)
    with call("compute.get/stop/start/reboot/delete of a missing id ('cn-missing-server-0000')") as f:
        actions: list[tuple[str, Callable[[], Any]]] = [
            ("get", lambda: compute.get_server("cn-missing-server-0000")),
            ("stop", lambda: compute.stop_server("cn-missing-server-0000")),
            ("reboot", lambda: compute.reboot_server("cn-missing-server-0000", "SOFT")),
            ("delete", lambda: compute.delete_server("cn-missing-server-0000", ignore_missing=False)),
        ]
        for name, action in actions:
            try:
                action()
                f[name] = "no error"
            except exc.SDKException as e:
                f[name] = describe(e)
    return server


def explore_server_listing(conn: Any, flavors: list[Any], image: Any) -> None:
    compute = conn.compute
    extra = [
        compute.create_server(
            name=f"cn-x-list{n}", image_id=image.id, flavor_id=flavors[0].id, networks="none"
        )
        for n in (1, 2)
    ]
    with call("compute.servers(details=True, limit=1, paginated=False): one page") as f:
        page = list(compute.servers(details=True, limit=1, paginated=False))
        f["ids"] = [s.id for s in page]
        f["marker for next page"] = "the last server id of the page"
    with call("compute.servers(limit=1): the generator follows servers_links") as f:
        f["names"] = [s.name for s in compute.servers(limit=1)]
    with call("compute.servers(marker=<missing id>)") as f:
        try:
            list(compute.servers(marker="00000000-0000-0000-0000-000000000000", paginated=False))
        except exc.SDKException as e:
            f["error"] = describe(e)
    with call("compute.servers(name='^cn-x-list') (regex filter, server side)") as f:
        f["names"] = sorted(s.name for s in compute.servers(name="^cn-x-list"))
    with call("two servers with one name: allowed") as f:
        dup = compute.create_server(
            name="cn-x-list1", image_id=image.id, flavor_id=flavors[0].id, networks="none"
        )
        f["created"] = dup.id
        try:
            compute.find_server("cn-x-list1")
        except exc.SDKException as e:
            f["find_server(name)"] = describe(e)
        extra.append(dup)
    for s in extra:
        compute.wait_for_server(s, status="ACTIVE", wait=WAIT, interval=1)
        compute.delete_server(s)
    for s in extra:
        compute.wait_for_delete(s, wait=WAIT, interval=1)


def explore_server_delete(conn: Any, server: Any) -> None:
    compute = conn.compute
    with call("compute.delete_server -> gone (status sequence; then GET)") as f:
        compute.delete_server(server)
        f["sequence"] = poll(lambda: compute.get_server(server.id), server_fields, lambda s: False)
    with call("compute.servers(deleted=True) as a member (deleted servers are admin-only)") as f:
        try:
            f["ids"] = [s.id for s in compute.servers(deleted=True, paginated=False)]
        except exc.SDKException as e:
            f["error"] = describe(e)


# --------------------------------------------------------------------------------- volumes
def volume_fields(v: Any) -> tuple[Any, ...]:
    return (v.status, v.attach_status if hasattr(v, "attach_status") else None)


def explore_volumes(conn: Any, flavors: list[Any], image: Any) -> None:
    storage, compute = conn.block_storage, conn.compute
    server = compute.create_server(
        name="cn-x-vm2", image_id=image.id, flavor_id=flavors[0].id, networks="none"
    )
    with call("block_storage.create_volume(size=2, name, availability_zone='nova', metadata)") as f:
        volume = storage.create_volume(
            size=2,
            name="cn-x-vol",
            availability_zone="nova",
            metadata={"purpose": "conformance"},
            description="explore",
        )
        f["returned"] = f"id={volume.id} status={volume.status}"
        f["sequence"] = poll(
            lambda: storage.get_volume(volume.id), volume_fields, lambda v: v.status == "available"
        )
    volume = storage.get_volume(volume.id)
    with call("block_storage.get_volume(id): fields") as f:
        f["fields"] = (
            f"name={volume.name} size={volume.size} az={volume.availability_zone} "
            f"type={volume.volume_type} metadata={volume.metadata} created_at={volume.created_at} "
            f"attachments={volume.attachments} snapshot_id={volume.snapshot_id} "
            f"bootable={volume.is_bootable} multiattach={volume.is_multiattach}"
        )
    with call("block_storage.create_volume(availability_zone='no-such-az')") as f:
        try:
            storage.create_volume(size=1, name="cn-x-badaz", availability_zone="no-such-az")
        except exc.SDKException as e:
            f["error"] = describe(e)
    with call("block_storage.get_volume / delete_volume of missing ids") as f:
        for missing in ("cn-missing-volume-0000", "00000000-0000-0000-0000-000000000000"):
            try:
                storage.get_volume(missing)
            except exc.SDKException as e:
                f[f"get {missing}"] = describe(e)
        try:
            storage.delete_volume("cn-missing-volume-0000", ignore_missing=False)
        except exc.SDKException as e:
            f["delete missing"] = describe(e)
    second = storage.create_volume(size=1, name="cn-x-vol2")
    storage.wait_for_status(second, "available", wait=WAIT, interval=1)
    with call("block_storage.volumes(details=True, limit=1, paginated=False) then marker=") as f:
        first_page = list(storage.volumes(limit=1, paginated=False))
        next_page = list(storage.volumes(limit=1, marker=first_page[-1].id, paginated=False))
        f["pages"] = [[v.name for v in first_page], [v.name for v in next_page]]
        f["all (generator follows volumes_links)"] = [v.name for v in storage.volumes(limit=1)]
    with call("block_storage.volumes(name='cn-x-vol') (exact-match filter)") as f:
        f["names"] = [v.name for v in storage.volumes(name="cn-x-vol")]
    compute.wait_for_server(server, status="ACTIVE", wait=WAIT, interval=1)
    with call("compute.create_volume_attachment(server, volume_id=...) -> in-use") as f:
        attachment = compute.create_volume_attachment(server, volume_id=volume.id)
        f["returned"] = f"device={attachment.device} id={attachment.id} volume_id={attachment.volume_id}"
        f["sequence"] = poll(
            lambda: storage.get_volume(volume.id), volume_fields, lambda v: v.status == "in-use"
        )
        f["volume.attachments"] = storage.get_volume(volume.id).attachments
        f["server.attached_volumes"] = compute.get_server(server.id).attached_volumes
        f["compute.volume_attachments(server)"] = [
            (a.volume_id, a.device, a.tag) for a in compute.volume_attachments(server)
        ]
    with call("attach the same volume again (to the same server)") as f:
        try:
            compute.create_volume_attachment(server, volume_id=volume.id)
        except exc.SDKException as e:
            f["error"] = describe(e)
    with call("attach a missing volume / to a missing server") as f:
        try:
            compute.create_volume_attachment(server, volume_id="00000000-0000-0000-0000-000000000000")
        except exc.SDKException as e:
            f["missing volume"] = describe(e)
        try:
            compute.create_volume_attachment("cn-missing-server-0000", volume_id=second.id)
        except exc.SDKException as e:
            f["missing server"] = describe(e)
    with call("block_storage.delete_volume of an attached volume") as f:
        try:
            storage.delete_volume(volume)
        except exc.SDKException as e:
            f["error"] = describe(e)
    with call("snapshot of an in-use volume without force") as f:
        try:
            storage.create_snapshot(volume_id=volume.id, name="cn-x-snap-inuse")
        except exc.SDKException as e:
            f["error"] = describe(e)
    with call("compute.delete_volume_attachment(server_id: str, volume_id: str) -> available") as f:
        compute.delete_volume_attachment(server.id, volume.id)  # two str: the SDK looks the server up
        f["sequence"] = poll(
            lambda: storage.get_volume(volume.id), volume_fields, lambda v: v.status == "available"
        )
        f["volume.attachments"] = storage.get_volume(volume.id).attachments
    with call("detach a volume that is not attached") as f:
        try:
            compute.delete_volume_attachment(server, volume, ignore_missing=False)
        except exc.SDKException as e:
            f["error"] = describe(e)
    with call("attach with a device hint ('/dev/vdz'), then delete the server while attached") as f:
        third = storage.create_volume(size=1, name="cn-x-vol3")
        storage.wait_for_status(third, "available", wait=WAIT, interval=1)
        other = compute.create_server(
            name="cn-x-vm3", image_id=image.id, flavor_id=flavors[0].id, networks="none"
        )
        compute.wait_for_server(other, status="ACTIVE", wait=WAIT, interval=1)
        hinted = compute.create_volume_attachment(other, volume_id=third.id, device="/dev/vdz")
        storage.wait_for_status(third, "in-use", wait=WAIT, interval=1)
        f["device returned / in volume.attachments"] = (
            hinted.device,
            storage.get_volume(third.id).attachments[0]["device"],
        )
        compute.delete_server(other)
        f["volume after server delete"] = poll(
            lambda: storage.get_volume(third.id), volume_fields, lambda v: v.status == "available"
        )
        compute.wait_for_delete(other, wait=WAIT, interval=1)
        storage.delete_volume(third)
        storage.wait_for_delete(third, wait=WAIT, interval=1)
    explore_snapshots(conn, volume)
    for v in (volume, second):
        storage.delete_volume(v)
    with call("block_storage.delete_volume -> gone") as f:
        f["sequence"] = poll(lambda: storage.get_volume(volume.id), volume_fields, lambda v: False)
    storage.wait_for_delete(second, wait=WAIT, interval=1)
    compute.delete_server(server)
    compute.wait_for_delete(server, wait=WAIT, interval=1)


def explore_snapshots(conn: Any, volume: Any) -> None:
    storage = conn.block_storage
    with call("block_storage.create_snapshot(volume_id, name) -> available") as f:
        snap = storage.create_snapshot(volume_id=volume.id, name="cn-x-snap", metadata={"purpose": "c"})
        f["sequence"] = poll(
            lambda: storage.get_snapshot(snap.id), lambda s: (s.status,), lambda s: s.status == "available"
        )
        snap = storage.get_snapshot(snap.id)
        f["fields"] = (
            f"name={snap.name} size={snap.size} volume_id={snap.volume_id} "
            f"created_at={snap.created_at} metadata={snap.metadata} progress={snap.progress}"
        )
    snap2 = storage.create_snapshot(volume_id=volume.id, name="cn-x-snap2")
    storage.wait_for_status(snap2, "available", wait=WAIT, interval=1)
    with call("block_storage.snapshots(limit=1, paginated=False) then marker=") as f:
        first = list(storage.snapshots(limit=1, paginated=False))
        after = list(storage.snapshots(limit=1, marker=first[-1].id, paginated=False))
        f["pages"] = [[s.name for s in first], [s.name for s in after]]
    with call("block_storage.snapshots(name=...) filter") as f:
        try:
            f["names"] = [s.name for s in storage.snapshots(name="cn-x-snap")]
        except exc.SDKException as e:
            f["error"] = describe(e)
    with call("block_storage.snapshots(all_projects=True) as a member") as f:
        try:
            f["names"] = [s.name for s in storage.snapshots(all_projects=True)]
        except exc.SDKException as e:
            f["error"] = describe(e)
    with call("snapshot of a missing volume; get/delete missing snapshot") as f:
        try:
            storage.create_snapshot(volume_id="00000000-0000-0000-0000-000000000000", name="x")
        except exc.SDKException as e:
            f["create"] = describe(e)
        try:
            storage.get_snapshot("cn-missing-snapshot-0000")
        except exc.SDKException as e:
            f["get"] = describe(e)
        try:
            storage.delete_snapshot("cn-missing-snapshot-0000", ignore_missing=False)
        except exc.SDKException as e:
            f["delete"] = describe(e)
    with call("block_storage.create_volume(snapshot_id, size=3) (larger than the snapshot)") as f:
        bigger = storage.create_volume(snapshot_id=snap.id, size=3, name="cn-x-restored")
        f["sequence"] = poll(
            lambda: storage.get_volume(bigger.id), volume_fields, lambda v: v.status == "available"
        )
        bigger = storage.get_volume(bigger.id)
        f["fields"] = f"size={bigger.size} snapshot_id={bigger.snapshot_id} az={bigger.availability_zone}"
    with call("block_storage.create_volume(snapshot_id) without size") as f:
        same = storage.create_volume(snapshot_id=snap.id, name="cn-x-restored2")
        storage.wait_for_status(same, "available", wait=WAIT, interval=1)
        f["size"] = storage.get_volume(same.id).size
    with call("block_storage.create_volume(snapshot_id, size=1) (smaller than the snapshot)") as f:
        try:
            storage.create_volume(snapshot_id=snap.id, size=1, name="cn-x-small")
        except exc.SDKException as e:
            f["error"] = describe(e)
    with call("create_volume(snapshot_id=missing)") as f:
        try:
            storage.create_volume(snapshot_id="00000000-0000-0000-0000-000000000000", size=1, name="cn-x-m")
        except exc.SDKException as e:
            f["error"] = describe(e)
    with call("delete a volume that has snapshots") as f:
        try:
            storage.delete_volume(volume)
        except exc.SDKException as e:
            f["error"] = describe(e)
    with call("block_storage.delete_snapshot -> gone") as f:
        storage.delete_snapshot(snap)
        f["sequence"] = poll(lambda: storage.get_snapshot(snap.id), lambda s: (s.status,), lambda s: False)
    storage.delete_snapshot(snap2)
    storage.wait_for_delete(snap2, wait=WAIT, interval=1)
    for v in (bigger, same):
        storage.delete_volume(v)
        storage.wait_for_delete(v, wait=WAIT, interval=1)


# ---------------------------------------------------------------------------------- swift
def raw_status(conn: Any, method: str, path: str, headers: dict[str, str]) -> str:
    """Send a request without a body but with the given headers (http.client, the SDK's token)."""
    endpoint = urlsplit(conn.object_store.get_endpoint())
    connection = http.client.HTTPConnection(endpoint.hostname or "127.0.0.1", endpoint.port or 80, timeout=10)
    connection.putrequest(method, endpoint.path + path, skip_accept_encoding=True)
    for name, value in {"X-Auth-Token": conn.session.get_token(), **headers}.items():
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()[:160]
    connection.close()
    return f"{response.status} {response.reason} {body!r}"


def explore_swift(conn: Any) -> None:
    store = conn.object_store
    c, c2 = "cn-x-c", "cn-x-c2"
    with call("GET /info (no token needed): limits") as f:
        info = store.get_info()
        f["swift"] = {
            k: info.swift.get(k)
            for k in (
                "max_file_size",
                "max_object_name_length",
                "container_listing_limit",
                "max_meta_name_length",
                "max_meta_value_length",
                "max_meta_count",
                "max_meta_overall_size",
                "max_container_name_length",
                "version",
                "strict_cors_mode",
                "extra_header_count",
            )
        }
        f["slo"] = info.slo
    with call("object_store.create_container(name) twice") as f:
        store.create_container(name=c)
        store.create_container(name=c)
        store.create_container(name=c2)
        f["note"] = "both 201/202: PUT on an existing container is not an error"
    with call("object_store.containers() and get_container_metadata(missing)") as f:
        f["names"] = [x.name for x in store.containers()]
        try:
            store.get_container_metadata("cn-x-missing")
        except exc.SDKException as e:
            f["head missing"] = describe(e)
    with call("object_store.upload_object(data, content_type, metadata)") as f:
        created = store.upload_object(
            container=c,
            name="dir/a.txt",
            data=b"hello swift",
            content_type="text/plain; charset=utf-8",
            metadata={"colour": "blue", "Mixed-Case": "Value", "under_score": "x"},
        )
        f["returned"] = created
    with call("object_store.get_object_metadata (HEAD)") as f:
        head = store.get_object_metadata("dir/a.txt", container=c)
        f["fields"] = (
            f"content_length={head.content_length} content_type={head.content_type} "
            f"etag={head.etag} last_modified={head.last_modified_at} timestamp={head.timestamp} "
            f"metadata={head.metadata}"
        )
        f["md5 of content"] = hashlib.md5(b"hello swift").hexdigest()
    with call("upload_object without content_type (name 'plain.txt' and 'blob')") as f:
        store.upload_object(container=c, name="plain.txt", data=b"x")
        store.upload_object(container=c, name="blob", data=b"x")
        f["plain.txt"] = store.get_object_metadata("plain.txt", container=c).content_type
        f["blob"] = store.get_object_metadata("blob", container=c).content_type
    with call("GET with Range (store.get with headers; the SDK has no range argument)") as f:
        base = f"/{c}/dir/a.txt"
        for rng in ("bytes=6-10", "bytes=6-", "bytes=-5", "bytes=6-100", "bytes=11-20", "bytes=100-"):
            r = store.get(base, headers={"Range": rng})
            f[rng] = f"{r.status_code} {r.content!r} Content-Range={r.headers.get('Content-Range')}"
        r = store.get(f"/{c}/blob", headers={"Range": "bytes=0-0"})
        f["1-byte blob bytes=0-0"] = f"{r.status_code} {r.content!r}"
        store.upload_object(container=c, name="empty", data=b"")
        r = store.get(f"/{c}/empty", headers={"Range": "bytes=0-"})
        f["empty blob bytes=0-"] = f"{r.status_code} {r.content!r}"
        store.delete_object("empty", container=c)
    with call("object_store.stream_object / download_object") as f:
        f["download"] = store.download_object("dir/a.txt", container=c)
        f["stream"] = b"".join(store.stream_object("dir/a.txt", container=c, chunk_size=4))
        try:
            store.download_object("missing", container=c)
        except exc.SDKException as e:
            f["missing"] = describe(e)
    for name in ("dir/b.txt", "dir/sub/c.txt", "dir-x", "e|f|g", "e|h", "z"):
        store.upload_object(container=c, name=name, data=b"1")
    with call("object_store.objects(container) (JSON listing, SDK pages with marker)") as f:
        items = list(store.objects(c))
        f["names"] = [o.name for o in items]
        o = items[0]
        f["item fields"] = (
            f"name={o.name} bytes={o.content_length} hash={o.etag} type={o.content_type} "
            f"last_modified={o.last_modified_at}"
        )
    with call("objects(prefix='dir/', delimiter='/')") as f:
        f["items"] = [
            (o.name, getattr(o, "subdir", None)) for o in store.objects(c, prefix="dir/", delimiter="/")
        ]
    with call("raw GET ?format=json&delimiter=/ (subdir entries)") as f:
        f["json"] = store.get(f"/{c}", params={"format": "json", "delimiter": "/"}).json()
    with call("delimiter '|', and a two-character delimiter") as f:
        f["|"] = store.get(f"/{c}", params={"format": "json", "delimiter": "|"}).json()
        r = store.get(f"/{c}", params={"format": "json", "delimiter": "ir"})
        f["'ir'"] = f"{r.status_code} {r.text[:200]}"
    with call("paging: limit=2, then marker=<last name or subdir>") as f:
        p1 = store.get(f"/{c}", params={"format": "json", "limit": 2, "delimiter": "/"}).json()
        last = p1[-1].get("name") or p1[-1].get("subdir")
        p2 = store.get(
            f"/{c}", params={"format": "json", "limit": 2, "delimiter": "/", "marker": last}
        ).json()
        f["page 1"] = p1
        f[f"page 2 (marker={last!r})"] = p2
        r = store.get(f"/{c}", params={"format": "json", "limit": 2})
        f["headers"] = {k: v for k, v in r.headers.items() if k.lower().startswith("x-container")}
        f["objects(limit=2) generator"] = [o.name for o in store.objects(c, limit=2)]
    with call("listing of a missing container") as f:
        try:
            list(store.objects("cn-x-missing"))
        except exc.SDKException as e:
            f["error"] = describe(e)
    with call("server-side copy: PUT with X-Copy-From (store.copy_object is NotImplementedError)") as f:
        try:
            store.copy_object()
        except NotImplementedError:
            f["store.copy_object()"] = "NotImplementedError"
        r = store.put(f"/{c2}/copied", headers={"X-Copy-From": f"/{c}/dir/a.txt", "Content-Length": "0"})
        f["PUT X-Copy-From"] = (
            f"{r.status_code} etag={r.headers.get('Etag')} X-Copied-From={r.headers.get('X-Copied-From')}"
        )
        head = store.get_object_metadata("copied", container=c2)
        f["copy keeps"] = f"content_type={head.content_type} metadata={head.metadata}"
        r = store.request(f"/{c}/dir/a.txt", "COPY", headers={"Destination": f"/{c2}/copied2"})
        f["COPY Destination"] = r.status_code
        r = store.put(
            f"/{c2}/copied3", headers={"X-Copy-From": f"/{c}/missing", "Content-Length": "0"}, raise_exc=False
        )
        f["copy missing source"] = f"{r.status_code} {r.text[:80]!r}"
        r = store.put(
            "/cn-x-missing/copied",
            headers={"X-Copy-From": f"/{c}/dir/a.txt", "Content-Length": "0"},
            raise_exc=False,
        )
        f["copy into missing container"] = f"{r.status_code} {r.text[:80]!r}"
    with call("metadata values: non-ASCII through requests; percent-encoded") as f:
        for value in ("café", "日本", "caf%C3%A9", " padded ", "a\tb"):
            try:
                r = store.put(f"/{c}/meta", data=b"x", headers={"X-Object-Meta-V": value}, raise_exc=False)
                got = store.head(f"/{c}/meta").headers.get("X-Object-Meta-V")
                f[repr(value)] = f"{r.status_code} -> {got!r}"
            except Exception as e:
                f[repr(value)] = f"{type(e).__name__}: {str(e)[:100]}"
        store.delete(f"/{c}/meta")
    with call("account listing (buckets): GET ?format=json&prefix=&limit=&marker=") as f:
        r = store.get("/", params={"format": "json", "prefix": "cn-x-", "limit": 1})
        f["page 1"] = r.json()
        r = store.get(
            "/", params={"format": "json", "prefix": "cn-x-", "limit": 1, "marker": r.json()[-1]["name"]}
        )
        f["page 2"] = r.json()
        f["headers"] = {k: v for k, v in r.headers.items() if k.lower().startswith("x-account")}
        r = store.put("/cn-x-bad%2Fname", raise_exc=False)
        f["container name with '/' (%2F)"] = f"{r.status_code} {r.text[:80]!r}"
        r = store.put("/" + "n" * 257, raise_exc=False)
        f["container name of 257 bytes"] = f"{r.status_code} {r.text[:80]!r}"
    explore_slo(conn, c)
    explore_swift_names(conn, c)
    explore_swift_errors(conn, c)
    for container in (c, c2):
        for o in list(store.objects(container)):
            store.delete_object(o, container=container)
        store.delete_container(container)


def explore_slo(conn: Any, c: str) -> None:
    store = conn.object_store
    parts = [b"a" * 1024, b"b" * 1024, b"c" * 7]
    etags = []
    with call("static large object: segments (PUT each), manifest PUT ?multipart-manifest=put") as f:
        for n, data in enumerate(parts, 1):
            r = store.put(f"/{c}/.segments/big/upload-1/{n:08d}", data=data)
            etags.append(r.headers["Etag"])
        manifest = [
            {"path": f"/{c}/.segments/big/upload-1/{n:08d}", "etag": etag, "size_bytes": len(data)}
            for n, (etag, data) in enumerate(zip(etags, parts, strict=True), 1)
        ]
        r = store.put(
            f"/{c}/big",
            params={"multipart-manifest": "put"},
            data=json.dumps(manifest),
            headers={"Content-Type": "application/x-tar", "X-Object-Meta-Kind": "large"},
        )
        f["manifest PUT"] = f"{r.status_code} Etag={r.headers.get('Etag')}"
        f["md5 of the concatenated segment etags"] = hashlib.md5("".join(etags).encode()).hexdigest()
        f["md5 of the content"] = hashlib.md5(b"".join(parts)).hexdigest()
        head = store.head(f"/{c}/big")
        f["HEAD"] = {
            k: v
            for k, v in head.headers.items()
            if k.lower()
            in (
                "etag",
                "content-length",
                "content-type",
                "x-static-large-object",
                "x-object-meta-kind",
                "x-manifest-etag",
            )
        }
        r = store.get(f"/{c}/big", headers={"Range": "bytes=1020-1030"})
        f["GET Range across segments"] = f"{r.status_code} {r.content!r}"
        listing = store.get(f"/{c}", params={"format": "json", "prefix": "big"}).json()
        f["listing entry"] = listing
    with call("GET ?multipart-manifest=get (the manifest itself)") as f:
        r = store.get(f"/{c}/big", params={"multipart-manifest": "get"})
        f["answer"] = f"{r.status_code} type={r.headers.get('Content-Type')} body={r.text[:220]}"
        r = store.get(f"/{c}/big", params={"multipart-manifest": "get", "format": "raw"})
        f["format=raw"] = r.text[:160]
    with call("manifest with a 1-byte non-final segment; manifest naming a missing segment") as f:
        store.put(f"/{c}/.segments/tiny/1", data=b"x")
        store.put(f"/{c}/.segments/tiny/2", data=b"yz")
        r = store.put(
            f"/{c}/tiny",
            params={"multipart-manifest": "put"},
            raise_exc=False,
            data=json.dumps([{"path": f"/{c}/.segments/tiny/1"}, {"path": f"/{c}/.segments/tiny/2"}]),
        )
        f["1-byte segment"] = f"{r.status_code} {r.text[:120]!r}"
        r = store.put(
            f"/{c}/broken",
            params={"multipart-manifest": "put"},
            raise_exc=False,
            data=json.dumps([{"path": f"/{c}/.segments/nope/1"}]),
        )
        f["missing segment"] = f"{r.status_code} {r.text[:200]!r}"
        r = store.put(
            f"/{c}/broken",
            params={"multipart-manifest": "put"},
            raise_exc=False,
            data=json.dumps([{"path": f"/{c}/.segments/tiny/1", "etag": "0" * 32}]),
        )
        f["wrong etag"] = f"{r.status_code} {r.text[:200]!r}"
    with call("DELETE ?multipart-manifest=delete (manifest and its segments)") as f:
        r = store.delete(
            f"/{c}/big", params={"multipart-manifest": "delete"}, headers={"Accept": "application/json"}
        )
        f["answer"] = f"{r.status_code} {r.text[:300]}"
        f["left under .segments/"] = [o.name for o in store.objects(c, prefix=".segments/")]
        r = store.delete(f"/{c}/tiny")
        f["plain DELETE of a manifest"] = r.status_code
        f["left after plain DELETE"] = [o.name for o in store.objects(c, prefix=".segments/")]
        for o in list(store.objects(c, prefix=".segments/")):
            store.delete_object(o, container=c)
    with call("SDK create_object(filename, segment_size=...) -> SLO: where the segments go") as f:
        path = Path(os.environ.get("TMPDIR", "/tmp")) / "cn-x-upload.bin"
        path.write_bytes(b"0123456789" * 300)
        SEEN.clear()
        store.create_object(c, "sdk-big", filename=str(path), segment_size=1024)
        f["objects"] = [o.name for o in store.objects(c, prefix="sdk-big")]
        f["note"] = "the segment PUTs are sent from conn._pool_executor (ThreadPoolExecutor(max_workers=5))"
        store.delete(f"/{c}/sdk-big", params={"multipart-manifest": "delete"})
        path.unlink()


def explore_swift_names(conn: Any, c: str) -> None:
    store = conn.object_store
    keys = [
        "with space.txt",
        "ünïcødé/日本語/😀.txt",
        "a..b",
        "a//b",
        "100%/%2F%zz",
        "a+b c+d",
        "what?x=1&y=2",
        "issue#12",
        'it\'s "quoted" <tag>',
        "dir/",
        ("é" * 511) + "xy",
    ]
    with call("SDK upload_object(name=...) does not quote the name: '?' and '#' cut it") as f:
        for key in ("what?x=1&y=2", "issue#12", "100%/%2F%zz"):
            store.upload_object(container=c, name=key, data=b"x")
            stored = [o.name for o in store.objects(c) if o.name[:3] == key[:3]]
            f[key] = f"stored as {stored}"
            for name in stored:
                store.delete(f"/{c}/{quote(name)}")
    c = "cn-x-names"  # a container of its own: the listings below must see only these names
    store.create_container(name=c)
    with call("weird names with the path quoted by the caller (quote(key, safe='/'))") as f:
        store.put(f"/{c}/zzz-neighbour", data=b"n")
        for key in keys:
            label = key if len(key) < 40 else f"{key[:6]}...({len(key.encode())} bytes)"
            path = f"/{c}/{quote(key, safe='/')}"
            try:
                store.put(path, data=key.encode())
                got = store.get(path).content
                listed = [o["name"] for o in store.get(f"/{c}", params={"format": "json"}).json()]
                by_prefix = [
                    o["name"] for o in store.get(f"/{c}", params={"format": "json", "prefix": key}).json()
                ]
                f[label] = (
                    f"round trip={got == key.encode()} listed={listed == sorted([key, 'zzz-neighbour'])} "
                    f"prefix={by_prefix == [key]}"
                )
                store.delete(path)
            except exc.SDKException as e:
                f[label] = describe(e)
        store.delete(f"/{c}/zzz-neighbour")
        for key in ("é" * 512 + "x", "a" * 1025):
            r = store.put(f"/{c}/{quote(key)}", data=b"x", raise_exc=False)
            f[f"{len(key)} characters, {len(key.encode())} bytes"] = f"{r.status_code} {r.text[:60]!r}"
            if r.status_code < 300:
                store.delete(f"/{c}/{quote(key)}")
        for key in ("new\nline", "bell\x07", "./x", "a/../b"):
            r = store.put(f"/{c}/{quote(key)}", data=b"x", raise_exc=False)
            f[repr(key)] = f"{r.status_code} {r.text[:80]!r}"
            if r.status_code < 300:
                store.delete(f"/{c}/{quote(key)}")
    store.delete_container(c)


def explore_swift_errors(conn: Any, c: str) -> None:
    store = conn.object_store
    with call("errors: 404 object, 409 delete non-empty container, 404 delete missing container") as f:
        try:
            store.get_object_metadata("missing", container=c)
        except exc.SDKException as e:
            f["HEAD missing object"] = describe(e)
        try:
            store.delete_object("missing", container=c, ignore_missing=False)
        except exc.SDKException as e:
            f["DELETE missing object"] = describe(e)
        try:
            store.delete_container(c)
        except exc.SDKException as e:
            f["DELETE non-empty container"] = describe(e)
        try:
            store.delete_container("cn-x-missing", ignore_missing=False)
        except exc.SDKException as e:
            f["DELETE missing container"] = describe(e)
        try:
            store.upload_object(container="cn-x-missing", name="o", data=b"x")
        except exc.SDKException as e:
            f["PUT object into missing container"] = describe(e)
    with call("errors: 413 (Content-Length over max_file_size), 416, 400 metadata, 401 bad token") as f:
        f["PUT Content-Length 6 GiB"] = raw_status(
            conn, "PUT", f"/{c}/huge", {"Content-Length": str(6 * 2**30)}
        )
        r = store.get(f"/{c}/dir/a.txt", headers={"Range": "bytes=100-200"}, raise_exc=False)
        f["GET Range past the end"] = f"{r.status_code} {r.text[:80]!r}"
        try:
            store.get(f"/{c}/dir/a.txt", headers={"Range": "bytes=100-200"})
        except exc.SDKException as e:
            f["same, raise_exc=True"] = describe(e)
        try:
            store.upload_object(container=c, name="m", data=b"x", metadata={"k": "v" * 300})
        except exc.SDKException as e:
            f["metadata value 300 chars"] = describe(e)
        f["bad token"] = raw_status(conn, "GET", f"/{c}", {"X-Auth-Token": "gAAAAAbogus"})
        f["no token"] = raw_status(conn, "HEAD", f"/{c}", {"X-Auth-Token": ""})


def main() -> None:
    sdk, auth = openstack.version.__version__, metadata.version("keystoneauth1")
    out(f"# explore.py: openstacksdk {sdk}, keystoneauth1 {auth}")
    conn = explore_auth("cn-demo")
    admin = openstack.connect(cloud="cn-admin")
    flavors, image = explore_catalogue(conn)
    server = explore_servers(conn, admin, flavors, image)
    explore_server_listing(conn, flavors, image)
    explore_server_delete(conn, server)
    explore_volumes(conn, flavors, image)
    explore_swift(conn)
    out("\nEXPLORE DONE")


if __name__ == "__main__":
    main()
