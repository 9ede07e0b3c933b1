"""Smoke check of the running OpenStack peer with openstacksdk, as the plain member ``demo``.

Exercises what the OpenStack adapter needs once each: catalogues (flavors, images with
``os_distro``, availability zones), a server created with ``networks='none'`` through
ACTIVE -> SHUTOFF -> ACTIVE -> reboot -> ACTIVE, a volume created in the server's zone,
attached, detached, snapshotted, restored larger, and Swift (put with metadata, ranged get,
delimiter listing, a static large object). Everything it creates is deleted, also on failure.

Usage: ``python check.py [CLOUD]`` (default ``cn-demo``) with ``OS_CLIENT_CONFIG_FILE`` set by
``eval "$(scripts/peers/openstack.sh env)"``; without it, the peer's default clouds.yaml.
Exit 0 and ``CHECK PASSED`` on success.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import openstack
import openstack.version

T = TypeVar("T")
WAIT = 120
PREFIX = "cn-check"
CONTAINER = f"{PREFIX}-c"


STEPS: list[str] = []


def step(name: str, action: Callable[[], T]) -> T:
    """Run ``action``, print how long it took, return its result."""
    started = time.monotonic()
    result = action()
    print(f"  {time.monotonic() - started:6.2f}s  {name}", flush=True)
    STEPS.append(name)
    return result


def connect(cloud: str) -> Any:
    if "OS_CLIENT_CONFIG_FILE" not in os.environ:
        default = Path(__file__).resolve().parents[3] / ".peers" / "openstack" / "clouds.yaml"
        os.environ["OS_CLIENT_CONFIG_FILE"] = str(default)
    return openstack.connect(cloud=cloud)


def cleanup(conn: Any) -> None:
    """Delete whatever a previous or the current run left (servers, volumes, objects)."""
    # (Cinder answers 400 "Invalid filters name" to snapshots(name=...): filter here.)
    for snap in [s for s in conn.block_storage.snapshots() if s.name == f"{PREFIX}-snap"]:
        conn.block_storage.delete_snapshot(snap, ignore_missing=True)
        conn.block_storage.wait_for_delete(snap, wait=WAIT, interval=1)
    for server in conn.compute.servers(name=f"^{PREFIX}"):
        conn.compute.delete_server(server, ignore_missing=True)
        conn.compute.wait_for_delete(server, wait=WAIT, interval=1)
    for volume in conn.block_storage.volumes():
        if volume.name in (f"{PREFIX}-vol", f"{PREFIX}-restored"):
            conn.block_storage.delete_volume(volume, ignore_missing=True)
            conn.block_storage.wait_for_delete(volume, wait=WAIT, interval=1)
    try:
        names = [o.name for o in conn.object_store.objects(CONTAINER)]
    except openstack.exceptions.NotFoundException:
        return
    for name in names:
        conn.object_store.delete_object(name, container=CONTAINER, ignore_missing=True)
    conn.object_store.delete_container(CONTAINER, ignore_missing=True)


def check_compute_and_volumes(conn: Any) -> None:
    compute, storage = conn.compute, conn.block_storage
    flavors = step("flavors", lambda: sorted(compute.flavors(), key=lambda f: (f.vcpus, f.ram)))
    assert flavors, "no flavors"
    images = step("images", lambda: list(conn.image.images()))
    ubuntu = [i for i in images if i.properties.get("os_distro") == "ubuntu" or i.os_distro == "ubuntu"]
    assert ubuntu, f"no image with os_distro=ubuntu in {[i.name for i in images]}"
    zones = step("availability zones", lambda: [z.name for z in compute.availability_zones()])
    assert "nova" in zones, zones

    server = step(
        "server create (networks='none', availability_zone='nova')",
        lambda: compute.create_server(
            name=f"{PREFIX}-vm",
            image_id=ubuntu[0].id,
            flavor_id=flavors[0].id,
            networks="none",
            availability_zone="nova",
            metadata={"purpose": "check"},
        ),
    )
    server = step(
        "server -> ACTIVE", lambda: compute.wait_for_server(server, status="ACTIVE", wait=WAIT, interval=1)
    )
    assert server.availability_zone == "nova", server.availability_zone
    step(
        "server stop -> SHUTOFF",
        lambda: (
            compute.stop_server(server),
            compute.wait_for_server(server, status="SHUTOFF", wait=WAIT, interval=1),
        ),
    )
    step(
        "server start -> ACTIVE",
        lambda: (
            compute.start_server(server),
            compute.wait_for_server(server, status="ACTIVE", wait=WAIT, interval=1),
        ),
    )
    step(
        "server reboot (soft) -> ACTIVE",
        lambda: (
            compute.reboot_server(server, "SOFT"),
            compute.wait_for_server(server, status="ACTIVE", wait=WAIT, interval=1),
        ),
    )

    volume = step(
        "volume create 1 GiB in zone nova",
        lambda: storage.create_volume(
            size=1, name=f"{PREFIX}-vol", availability_zone="nova", metadata={"purpose": "check"}
        ),
    )
    step("volume -> available", lambda: storage.wait_for_status(volume, "available", wait=WAIT, interval=1))
    step(
        "volume attach -> in-use",
        lambda: (
            compute.create_volume_attachment(server, volume_id=volume.id),
            storage.wait_for_status(volume, "in-use", wait=WAIT, interval=1),
        ),
    )
    attachments = storage.get_volume(volume.id).attachments
    assert [a["server_id"] for a in attachments] == [server.id], attachments
    step(
        "volume detach -> available",
        lambda: (
            compute.delete_volume_attachment(server, volume),
            storage.wait_for_status(volume, "available", wait=WAIT, interval=1),
        ),
    )
    snap = step(
        "snapshot create -> available",
        lambda: storage.wait_for_status(
            storage.create_snapshot(volume_id=volume.id, name=f"{PREFIX}-snap"),
            "available",
            wait=WAIT,
            interval=1,
        ),
    )
    restored = step(
        "volume from snapshot, 2 GiB -> available",
        lambda: storage.wait_for_status(
            storage.create_volume(size=2, snapshot_id=snap.id, name=f"{PREFIX}-restored"),
            "available",
            wait=WAIT,
            interval=1,
        ),
    )
    assert (restored.size, restored.snapshot_id) == (2, snap.id), restored
    step(
        "delete restored volume",
        lambda: (storage.delete_volume(restored), storage.wait_for_delete(restored, wait=WAIT, interval=1)),
    )
    step(
        "snapshot delete",
        lambda: (storage.delete_snapshot(snap), storage.wait_for_delete(snap, wait=WAIT, interval=1)),
    )
    step(
        "volume delete",
        lambda: (storage.delete_volume(volume), storage.wait_for_delete(volume, wait=WAIT, interval=1)),
    )
    step(
        "server delete",
        lambda: (compute.delete_server(server), compute.wait_for_delete(server, wait=WAIT, interval=1)),
    )


def check_swift(conn: Any) -> None:
    store = conn.object_store
    step("container create", lambda: store.create_container(name=CONTAINER))
    step(
        "object put (content type, metadata)",
        lambda: store.upload_object(
            container=CONTAINER,
            name="dir/a.txt",
            data=b"hello swift",
            metadata={"colour": "blue"},
            # content_type= would be sent as a "content_type" header, which Swift drops
            **{"Content-Type": "application/x-cn-check"},
        ),
    )
    head = step("object head", lambda: store.get_object_metadata("dir/a.txt", container=CONTAINER))
    assert head.content_type == "application/x-cn-check" and head.metadata.get("colour") == "blue", head
    ranged = step(
        "object get Range: bytes=6-10",
        lambda: store.get(f"/{CONTAINER}/dir/a.txt", headers={"Range": "bytes=6-10"}),
    )
    assert (ranged.status_code, ranged.content) == (206, b"swift"), (ranged.status_code, ranged.content)
    listing = step(
        "list delimiter='/'",
        lambda: store.get(f"/{CONTAINER}", params={"format": "json", "delimiter": "/"}).json(),
    )
    assert listing == [{"subdir": "dir/"}], listing
    segments = [b"a" * 1024, b"b" * 1024, b"c" * 7]
    for number, data in enumerate(segments, 1):
        store.upload_object(container=CONTAINER, name=f"big.segments/{number:08d}", data=data)
    manifest = [{"path": f"/{CONTAINER}/big.segments/{n:08d}"} for n in range(1, len(segments) + 1)]
    step(
        "static large object manifest put",
        lambda: store.put(
            f"/{CONTAINER}/big", params={"multipart-manifest": "put"}, data=json.dumps(manifest)
        ),
    )
    assert step(
        "static large object get", lambda: store.download_object("big", container=CONTAINER)
    ) == b"".join(segments)
    step(
        "static large object delete (multipart-manifest=delete)",
        lambda: store.delete(f"/{CONTAINER}/big", params={"multipart-manifest": "delete"}),
    )
    names = [o.name for o in store.objects(CONTAINER)]
    assert names == ["dir/a.txt"], names
    step(
        "object + container delete",
        lambda: (store.delete_object("dir/a.txt", container=CONTAINER), store.delete_container(CONTAINER)),
    )


def main(argv: list[str]) -> int:
    started = time.monotonic()
    conn = connect(argv[0] if argv else "cn-demo")
    print(
        f"openstacksdk {openstack.version.__version__}, cloud {conn.config.name}, "
        f"auth {conn.config.auth['auth_url']}"
    )
    cleanup(conn)
    try:
        check_compute_and_volumes(conn)
        check_swift(conn)
    finally:
        cleanup(conn)
    print(f"CHECK PASSED in {time.monotonic() - started:.1f}s")
    print(f"check: {len(STEPS)} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
