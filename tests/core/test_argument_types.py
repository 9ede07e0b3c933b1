"""Every public method checks argument types as well as values: one ``except CloudError``
catches every misuse, with a message naming the argument, before any request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import cloudneutral
from cloudneutral import errors
from cloudneutral.validation import MAX_VOLUME_GIB

Call = Callable[[cloudneutral.Cloud], Any]

CASES: dict[str, tuple[Call, str]] = {
    "wait-state-str": (lambda c: c.servers.wait("srv-1", "running"), "state must be a ServerState"),
    "wait-timeout-str": (
        lambda c: c.servers.wait("srv-1", cloudneutral.ServerState.RUNNING, timeout="9"),
        "timeout",
    ),
    "server-ref-int": (lambda c: c.servers.get(42), "server is given as a Server"),
    "create-name-none": (lambda c: c.servers.create(None, os="ubuntu"), "server name must be a str"),
    "create-vcpus-str": (lambda c: c.servers.create("web", os="ubuntu", min_vcpus="2"), "min_vcpus"),
    "create-zone-int": (lambda c: c.servers.create("web", os="ubuntu", zone=3), "zone"),
    "create-tags-list": (lambda c: c.servers.create("web", os="ubuntu", tags=[("a", "b")]), "tags"),
    "images-os-int": (lambda c: c.servers.images(os=1), "os"),
    "volume-size-str": (lambda c: c.volumes.create("data", "10"), "size_gib"),
    "volume-size-bool": (lambda c: c.volumes.create("data", True), "size_gib"),
    "volume-too-big": (lambda c: c.volumes.create("data", MAX_VOLUME_GIB + 1), "portable limit"),
    "volume-wait-state-str": (lambda c: c.volumes.wait("vol-1", "available"), "state must be a VolumeState"),
    "attach-device-int": (lambda c: c.volumes.attach("vol-1", "srv-1", device=5), "device"),
    "snapshot-name-int": (lambda c: c.volumes.snapshot("vol-1", 7), "snapshot name"),
    "bucket-prefix-none": (lambda c: c.blobs.bucket("photos", None), "prefix"),
    "create-bucket-bytes": (lambda c: c.blobs.create_bucket(b"photos"), "bucket name must be a str"),
    "list-page-size-zero": (lambda c: list(c.servers.list(page_size=0)), "page_size"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_misuse_is_invalid_argument_before_any_request(case: str) -> None:
    call, fragment = CASES[case]
    with (
        cloudneutral.connect("local://?root=/nonexistent/never-created") as cloud,
        pytest.raises(errors.InvalidArgument, match=fragment),
    ):
        call(cloud)
