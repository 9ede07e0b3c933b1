"""Local volumes hold real, sparse bytes: snapshots capture them and restores bring them back."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import cloudneutral
from cloudneutral import errors
from cloudneutral.local import LocalProvider, LocalSnapshotData, LocalVolumeData

GIB = 2**30


def test_a_snapshot_restores_the_bytes_as_they_were(cloud: cloudneutral.Cloud) -> None:
    volume = cloud.volumes.create("data", 2)
    disk = volume.as_native(LocalVolumeData)
    assert disk.size == 2 * GIB
    disk.write(0, b"boot sector")
    disk.write(GIB + 123, b"in the second GiB")
    disk.write(2 * GIB - 4, b"end!")

    snap = cloud.volumes.snapshot(volume, "before")
    disk.write(0, b"BOOT SECTOR")  # changes after the snapshot do not reach it
    disk.write(GIB + 123, b"\0" * 17)

    restored = cloud.volumes.restore(snap, "restored").as_native(LocalVolumeData)
    assert restored.read(0, 11) == b"boot sector"
    assert restored.read(GIB + 123, 17) == b"in the second GiB"
    assert restored.read(2 * GIB - 4, 4) == b"end!"
    assert restored.read(GIB // 2, 8) == b"\0" * 8
    assert disk.read(0, 11) == b"BOOT SECTOR"
    assert snap.as_native(LocalSnapshotData).read(0, 4) == b"boot"
    assert not hasattr(snap.as_native(LocalSnapshotData), "write")


def test_a_restore_may_grow_the_volume(cloud: cloudneutral.Cloud) -> None:
    volume = cloud.volumes.create("data", 1)
    volume.as_native(LocalVolumeData).write(GIB - 3, b"end")
    snap = cloud.volumes.snapshot(volume, "snap")
    bigger = cloud.volumes.restore(snap, "bigger", size_gib=3)
    data = bigger.as_native(LocalVolumeData)
    assert (bigger.size_gib, bigger.snapshot_id) == (3, snap.id)
    assert data.read(GIB - 3, 6) == b"end\0\0\0"
    data.write(3 * GIB - 1, b"!")


def test_a_smaller_volume_than_the_snapshot_is_refused(cloud: cloudneutral.Cloud) -> None:
    snap = cloud.volumes.snapshot(cloud.volumes.create("data", 2), "snap")
    with pytest.raises(errors.InvalidArgument, match="smaller"):
        cloud.volumes.create("small", 1, snapshot=snap.id)


def test_a_pending_snapshot_cannot_be_restored_yet(cloud: cloudneutral.Cloud) -> None:
    snap = cloud.volumes.snapshot(cloud.volumes.create("data", 1), "snap", wait=False)
    with pytest.raises(errors.Conflict, match="pending"):
        cloud.volumes.create("copy", 1, snapshot=snap.id)
    cloud.volumes.get_snapshot(snap)  # the one observation of pending
    cloud.volumes.create("copy", 1, snapshot=snap.id)


def test_ranges_outside_the_volume_are_refused(cloud: cloudneutral.Cloud) -> None:
    disk = cloud.volumes.create("data", 1).as_native(LocalVolumeData)
    with pytest.raises(errors.InvalidArgument):
        disk.write(GIB - 1, b"xx")
    with pytest.raises(errors.InvalidArgument):
        disk.read(-1, 1)
    with pytest.raises(errors.InvalidArgument):
        disk.read(GIB, 1)


def test_a_deleted_volume_has_no_bytes(cloud: cloudneutral.Cloud, local: LocalProvider) -> None:
    volume = cloud.volumes.create("data", 1)
    disk = local.volume_data(volume.id)
    disk.write(0, b"x")
    cloud.volumes.delete(volume)
    with pytest.raises(errors.NotFound):
        disk.read(0, 1)
    with pytest.raises(errors.NotFound):
        local.volume_data(volume.id)


def test_volumes_under_a_root_are_sparse_files(root: Path) -> None:
    cloud = cloudneutral.connect(f"local://?root={root}&steps=0")
    volume = cloud.volumes.create("huge", 1024)  # a TiB
    disk = volume.as_native(LocalVolumeData)
    disk.write(512 * GIB, b"x" * 4096)
    snap = cloud.volumes.snapshot(volume, "snap")
    restored = cloud.volumes.restore(snap, "copy")
    for image in (volume.id, snap.id, restored.id):
        st = (root / "disks" / f"{image}.img").stat()
        assert st.st_size == 1024 * GIB
        assert st.st_blocks * 512 < 16 * 2**20  # far less than a TiB actually allocated
    assert restored.as_native(LocalVolumeData).read(512 * GIB, 4096) == b"x" * 4096


def test_volumes_in_memory_keep_only_written_pages() -> None:
    cloud = cloudneutral.connect("local://?steps=0")
    volume = cloud.volumes.create("huge", 16384)  # 16 TiB: must not be allocated
    disk = volume.as_native(LocalVolumeData)
    disk.write(10_000 * GIB, b"needle")
    snap = cloud.volumes.snapshot(volume, "snap")
    assert cloud.volumes.restore(snap, "copy").as_native(LocalVolumeData).read(10_000 * GIB, 6) == b"needle"


def test_snapshots_persist_for_other_processes(root: Path, run_python: Any) -> None:
    with cloudneutral.connect(f"local://?root={root}", clock=cloudneutral.FakeClock()) as cloud:
        volume = cloud.volumes.create("data", 1)
        volume.as_native(LocalVolumeData).write(4096, b"persisted")
        snap = cloud.volumes.snapshot(volume, "snap")
    child = run_python(
        """
        import sys, cloudneutral
        from cloudneutral.local import LocalVolumeData
        cloud = cloudneutral.connect(f"local://?root={sys.argv[1]}", clock=cloudneutral.FakeClock())
        restored = cloud.volumes.restore(sys.argv[2], "restored")
        print(restored.as_native(LocalVolumeData).read(4096, 9).decode())
        """,
        str(root),
        snap.id,
    )
    assert child.stdout.strip() == "persisted"
    assert os.path.exists(root / "disks" / f"{snap.id}.img")


def test_writes_across_page_boundaries_read_back_exactly(cloud: cloudneutral.Cloud) -> None:
    disk = cloud.volumes.create("data", 1).as_native(LocalVolumeData)
    pattern = bytes(range(256)) * 800  # 200 KiB: spans several 64 KiB pages, unaligned
    disk.write(65_536 - 77, pattern)
    disk.write(65_536 - 77 + 1000, b"patch")
    expected = bytearray(b"\0" * 100 + pattern + b"\0" * 100)
    expected[100 + 1000 : 100 + 1005] = b"patch"
    assert disk.read(65_536 - 177, len(pattern) + 200) == bytes(expected)
    assert disk.read(200_000, 1) == expected[200_000 - 65_536 + 177 : 200_000 - 65_536 + 178]
