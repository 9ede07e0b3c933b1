"""A local root is a boundary: no planted link leads a read, write or delete outside it, and
what crashed writers leave behind comes back."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

import cloudneutral
from cloudneutral import errors
from cloudneutral.cli import main


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    target = tmp_path / "outside"
    target.mkdir()
    (target / "precious.txt").write_text("do not touch")
    return target


@pytest.fixture
def cloud(root: Path) -> cloudneutral.Cloud:
    cloud = cloudneutral.connect(f"local://?root={root}", clock=cloudneutral.FakeClock())
    cloud.blobs.create_bucket("bkt")
    cloud.blobs.bucket("bkt").put("k", b"inside")
    return cloud


def untouched(outside: Path) -> bool:
    return sorted(p.name for p in outside.iterdir()) == ["precious.txt"] and (
        (outside / "precious.txt").read_text() == "do not touch"
    )


def test_a_planted_fan_out_folder_link_is_refused(
    cloud: cloudneutral.Cloud, root: Path, outside: Path
) -> None:
    (folder,) = (root / "blobs" / "bkt" / "objects").iterdir()
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()
    folder.symlink_to(outside)
    bucket = cloud.blobs.bucket("bkt")
    with pytest.raises(errors.ProviderError, match=f"{folder}.*symbolic link"):
        bucket.put("k", b"written through the link?")
    with pytest.raises(errors.ProviderError, match="symbolic link"):
        bucket.get("k")
    with pytest.raises(errors.ProviderError, match="symbolic link"):
        bucket.delete("k")
    assert untouched(outside)


def test_a_planted_bucket_link_is_refused_and_a_forced_delete_stays_inside(
    cloud: cloudneutral.Cloud, root: Path, outside: Path
) -> None:
    cloud.blobs.create_bucket("other")
    bucket_dir = root / "blobs" / "other"
    for sub in ("objects", "uploads"):
        (bucket_dir / sub).rmdir()
    (bucket_dir / "bucket.json").rename(outside / "bucket.json")
    bucket_dir.rmdir()
    bucket_dir.symlink_to(outside)
    with pytest.raises(errors.ProviderError, match="symbolic link"):
        cloud.blobs.bucket("other").put("x", b"y")
    with pytest.raises(errors.ProviderError, match="symbolic link"):
        cloud.blobs.delete_bucket("other", force=True)
    assert sorted(p.name for p in outside.iterdir()) == ["bucket.json", "precious.txt"]


def test_a_planted_lock_file_link_is_refused(cloud: cloudneutral.Cloud, root: Path, outside: Path) -> None:
    lock = root / "locks" / "bucket-bkt.lock"
    lock.unlink(missing_ok=True)
    lock.symlink_to(outside / "precious.txt")
    with pytest.raises(errors.ProviderError, match="symbolic link"):
        cloud.blobs.bucket("bkt").put("k", b"new")
    assert untouched(outside)


def test_a_planted_disks_link_is_refused(root: Path, outside: Path) -> None:
    cloud = cloudneutral.connect(f"local://?root={root}&steps=0")
    cloud.volumes.create("first", 1)  # the root exists now
    disks = root / "disks"
    for image in disks.iterdir():
        image.unlink()
    disks.rmdir()
    disks.symlink_to(outside)
    with pytest.raises(errors.ProviderError, match="symbolic link"):
        cloud.volumes.create("second", 1)
    assert untouched(outside)


def test_a_writer_killed_mid_put_leaves_space_that_gc_reclaims(
    cloud: cloudneutral.Cloud,
    root: Path,
    tmp_path: Path,
    spawn_python: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    started = tmp_path / "started"
    child = spawn_python(
        """
        import pathlib, sys, time, cloudneutral
        bucket = cloudneutral.connect(f"local://?root={sys.argv[1]}", part_size=1 << 20).blobs.bucket("bkt")

        def slow():
            for _ in range(6):
                yield b"p" * (1 << 20)  # six parts of 1 MiB go up, then the writer stalls
            pathlib.Path(sys.argv[2]).touch()
            time.sleep(60)
            yield b"never"

        bucket.put("big", slow())
        """,
        str(root),
        str(started),
    )
    try:
        deadline = time.monotonic() + 60
        while not started.exists():
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the writer never started"
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
    leftovers = list((root / "blobs" / "bkt" / "uploads").iterdir())
    assert len(leftovers) == 1 and sum(f.stat().st_size for f in leftovers[0].iterdir()) >= 5 << 20
    assert cloud.blobs.bucket("bkt").get("k") == b"inside"  # readers never saw it
    code = main(["gc", f"local://?root={root}", "--older-than", "0"])
    out = capsys.readouterr().out
    assert code == 0 and "1 unfinished uploads" in out, out
    assert list((root / "blobs" / "bkt" / "uploads").iterdir()) == []
    assert list(root.rglob(".tmp-*")) == []


def test_opening_a_root_reclaims_old_leftovers_but_not_fresh_ones(root: Path) -> None:
    cloud = cloudneutral.connect(f"local://?root={root}")
    cloud.blobs.create_bucket("bkt")
    upload = cloud.blobs.bucket("bkt").open_upload("k")
    upload.put_part(1, b"x" * 100)  # a writer still at work: fresh
    folder = next((root / "blobs" / "bkt" / "uploads").iterdir())
    (root / "locks" / "reclaimed.stamp").unlink(missing_ok=True)
    cloudneutral.connect(f"local://?root={root}&reclaim_after=3600")
    assert folder.exists()
    old = time.time() - 7200
    os.utime(folder, (old, old))
    (root / "locks" / "reclaimed.stamp").unlink()
    cloudneutral.connect(f"local://?root={root}&reclaim_after=3600")
    assert not folder.exists()


def test_gc_refuses_what_is_not_a_local_root(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gc", "local://"]) == 2
    assert "keeps no crash leftovers" in capsys.readouterr().err
