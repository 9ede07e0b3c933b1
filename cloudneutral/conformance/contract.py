"""What each capability stands on: the capabilities it needs and the driver methods it uses.

The suite's minimum (:mod:`~cloudneutral.conformance.suite.test_minimum`) checks a
provider's declared capabilities against these tables: a capability declared without what
it needs, or without the driver methods behind it, fails. The same tables are the list in
``providers/_template/README.md`` of what to write for each capability.
"""

from __future__ import annotations

from collections.abc import Callable

from cloudneutral.cloud import Cloud
from cloudneutral.models import Capability

__all__ = ["CORE", "METHODS", "NEEDS", "REFUSALS", "problems"]

C = Capability

#: The capabilities of which an adapter must declare at least one.
CORE = (C.BLOBS, C.SERVERS)

#: Capability -> the capabilities it needs.
NEEDS: dict[Capability, tuple[Capability, ...]] = {
    C.BLOB_RANGE: (C.BLOBS,),
    C.BLOB_COPY: (C.BLOBS,),
    C.BLOB_METADATA: (C.BLOBS,),
    C.BLOB_CONTENT_TYPE: (C.BLOBS,),
    C.BLOB_MULTIPART: (C.BLOBS,),
    C.BLOB_IF_MATCH: (C.BLOBS,),
    C.SERVER_REBOOT: (C.SERVERS,),
    C.SERVER_STOP_START: (C.SERVERS,),
    C.SERVER_ZONES: (C.SERVERS,),
    C.VOLUME_ATTACH: (C.VOLUMES, C.SERVERS),
    C.SNAPSHOTS: (C.VOLUMES,),
}

#: Capability -> (driver attribute, the methods it must have there).
METHODS: dict[Capability, tuple[str, tuple[str, ...]]] = {
    C.BLOBS: (
        "blobs",
        (
            "natives",
            "list_buckets",
            "create_bucket",
            "head_bucket",
            "delete_bucket",
            "list_blobs",
            "head_blob",
            "read_blob",
            "put_blob",
            "delete_blob",
            "part_sizes",
        ),
    ),
    C.BLOB_RANGE: ("blobs", ("read_blob",)),
    C.BLOB_COPY: ("blobs", ("copy_blob",)),
    C.BLOB_METADATA: ("blobs", ("put_blob", "head_blob")),
    C.BLOB_CONTENT_TYPE: ("blobs", ("put_blob", "head_blob")),
    C.BLOB_MULTIPART: ("blobs", ("open_upload", "resume_upload")),
    C.BLOB_IF_MATCH: ("blobs", ("delete_blob",)),
    C.SERVERS: (
        "servers",
        (
            "natives",
            "list_sizes",
            "list_images",
            "get_image",
            "list_regions",
            "create_server",
            "get_server",
            "list_servers",
            "delete_server",
        ),
    ),
    C.SERVER_REBOOT: ("servers", ("reboot_server",)),
    C.SERVER_STOP_START: ("servers", ("start_server", "stop_server")),
    C.SERVER_ZONES: ("servers", ("list_regions", "create_server")),
    C.VOLUMES: ("volumes", ("natives", "create_volume", "get_volume", "list_volumes", "delete_volume")),
    C.VOLUME_ATTACH: ("volumes", ("attach_volume", "detach_volume")),
    C.SNAPSHOTS: ("volumes", ("create_snapshot", "get_snapshot", "list_snapshots", "delete_snapshot")),
}


def problems(driver: object, declared: frozenset[Capability]) -> list[str]:
    """What is wrong with ``declared`` for ``driver``: missing core, missing needs, missing
    drivers or driver methods. Empty when consistent."""
    found: list[str] = []
    if not any(c in declared for c in CORE):
        found.append(
            "declares neither blobs nor servers: an adapter must prove at least one core "
            "(buckets and blobs, or servers), so no card of it can be all skips"
        )
    for capability in sorted(declared, key=lambda c: c.value):
        for need in NEEDS.get(capability, ()):
            if need not in declared:
                found.append(f"declares {capability.value} without {need.value}")
        attribute, methods = METHODS[capability]
        target = getattr(driver, attribute, None)
        if target is None:
            found.append(f"declares {capability.value} but has no {attribute} driver")
            continue
        absent = [m for m in methods if not callable(getattr(target, m, None))]
        if absent:
            found.append(f"declares {capability.value} but its {attribute} driver lacks {', '.join(absent)}")
    return found


#: Capability -> a portable call that needs it (made on a cloud that does not declare it).
REFUSALS: dict[Capability, Callable[[Cloud], object]] = {
    C.BLOBS: lambda cloud: cloud.blobs.list_buckets(),
    C.BLOB_RANGE: lambda cloud: cloud.blobs.bucket("cn-refused").get_range("k", 0, 1),
    C.BLOB_COPY: lambda cloud: cloud.blobs.bucket("cn-refused").copy("k", "k2"),
    C.BLOB_METADATA: lambda cloud: cloud.blobs.bucket("cn-refused").put("k", b"x", metadata={"a": "b"}),
    C.BLOB_CONTENT_TYPE: lambda cloud: cloud.blobs.bucket("cn-refused").put(
        "k", b"x", content_type="text/plain"
    ),
    C.BLOB_MULTIPART: lambda cloud: cloud.blobs.bucket("cn-refused").open_upload("k"),
    C.BLOB_IF_MATCH: lambda cloud: cloud.blobs.bucket("cn-refused").delete("k", if_match='"etag"'),
    C.SERVERS: lambda cloud: cloud.servers.sizes(),
    C.SERVER_REBOOT: lambda cloud: cloud.servers.reboot("cn-refused"),
    C.SERVER_STOP_START: lambda cloud: cloud.servers.stop("cn-refused"),
    C.SERVER_ZONES: lambda cloud: cloud.servers.create("cn-refused", size="s", image="i", zone="z"),
    C.VOLUMES: lambda cloud: list(cloud.volumes.list()),
    C.VOLUME_ATTACH: lambda cloud: cloud.volumes.attach("cn-refused", "cn-refused"),
    C.SNAPSHOTS: lambda cloud: list(cloud.volumes.snapshots()),
}
