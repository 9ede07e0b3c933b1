"""Fixtures of the migration tests: two local roots, a populated source, a private cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from migrating import Fill, MiB

import cloudneutral


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Default journals go to this test's own cache folder."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache


@pytest.fixture
def src_url(tmp_path: Path) -> str:
    return f"local://photos?root={tmp_path / 'src'}"


@pytest.fixture
def dst_url(tmp_path: Path) -> str:
    return f"local://backup/2024/?root={tmp_path / 'dst'}"


@pytest.fixture
def fill(src_url: str) -> Fill:
    """Write ``small`` small blobs and the given large ones into the source; return key -> bytes."""

    def fill(small: int = 5, large: tuple[int, ...] = (), seed: int = 0) -> dict[str, bytes]:
        import random

        rng = random.Random(seed)
        written: dict[str, bytes] = {}
        with cloudneutral.connect(src_url) as cloud:
            cloud.blobs.create_bucket("photos", exist_ok=True)
            bucket = cloud.blobs.bucket("photos")
            for n in range(small):
                data = rng.randbytes(rng.randint(0, 4000))
                bucket.put(f"small/{n:03d}.jpg", data, content_type="image/jpeg", metadata={"n": str(n)})
                written[f"small/{n:03d}.jpg"] = data
            for n, size in enumerate(large):
                data = os.urandom(size)
                bucket.put(f"large/{n}.bin", data, part_size=2 * MiB)
                written[f"large/{n}.bin"] = data
        return written

    return fill
