"""Answers into the model, without a cloud: Nova states, images, Swift headers and listings,
segment names of uploads."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cloudneutral_openstack import _slo, _swift
from cloudneutral_openstack._nova import STATUS, image_from, state_of
from cloudneutral_openstack.volumes import SNAPSHOT_STATES, VOLUME_STATES

from cloudneutral import ServerState, SnapshotState, VolumeState


@pytest.mark.parametrize(
    ("status", "task", "expected"),
    [
        ("BUILD", "scheduling", ServerState.PENDING),
        ("ACTIVE", None, ServerState.RUNNING),
        ("ACTIVE", "powering-off", ServerState.STOPPING),
        ("ACTIVE", "deleting", ServerState.STOPPING),
        ("ACTIVE", "rebooting", ServerState.REBOOTING),
        ("REBOOT", "reboot_pending", ServerState.REBOOTING),
        ("HARD_REBOOT", "rebooting_hard", ServerState.REBOOTING),
        ("SHUTOFF", None, ServerState.STOPPED),
        ("SHUTOFF", "powering-on", ServerState.PENDING),
        ("SHELVED_OFFLOADED", None, ServerState.STOPPED),
        ("DELETED", None, ServerState.TERMINATED),
        ("ERROR", None, ServerState.ERROR),
        ("VERIFY_RESIZE", None, ServerState.UNKNOWN),
        (None, None, ServerState.UNKNOWN),
    ],
)
def test_server_states(status: str | None, task: str | None, expected: ServerState) -> None:
    assert state_of(status, task) is expected


def test_every_nova_status_is_mapped_once() -> None:
    assert STATUS["ERROR"] is ServerState.ERROR and STATUS["SHUTOFF"] is ServerState.STOPPED


def test_volume_and_snapshot_states() -> None:
    assert (
        VOLUME_STATES["in-use"] is VolumeState.IN_USE and VOLUME_STATES["error_deleting"] is VolumeState.ERROR
    )
    assert SNAPSHOT_STATES["creating"] is SnapshotState.PENDING


@pytest.mark.parametrize(
    ("item", "os", "arch"),
    [
        (
            {"id": "g", "name": "ubuntu-22.04", "os_distro": "ubuntu", "architecture": "x86_64"},
            "ubuntu",
            "x86_64",
        ),
        (
            {"id": "a", "name": "debian-12-arm", "os_distro": "Debian", "architecture": "aarch64"},
            "debian",
            "arm64",
        ),
        ({"id": "u", "name": "my-upload"}, None, None),
        (  # Rackspace, Nova's image API: properties under metadata
            {
                "id": "r",
                "name": "Ubuntu 13.10 (Saucy Salamander)",
                "metadata": {
                    "org.openstack__1__os_distro": "com.ubuntu",
                    "org.openstack__1__architecture": "x64",
                },
            },
            "ubuntu",
            "x86_64",
        ),
    ],
)
def test_images(item: dict[str, Any], os: str | None, arch: str | None) -> None:
    image = image_from(item, "openstack")
    assert (image.os, image.arch, image.id) == (os, arch, item["id"])


def test_object_paths_are_quoted() -> None:
    assert _swift.object_path("c", "what?x=1&y=2") == "/c/what%3Fx%3D1%26y%3D2"
    assert _swift.object_path("c", "a//b/issue#12 ü") == "/c/a//b/issue%2312%20%C3%BC"


def test_plain_object_headers() -> None:
    headers = {
        "Content-Length": "5",
        "Etag": "5d41402abc4b2a76b9719d911017c592",
        "Content-Type": "text/plain",
        "X-Timestamp": "1795429991.00654",
        "X-Object-Meta-Owner": "ana",
        "X-Object-Meta-Cn-Sha256": "abc",
    }
    info = _swift.blob_info("openstack", "c", "k", headers)
    assert (info.size, info.etag, info.checksums) == (5, headers["Etag"], {"md5": headers["Etag"]})
    assert dict(info.metadata) == {"owner": "ana", "cn-sha256": "abc"}
    assert info.modified is not None and info.modified.tzinfo is not None


def test_large_objects_report_no_md5() -> None:
    headers = {
        "Content-Length": "5",
        "Etag": '"369b09a55997a50fd8b0f67feaae47cd"',
        "X-Static-Large-Object": "True",
    }
    info = _swift.blob_info("openstack", "c", "k", headers)
    assert (info.etag, info.checksums) == ("369b09a55997a50fd8b0f67feaae47cd", {})
    listed = _swift.listed_info(
        "openstack",
        "c",
        {
            "name": "k",
            "bytes": 5,
            "hash": "4486d110",
            "slo_etag": '"369b09a5"',
            "last_modified": "2026-11-23T10:33:11",
        },
    )
    assert (listed.etag, listed.checksums, listed.size) == ("369b09a5", {}, 5)
    assert listed.modified is not None and listed.modified.tzinfo is not None


def test_ranged_answers_report_the_whole_size() -> None:
    assert _swift.ranged_size({"Content-Range": "bytes 6-10/11", "Content-Length": "5"}) == 11


def test_segment_names_and_upload_ids() -> None:
    upload = _slo.new_upload_id("tx07c207d33cbd46649cd50-006b041666", "unused")
    assert upload == _slo.new_upload_id("tx07c207d33cbd46649cd50-006b041666", "other")  # replays agree
    assert upload.startswith("cn") and len(upload) == 22
    assert _slo.parse_segment(f"a/b c/{upload}/00000003") == ("a/b c", upload, 3)
    assert _slo.parse_segment(f"dir//{upload}/00000000") == ("dir/", upload, 0)
    # python-swiftclient's own segments (OBJECT/TIMESTAMP/SIZE/SEGSIZE/N) are not ours
    assert _slo.parse_segment("big.iso/1700000000.123/1048576/65536/00000000") is None
    assert _slo.parse_segment("plain") is None



def _answer(status: int, body: bytes) -> Any:
    import requests

    response = requests.Response()
    response.status_code, response._content = status, body
    response.headers["Content-Type"] = "application/json"
    url = "https://nova.example/v2/1/servers/s1/os-volume_attachments"
    response.request = requests.Request("GET", url).prepare()
    return response


class _Compute:
    """A compute proxy answering ``os-volume_attachments`` with one canned answer."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.asked: list[str] = []

    def get(self, path: str) -> Any:
        self.asked.append(path)
        return self.answer


def _rackspace_servers(compute: _Compute) -> Any:
    from types import SimpleNamespace

    from cloudneutral_openstack import rackspace
    from cloudneutral_openstack.servers import NovaServerDriver

    return NovaServerDriver(SimpleNamespace(profile=rackspace.PROFILE, compute=compute), "rackspace")  # type: ignore[arg-type]


def test_rackspace_server_volumes_come_from_os_volume_attachments() -> None:
    attached = {"device": "/dev/xvdb", "serverId": "s1", "id": "v1", "volumeId": "v1"}
    compute = _Compute(_answer(200, json.dumps({"volumeAttachments": [attached]}).encode()))
    assert _rackspace_servers(compute)._volumes_of("s1") == ("v1",)
    assert compute.asked == ["/servers/s1/os-volume_attachments"]
    missing = {"itemNotFound": {"message": "Instance could not be found", "code": 404}}
    gone = _Compute(_answer(404, json.dumps(missing).encode()))
    assert _rackspace_servers(gone)._volumes_of("s1") == ()  # a listed server deleted since has none
