"""Migrations to and from Azure Blob Storage (Azurite): every byte, content type and
metadata across, large objects in staged blocks, a second run copying nothing, and
``verify`` proving the copy without reading it again."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest

import cloudneutral

MiB = 1024 * 1024


@pytest.fixture
def azure_url(azurite_endpoint: str, connect_url: Any) -> str:
    """An azure:// URL naming a new container of this test's own (Azurite may be shared)."""
    container = "cn-m-" + uuid.uuid4().hex[:12]
    url: str = connect_url(azurite_endpoint)
    return url.replace("azure://?", f"azure://{container}?", 1)


def fill(url: str) -> dict[str, bytes]:
    written: dict[str, bytes] = {}
    with cloudneutral.connect(url) as cloud:
        assert cloud.url.bucket is not None
        cloud.blobs.create_bucket(cloud.url.bucket, exist_ok=True)
        for n in range(20):
            written[f"small/{n:02d}.txt"] = data = os.urandom(n * 97)
            cloud.bucket.put(f"small/{n:02d}.txt", data, content_type="text/plain", metadata={"n": str(n)})
        for n, size in enumerate((3 * MiB + 5, 5 * MiB)):
            written[f"large/{n}.bin"] = data = os.urandom(size)
            cloud.bucket.put(f"large/{n}.bin", data, part_size=MiB, record_sha256=n == 0)
    return written


def attributes(url: str) -> dict[str, tuple[bytes, str | None, dict[str, str]]]:
    with cloudneutral.connect(url) as cloud:
        found = {}
        for key in list(cloud.bucket.keys()):
            info = cloud.bucket.head(key)
            found[key] = (cloud.bucket.get(key), info.content_type, dict(info.metadata))
        return found


def test_local_to_azure_and_back(azure_url: str, tmp_path: Path) -> None:
    src = f"local://photos?root={tmp_path / 'src'}"
    written = fill(src)
    journal = tmp_path / "there.sqlite"
    there = cloudneutral.migrate(src, azure_url, journal=journal, part_size=MiB, concurrency=4)
    assert there.ok, there.as_json()
    assert len(there.copied) == len(written)
    assert "size" not in there.verified  # every byte checked (MD5, part MD5s or SHA-256)
    assert attributes(azure_url) == attributes(src)
    again = cloudneutral.migrate(src, azure_url, journal=journal, part_size=MiB)
    assert again.ok and again.copied == []
    proof = cloudneutral.verify(src, azure_url, journal=journal)
    assert proof.ok, [c for c in proof.checks if c.status != "verified"]

    back = f"local://back?root={tmp_path / 'back'}"
    home = cloudneutral.migrate(azure_url, back, journal=tmp_path / "back.sqlite", part_size=MiB)
    assert home.ok, home.as_json()
    assert attributes(back) == attributes(src)
    # Azure keeps no checksum of a blob committed from blocks: only a SHA-256 of record, or
    # the size, vouches for those reads; the report says which
    assert set(home.verified) <= {"md5", "sha256", "size"}


def test_an_unfinished_migration_to_azure_resumes_its_staged_blocks(azure_url: str, tmp_path: Path) -> None:
    src = f"local://photos?root={tmp_path / 'src'}"
    written = fill(src)
    journal = tmp_path / "journal.sqlite"
    seen = 0

    def stop_after_some_bytes(count: int) -> None:
        nonlocal seen
        seen += count
        if seen > 4 * MiB:
            cancel.set()

    cancel = cloudneutral.transfer.Cancel()
    first = cloudneutral.migrate(
        src,
        azure_url,
        journal=journal,
        part_size=MiB,
        concurrency=2,
        cancel=cancel,
        on_bytes=stop_after_some_bytes,
    )
    assert not first.ok
    second = cloudneutral.migrate(src, azure_url, journal=journal, part_size=MiB, concurrency=2)
    assert second.ok, second.as_json()
    assert {key: data for key, (data, _, _) in attributes(azure_url).items()} == written
