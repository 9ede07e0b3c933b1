"""Under a root, a blob is replaced whole or not at all: failed and killed writers leave the
previous blob readable and nothing half-written visible."""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import cloudneutral
from cloudneutral import BlobInfo, errors
from cloudneutral.blobs import BucketHandle
from cloudneutral.driver import WriteOptions


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob(".tmp-*")]


@pytest.fixture
def bucket(root: Path) -> Iterator[BucketHandle]:
    with cloudneutral.connect(f"local://?root={root}", part_size=1024) as cloud:
        cloud.blobs.create_bucket("bkt")
        handle = cloud.blobs.bucket("bkt")
        handle.put("k", b"old", metadata={"version": "1"})
        yield handle


def test_a_failing_rename_keeps_the_old_blob_and_no_temporary_file(
    bucket: BucketHandle, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(errors.ProviderError, match="I/O error"):
        bucket.put("k", b"new and longer", metadata={"version": "2"})
    monkeypatch.undo()
    info = bucket.head("k")
    assert (bucket.get("k"), dict(info.metadata), info.size) == (b"old", {"version": "1"}, 3)
    assert temp_files(root) == []


def test_a_full_disk_is_reported_as_quota_and_changes_nothing(
    bucket: BucketHandle, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fsync = os.fsync

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(errors.QuotaExceeded):
        bucket.put("k", b"new")
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert bucket.get("k") == b"old"
    assert temp_files(root) == []


def test_a_source_failing_mid_upload_leaves_no_parts_behind(bucket: BucketHandle, root: Path) -> None:
    def source() -> Iterator[bytes]:
        yield b"x" * 5000  # several parts of 1024 bytes go up first
        raise RuntimeError("source broke")

    with pytest.raises(RuntimeError, match="source broke"):
        bucket.put("k", source())
    assert bucket.get("k") == b"old"
    assert list(root.glob("blobs/bkt/uploads/*")) == []


def test_parts_are_invisible_until_the_upload_commits(bucket: BucketHandle, root: Path) -> None:
    upload = bucket.open_upload("k", content_type="text/plain")
    for n in (1, 2):
        upload.put_part(n, bytes([n]) * 10)
    assert bucket.get("k") == b"old"
    assert list(bucket.keys()) == ["k"]
    info = upload.commit()
    assert bucket.get("k") == b"\x01" * 10 + b"\x02" * 10
    assert info.etag is not None and info.etag.strip('"') != hashlib.md5(bucket.get("k")).hexdigest()
    assert info.checksums["md5-parts"].endswith("-2")
    assert list(root.glob("blobs/bkt/uploads/*")) == []


def test_committing_moves_the_parts_instead_of_copying_them(bucket: BucketHandle, root: Path) -> None:
    upload = bucket.open_upload("k")
    upload.put_part(1, b"a" * 10)
    (part,) = root.glob("blobs/bkt/uploads/*/00001-*.part")
    inode = part.stat().st_ino
    upload.commit()
    (moved,) = root.glob("blobs/bkt/objects/*/*.parts/00001-*.part")
    assert moved.stat().st_ino == inode


def test_a_part_recorded_with_a_wrong_md5_is_caught_when_the_blob_is_read(bucket: BucketHandle) -> None:
    """In-process nothing damages a part on the way, so the local provider records the MD5
    the portable layer computed instead of hashing the bytes again. A caller of the driver
    that lies about it leaves a blob whose part MD5s are wrong: reading it says so."""
    driver = bucket.service._driver  # the driver contract itself, below the portable layer
    upload = driver.open_upload("bkt", "k", WriteOptions(content_type="text/plain"))
    upload.put_part(1, b"aaaa", hashlib.md5(b"bbbb").hexdigest())
    upload.commit({})
    with pytest.raises(errors.IntegrityError, match="part MD5s"):
        bucket.get("k")


def test_an_upload_resumes_in_another_process(bucket: BucketHandle, root: Path, run_python: Any) -> None:
    upload = bucket.open_upload("k", metadata={"stage": "resumed"})
    upload.put_part(1, b"first " * 200)
    run_python(
        """
        import sys, cloudneutral
        bucket = cloudneutral.connect(f"local://?root={sys.argv[1]}").blobs.bucket("bkt")
        upload = bucket.resume_upload("k", sys.argv[2], metadata={"stage": "resumed"})
        assert sorted(upload.stored_parts()) == [1]
        upload.put_part(2, b"second")
        upload.commit()
        """,
        str(root),
        upload.id,
    )
    assert bucket.get("k") == b"first " * 200 + b"second"
    assert dict(bucket.head("k").metadata) == {"stage": "resumed"}


def test_a_writer_killed_mid_write_leaves_the_old_blob(
    bucket: BucketHandle, root: Path, tmp_path: Path, spawn_python: Any
) -> None:
    started = tmp_path / "started"
    child = spawn_python(
        """
        import sys, time, pathlib, cloudneutral
        from cloudneutral.driver import WriteOptions
        provider = cloudneutral.connect(f"local://?root={sys.argv[1]}").driver

        def slow():
            yield b"half" * 300_000
            pathlib.Path(sys.argv[2]).touch()
            time.sleep(60)
            yield b"never"

        provider.backend.blobs.write("bkt", "k", slow(), WriteOptions(content_type="text/plain"))
        """,
        str(root),
        str(started),
    )
    try:
        deadline = time.monotonic() + 30
        while not started.exists():
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the writer never started"
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
    (leftover,) = temp_files(root)  # the half-written file is there on disk ...
    assert leftover.stat().st_size >= 1_200_000
    listed = list(bucket.list())  # ... but no reader can see it
    assert [(i.key, i.size) for i in listed if isinstance(i, BlobInfo)] == [("k", 3)]
    assert bucket.get("k") == b"old"
    bucket.put("k", b"next")  # and the store carries on
    assert bucket.get("k") == b"next"


def test_a_bucket_deleted_while_a_blob_is_written_stays_deleted(bucket: BucketHandle, root: Path) -> None:
    blobs = bucket._driver
    bucket.delete("k")

    def chunks() -> Iterator[bytes]:
        yield b"first"
        blobs.delete_bucket("bkt")  # empty, so it goes
        yield b"second"

    store = blobs._store  # type: ignore[attr-defined]
    with pytest.raises(errors.NotFound, match="no bucket"):
        store.write("bkt", "k", chunks(), cloudneutral.driver.WriteOptions(content_type="text/plain"))
    assert not (root / "blobs" / "bkt").exists()
    assert list((root / "blobs").iterdir()) == []


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to count open files")
def test_a_reader_holds_its_file_only_until_closed(bucket: BucketHandle) -> None:
    def open_files() -> int:
        return len(os.listdir("/proc/self/fd"))

    bucket.put("big", b"z" * (3 * 1024 * 1024), part_size=4 * 1024 * 1024)
    before = open_files()
    reader = bucket.open("big")
    assert reader.read(10) == b"z" * 10
    assert open_files() == before + 1
    reader.close()
    assert open_files() == before
    with bucket.open("big", 5, 10) as ranged:  # a range, read to its end, closes by itself
        assert ranged.read() == b"z" * 5
        assert open_files() == before
    bucket.put("k", b"new")  # a reader open during a replace keeps its own version
    with bucket.open("k") as old_reader:
        bucket.put("k", b"newest")
        assert old_reader.read() == b"new"
