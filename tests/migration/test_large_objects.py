"""Large objects: read as a few long ranges that stream into parallel parts, a source that
changes between those ranges caught, and failures that never starve the memory gate."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

import attrs
import pytest
from faulty import Faulty
from migrating import Fill, MiB, contents

import cloudneutral
from cloudneutral import errors
from cloudneutral.driver import WriteOptions
from cloudneutral.models import BlobInfo, Page


@pytest.mark.parametrize(("read_size", "reads"), [(0, 1), (1, 11), (5 * MiB, 4), (None, 3)])
def test_read_size_sets_how_many_ranged_reads_a_large_object_takes(
    src_url: str, fill: Fill, tmp_path: Path, read_size: int | None, reads: int
) -> None:
    written = fill(small=0, large=(20 * MiB + 7,))  # 11 parts of 2 MiB (the source's layout)
    faulty = Faulty(cloudneutral.connect(src_url).driver)
    source = cloudneutral.Cloud.from_driver(faulty).blobs.bucket("photos")
    dst = f"local://backup?root={tmp_path / 'dst'}"
    report = cloudneutral.migrate(source, dst, part_size=MiB, concurrency=4, read_size=read_size)
    assert report.ok and report.verified == {"md5-parts": 1}  # the source's part MD5s, checked
    assert contents(dst) == written
    assert faulty.count("blobs.read_blob") == reads  # 5 MiB rounds up to 3 parts: 6 MiB reads


@pytest.mark.parametrize(
    ("option", "value"),
    [("concurrency", 0), ("part_size", 0), ("read_size", -1), ("read_size", "8MiB"), ("part_size", True)],
)
def test_bad_settings_are_invalid_arguments(src_url: str, tmp_path: Path, option: str, value: object) -> None:
    with pytest.raises(errors.InvalidArgument, match=option):
        cloudneutral.migrate(src_url, f"local://backup?root={tmp_path / 'dst'}", **{option: value})  # type: ignore[arg-type]


@attrs.define
class Blind:
    """A source driver whose provider vouches for no checksum (only sizes and ETags), and
    that replaces the blob at ``replace_on`` (the n-th read) just before answering it."""

    inner: Any
    replace_on: int = 0
    replacement: bytes = b""
    reads: int = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    @staticmethod
    def _blind(item: Any) -> Any:
        if not isinstance(item, BlobInfo):
            return item
        metadata = {k: v for k, v in item.metadata.items() if not k.startswith("cn-")}
        return attrs.evolve(item, checksums={}, metadata=metadata)

    def head_blob(self, bucket: str, key: str) -> BlobInfo:
        return self._blind(self.inner.head_blob(bucket, key))  # type: ignore[no-any-return]

    def list_blobs(self, *args: Any) -> Page[Any]:
        page = self.inner.list_blobs(*args)
        return Page(tuple(self._blind(i) for i in page.items), page.next_token)

    def part_sizes(self, bucket: str, key: str, info: BlobInfo) -> None:
        return None

    def read_blob(self, bucket: str, key: str, offset: int, length: int | None) -> Any:
        self.reads += 1
        if self.reads == self.replace_on:
            self.inner.put_blob(
                bucket,
                key,
                self.replacement,
                WriteOptions("application/octet-stream"),
                _md5(self.replacement),
            )
        info, stream = self.inner.read_blob(bucket, key, offset, length)
        return self._blind(info), stream


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def test_a_source_replaced_between_ranges_is_never_stored(src_url: str, fill: Fill, tmp_path: Path) -> None:
    """Without checksums only the ETag tells that the second range came from another
    version: the object fails (tried again, then "changed since it was planned"), nothing
    mixed is stored, and a new plan copies the new version."""
    fill(small=0, large=(12 * MiB,))
    inner = cloudneutral.connect(src_url).driver
    replacement = bytes(range(256)) * (12 * MiB // 256)
    blind = Blind(inner.blobs, replace_on=2, replacement=replacement)
    source = cloudneutral.Cloud.from_driver(_Provider(inner, blind)).blobs.bucket("photos")
    dst = f"local://backup?root={tmp_path / 'dst'}"
    journal = tmp_path / "journal.sqlite"
    first = cloudneutral.migrate(source, dst, journal=journal, part_size=MiB, concurrency=2)
    assert [o.key for o in first.failed] == ["large/0.bin"]
    assert isinstance(first.failed[0].error, errors.IntegrityError)
    assert "changed" in str(first.failed[0].error)
    assert contents(dst) == {}
    second = cloudneutral.migrate(source, dst, journal=journal, part_size=MiB, concurrency=2)
    assert second.ok and contents(dst) == {"large/0.bin": replacement}


@attrs.define
class _Provider:
    """A ProviderDriver forwarding to ``inner``, with other ``blobs``."""

    inner: Any
    blobs: Any

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_an_object_that_failed_with_parts_in_flight_gives_their_memory_back(
    src_url: str, fill: Fill, tmp_path: Path
) -> None:
    """A failed attempt leaves a part waiting; its place at the memory gate must come back,
    or the retry (and every object after it) runs with fewer parts in flight. The target
    holds each confirmed part until a second one is in flight too."""
    written = fill(small=0, large=(4 * MiB,))  # two parts of 2 MiB (the source's), one range
    source_driver = Faulty(cloudneutral.connect(src_url).driver)
    source_driver.faults["blobs.read_blob"] = [errors.IntegrityError("damaged on the way")]
    source = cloudneutral.Cloud.from_driver(source_driver).blobs.bucket("photos")
    target_driver = Faulty(cloudneutral.connect(f"local://?root={tmp_path / 'dst'}").driver)
    together = threading.Barrier(2, timeout=10)

    def held(receipt: Any) -> Any:
        together.wait()  # BrokenBarrierError unless two parts are in flight at once
        return receipt

    target_driver.faults["upload.put_part"] = [held, held]
    target = cloudneutral.Cloud.from_driver(target_driver).blobs
    target.create_bucket("backup")
    report = cloudneutral.migrate(source, target.bucket("backup"), part_size=MiB, concurrency=2)
    assert report.ok, report.as_json()
    assert source_driver.count("blobs.read_blob") == 2  # the failed first attempt, then one range
    assert contents(f"local://backup?root={tmp_path / 'dst'}") == written
