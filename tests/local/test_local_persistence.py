"""Where local data lives: per connection in memory, shared by name, or under a root
directory that outlives the connection and the process."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

import cloudneutral
from cloudneutral import BlobInfo, errors


def test_each_memory_connection_has_its_own_store() -> None:
    first, second = cloudneutral.connect("local://"), cloudneutral.connect("local://")
    first.blobs.create_bucket("mine")
    assert not second.blobs.bucket_exists("mine")
    second.blobs.create_bucket("mine")  # no clash: another store


def test_connections_naming_the_same_store_share_it() -> None:
    name = f"shared-{uuid.uuid4().hex}"
    writer = cloudneutral.connect(f"local://?name={name}")
    reader = cloudneutral.connect(f"local://?name={name}&steps=0")
    writer.blobs.create_bucket("photos")
    writer.blobs.bucket("photos").put("a.txt", b"from the writer")
    server = writer.servers.create("web", os="ubuntu", min_vcpus=1, wait=False)
    assert reader.blobs.bucket("photos").get("a.txt") == b"from the writer"
    assert reader.servers.get(server.id).name == "web"
    other = cloudneutral.connect(f"local://?name={name}-other")
    assert not other.blobs.bucket_exists("photos")


def test_a_root_outlives_the_connection(root: Path) -> None:
    with cloudneutral.connect(f"local://?root={root}&steps=0") as first:
        first.blobs.create_bucket("photos")
        first.blobs.bucket("photos").put("k", b"kept", metadata={"owner": "ana"}, content_type="text/plain")
        server = first.servers.create("web", os="debian", min_vcpus=2, tags={"team": "a"})
        volume = first.volumes.create("data", 1)
    with cloudneutral.connect(f"local://photos?root={root}&steps=0") as second:
        info = second.bucket.head("k")
        assert (info.content_type, dict(info.metadata)) == ("text/plain", {"owner": "ana"})
        assert second.bucket.get("k") == b"kept"
        again = second.servers.get(server.id)
        assert (again.state, again.size, dict(again.tags)) == (
            cloudneutral.ServerState.RUNNING,
            "local.medium",
            {"team": "a"},
        )
        assert second.volumes.get(volume.id).state is cloudneutral.VolumeState.AVAILABLE


def test_a_root_is_shared_with_another_process(root: Path, run_python: Any) -> None:
    run_python(
        """
        import sys, cloudneutral
        from cloudneutral.local import LocalVolumeData
        cloud = cloudneutral.connect(f"local://?root={sys.argv[1]}&steps=0")
        cloud.blobs.create_bucket("shared")
        cloud.blobs.bucket("shared").put("from/child", b"child bytes" * 1000)
        server = cloud.servers.create("child", os="ubuntu", min_vcpus=1)
        volume = cloud.volumes.create("disk", 2)
        volume.as_native(LocalVolumeData).write(5 * 2**30 // 4, b"written by the child")
        print(server.id, volume.id)
        """,
        str(root),
    )
    with cloudneutral.connect(f"local://?root={root}") as cloud:
        assert cloud.blobs.bucket("shared").get("from/child") == b"child bytes" * 1000
        (server,) = cloud.servers.list()
        assert server.name == "child"
        (volume,) = cloud.volumes.list()
        data = cloud.driver.volume_data(volume.id)  # type: ignore[attr-defined]
        assert data.read(5 * 2**30 // 4, 20) == b"written by the child"


def test_the_process_reading_sees_what_another_writes_afterwards(root: Path, run_python: Any) -> None:
    cloud = cloudneutral.connect(f"local://?root={root}")
    cloud.blobs.create_bucket("bkt")
    bucket = cloud.blobs.bucket("bkt")
    bucket.put("k", b"one")
    assert [i.size for i in bucket.list() if isinstance(i, BlobInfo)] == [3]  # the listing cache is warm now
    run_python(
        """
        import sys, cloudneutral
        bucket = cloudneutral.connect(f"local://?root={sys.argv[1]}").blobs.bucket("bkt")
        bucket.put("k", b"three")
        bucket.put("new", b"")
        """,
        str(root),
    )
    assert [(i.key, i.size) for i in bucket.list() if isinstance(i, BlobInfo)] == [("k", 5), ("new", 0)]
    assert bucket.get("k") == b"three"


def test_a_non_empty_foreign_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "holiday.jpg").write_bytes(b"precious")
    with pytest.raises(errors.ConfigurationError, match="not empty"):
        cloudneutral.connect(f"local://?root={tmp_path}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["holiday.jpg"]


def test_a_file_as_root_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_bytes(b"")
    with pytest.raises(errors.ConfigurationError, match="not a directory"):
        cloudneutral.connect(f"local://?root={target}")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?colour=blue", "unknown local option"),
        ("?root=/tmp/x&name=y", "not both"),
        ("?steps=-1", "whole number"),
        ("?max_servers=many", "whole number"),
        ("?name=", "may not be empty"),
        ("?root=/tmp/x&durable=perhaps", "durable"),
    ],
)
def test_bad_options_are_configuration_errors(query: str, message: str) -> None:
    with pytest.raises(errors.ConfigurationError, match=message):
        cloudneutral.connect(f"local://{query}")


def test_the_bucket_in_the_url_is_not_created(root: Path) -> None:
    with cloudneutral.connect(f"local://photos?root={root}") as cloud:
        with pytest.raises(errors.NotFound):
            cloud.bucket.put("k", b"x")
        with pytest.raises(errors.NotFound, match="no local store"):  # nor the root: reads create nothing
            cloud.blobs.list_buckets()
        assert not root.exists()


@pytest.mark.parametrize(
    ("query", "synced"), [("", True), ("&durable=true", True), ("&durable=false", False)]
)
def test_blobs_are_fsynced_unless_durable_is_false(
    root: Path, monkeypatch: pytest.MonkeyPatch, query: str, synced: bool
) -> None:
    import os

    with cloudneutral.connect(f"local://?root={root}{query}") as cloud:
        cloud.blobs.create_bucket("photos")
        bucket = cloud.blobs.bucket("photos")
        calls: list[int] = []
        real_fsync = os.fsync
        monkeypatch.setattr(os, "fsync", lambda fd: calls.append(fd) or real_fsync(fd))
        bucket.put("small", b"x" * 100)
        bucket.put("large", os.urandom(3 * 1024 * 1024), part_size=1024 * 1024)
        monkeypatch.undo()
        assert bool(calls) is synced
        assert bucket.get("small") == b"x" * 100 and bucket.head("large").size == 3 * 1024 * 1024
