"""Volume and snapshot bytes say where they may hold data (``extents()``), on both backends."""

from __future__ import annotations

import itertools

import cloudneutral
from cloudneutral.local import LocalSnapshotData, LocalVolumeData

MiB = 1024 * 1024


def test_extents_cover_what_was_written_and_the_rest_reads_zero(cloud: cloudneutral.Cloud) -> None:
    volume = cloud.volumes.create("data", 1)
    disk = volume.as_native(LocalVolumeData)
    assert disk.extents() == []
    disk.write(10, b"head")
    disk.write(500 * MiB, b"x" * (3 * MiB))
    extents = disk.extents()
    assert extents == sorted(extents) and all(a < b for a, b in extents)
    assert all(b <= c for (_, b), (c, _) in itertools.pairwise(extents))  # apart, in order
    assert sum(b - a for a, b in extents) < 16 * MiB  # holes are not data
    snapshot = cloud.volumes.snapshot(volume, "snap").as_native(LocalSnapshotData)
    for ranges in (extents, snapshot.extents()):
        for start, length in ((10, 4), (500 * MiB, 3 * MiB)):
            assert any(a <= start and start + length <= b for a, b in ranges)
