"""Keys are data, never paths: under a root, no key can write outside it, and every key
round-trips exactly; listings follow S3's UTF-8 byte order."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

import cloudneutral
from cloudneutral import BlobInfo
from cloudneutral.driver import WriteOptions

HOSTILE = [
    "../escape",
    "../../../../../../../../tmp/escape",
    "/etc/passwd",
    "a/../../b",
    "./.",
    "..",
    "~/x",
    "nul\\..\\win",
    "x" * 300,  # longer than any file name
]

AWKWARD = [
    "a//b",
    "trailing/",
    " spaced out ",
    "ünïcödé/日本語/😀",
    "é" * 512,  # 1024 bytes of UTF-8, the longest key
    "%2F..%2F",
    "CASE",
    "case",
]


def files_under(path: Path) -> set[Path]:
    return {Path(d) / f for d, _, names in os.walk(path) for f in names}


def test_hostile_keys_stay_inside_the_root(tmp_path: Path) -> None:
    root = tmp_path / "deep" / "root"
    cloud = cloudneutral.connect(f"local://?root={root}")
    cloud.blobs.create_bucket("bkt")
    driver = cloud.driver.blobs
    assert driver is not None
    before = files_under(tmp_path)
    for key in HOSTILE:  # straight to the driver: the portable layer would refuse most
        data = key.encode()
        driver.put_blob(
            "bkt", key, data, WriteOptions(content_type="text/plain"), hashlib.md5(data).hexdigest()
        )
    written = files_under(tmp_path) - before
    assert written and all(root in p.parents for p in written)
    assert not (tmp_path / "escape").exists() and not (tmp_path / "deep" / "escape").exists()
    for key in HOSTILE:
        _, chunks = driver.read_blob("bkt", key, 0, None)
        assert b"".join(chunks) == key.encode()
    listed = driver.list_blobs("bkt", "", None, 1000, None).items
    assert sorted(i.key for i in listed if isinstance(i, BlobInfo)) == sorted(HOSTILE)


def test_a_hostile_bucket_name_is_refused_by_the_driver(root: Path) -> None:
    driver = cloudneutral.connect(f"local://?root={root}").driver.blobs
    assert driver is not None
    for name in ("../up", "a/b", "..", "/abs"):
        with pytest.raises(cloudneutral.InvalidArgument):
            driver.create_bucket(name)
    assert not (root / "blobs").exists() or list((root / "blobs").iterdir()) == []


def test_awkward_keys_round_trip_exactly(cloud: cloudneutral.Cloud) -> None:
    cloud.blobs.create_bucket("bkt")
    bucket = cloud.blobs.bucket("bkt")
    for key in AWKWARD:
        bucket.put(key, key.encode("utf-8"))
    listed = [i.key for i in bucket.list() if isinstance(i, BlobInfo)]
    assert listed == sorted(AWKWARD, key=lambda k: k.encode("utf-8"))
    for key in AWKWARD:
        assert bucket.get(key) == key.encode("utf-8")
        assert bucket.head(key).key == key
    assert bucket.exists("CASE") and bucket.exists("case")  # even on case-folding file systems


def test_listing_is_in_utf8_byte_order_not_code_point_order(cloud: cloudneutral.Cloud) -> None:
    cloud.blobs.create_bucket("bkt")
    bucket = cloud.blobs.bucket("bkt")
    keys = ["\uff61", "\U0001f600", "z", "A", "\u00e9"]  # U+FF61 < U+1F600 but not in UTF-8
    for key in keys:
        bucket.put(key, b"")
    assert list(bucket.keys()) == ["A", "z", "\u00e9", "\uff61", "\U0001f600"]


def test_page_tokens_resume_after_a_rolled_up_prefix_and_its_lookalike_key(cloud: cloudneutral.Cloud) -> None:
    cloud.blobs.create_bucket("bkt")
    bucket = cloud.blobs.bucket("bkt")
    for key in ("d/", "d/x", "d/y/1", "d/y/2", "d/z", "e"):
        bucket.put(key, b"")
    pages = list(bucket.pages("d/", delimiter="/", page_size=1))
    items = [i for p in pages for i in p.items]
    assert [(type(i).__name__, i.key if isinstance(i, BlobInfo) else i.prefix) for i in items] == [
        ("BlobInfo", "d/"),  # the key "d/" itself: nothing follows the prefix, so no roll-up
        ("BlobInfo", "d/x"),
        ("BlobPrefix", "d/y/"),
        ("BlobInfo", "d/z"),
    ]
    assert len(pages) == 4 and pages[-1].next_token is None


def test_a_foreign_page_token_is_an_invalid_argument(cloud: cloudneutral.Cloud) -> None:
    cloud.blobs.create_bucket("bkt")
    driver = cloud.driver.blobs
    assert driver is not None
    with pytest.raises(cloudneutral.InvalidArgument, match="page token"):
        driver.list_blobs("bkt", "", None, 10, "garbage")
