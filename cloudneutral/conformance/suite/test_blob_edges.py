"""Blob edges: what a ranged read reports, copies over existing blobs, odd keys through
copy and range, and conditional deletes."""

from __future__ import annotations

import pytest

from cloudneutral import BlobInfo, BucketHandle, Capability, Conflict, InvalidArgument
from cloudneutral.conformance.env import Env
from cloudneutral.conformance.marks import area, requires

from .test_blobs import payload

AREA = area("blobs", Capability.BLOBS)

#: Keys that HTTP stacks and SDKs are tempted to encode, decode or split.
ODD_KEYS = {
    "backslashes": "dir\\sub\\file.txt",
    "printable-ascii": "".join(chr(c) for c in range(0x20, 0x7F)),
    "spaces": "with  two spaces/and one.txt",
    "percent-20": "a%20b/literal %2520",
    "plus-and-query": "a+b?c=d&e#f",
}


def _keys(bucket: BucketHandle) -> list[str]:
    return sorted(i.key for i in bucket.list() if isinstance(i, BlobInfo))


@AREA
@requires(Capability.BLOB_RANGE)
class TestRangedReads:
    @pytest.mark.parametrize(
        ("start", "end"),
        [(0, 10), (10, 20), (90, None), (95, 500)],
        ids=["head", "middle", "tail", "past-end"],
    )
    def test_ranged_read_reports_the_whole_size(self, cn: Env, start: int, end: int | None) -> None:
        bucket = cn.bucket()
        data = payload(100, seed=60)
        bucket.put("blob", data)
        with bucket.open("blob", start, end) as reader:
            assert reader.info.size == 100, "BlobInfo.size of a ranged read is the whole blob's size"
            assert reader.read() == data[start:end]


@AREA
@requires(Capability.BLOB_COPY)
class TestCopies:
    @requires(Capability.BLOB_METADATA, Capability.BLOB_CONTENT_TYPE)
    def test_copy_over_existing_replaces_every_attribute(self, cn: Env) -> None:
        bucket = cn.bucket()
        bucket.put(
            "dst", b"old content, longer", content_type="text/html", metadata={"old": "1", "both": "x"}
        )
        bucket.put("src", b"new", content_type="text/csv", metadata={"new": "2", "both": "y"})
        info = bucket.copy("src", "dst")
        assert info.size == 3
        head = bucket.head("dst")
        assert (head.size, head.content_type, dict(head.metadata)) == (
            3,
            "text/csv",
            {"new": "2", "both": "y"},
        )
        assert bucket.get("dst") == b"new"

    def test_copy_over_existing_replaces_content(self, cn: Env) -> None:
        bucket = cn.bucket()
        bucket.put("dst", payload(500, seed=61))
        bucket.put("src", payload(40, seed=62))
        bucket.copy("src", "dst")
        assert bucket.get("dst") == payload(40, seed=62)
        assert bucket.head("dst").size == 40

    @pytest.mark.parametrize("key", list(ODD_KEYS.values()), ids=list(ODD_KEYS))
    def test_odd_keys_through_copy_and_range(self, cn: Env, key: str) -> None:
        """A key is stored exactly as given, or refused (``InvalidArgument``): never
        turned into another key (Azure, for one, stores a backslash as a slash)."""
        bucket = cn.bucket()
        data = payload(64, seed=63)
        try:
            bucket.put(key, data)
        except InvalidArgument:
            assert _keys(bucket) == [], "a refused key left something behind"
            pytest.skip(f"{cn.cloud.provider} refuses the key {key!r} (InvalidArgument)")
        target = key + " (copy)"
        info = bucket.copy(key, target)
        assert info.key == target
        assert bucket.get(target) == data
        assert _keys(bucket) == sorted([key, target])
        if Capability.BLOB_RANGE in cn.cloud.capabilities:
            assert bucket.get_range(key, 5, 9) == data[5:9]
            assert bucket.get_range(target, 60) == data[60:]


@AREA
@requires(Capability.BLOB_IF_MATCH)
class TestConditionalDelete:
    def test_delete_if_match(self, cn: Env) -> None:
        bucket = cn.bucket()
        old = bucket.put("blob", b"one")
        new = bucket.put("blob", b"two")
        assert old.etag and new.etag and old.etag != new.etag
        with pytest.raises(Conflict):
            bucket.delete("blob", if_match=old.etag)
        assert bucket.get("blob") == b"two"
        bucket.delete("blob", if_match=new.etag)
        assert not bucket.exists("blob")
