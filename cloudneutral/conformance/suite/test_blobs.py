"""Blobs: writing (bytes, files, iterators, multipart), reading (whole, stream, ranges),
attributes and metadata, copy, delete, keys, errors."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
from collections.abc import Iterator

import pytest

from cloudneutral import BlobInfo, Capability, InvalidArgument, NotFound
from cloudneutral.conformance.env import Env
from cloudneutral.conformance.marks import area, requires

AREA = area("blobs", Capability.BLOBS)

DEFAULT_TYPE = "application/octet-stream"


def payload(size: int, seed: int = 7) -> bytes:
    """``size`` deterministic pseudo-random bytes (the same on every run and provider)."""
    return random.Random(seed).randbytes(size)


def chunked(data: bytes, chunk: int) -> Iterator[bytes]:
    """``data`` as a generator of ``chunk``-sized pieces: a source of unknown length."""
    for offset in range(0, len(data), chunk):
        yield data[offset : offset + chunk]


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


@AREA
class TestBlobReadWrite:
    @pytest.mark.parametrize("size", [0, 1, 1000], ids=["empty", "one-byte", "1000-bytes"])
    def test_round_trip(self, cn: Env, size: int) -> None:
        bucket = cn.bucket()
        data = payload(size)
        info = bucket.put("blob", data)
        assert info.size == size
        assert bucket.get("blob") == data
        assert bucket.head("blob").size == size

    def test_put_bytearray_and_memoryview(self, cn: Env) -> None:
        bucket = cn.bucket()
        bucket.put("ba", bytearray(b"abc"))
        bucket.put("mv", memoryview(b"xyz"))
        assert (bucket.get("ba"), bucket.get("mv")) == (b"abc", b"xyz")

    def test_put_unknown_length_iterator(self, cn: Env) -> None:
        bucket = cn.bucket()
        data = payload(10_000)
        info = bucket.put("gen", chunked(data, 333))
        assert info.size == len(data)
        assert bucket.get("gen") == data

    def test_put_empty_iterator(self, cn: Env) -> None:
        bucket = cn.bucket()
        assert bucket.put("nothing", iter(())).size == 0
        assert bucket.get("nothing") == b""

    def test_put_str_is_invalid(self, cn: Env) -> None:
        bucket = cn.bucket()
        with pytest.raises(InvalidArgument):
            bucket.put("text", "not bytes")  # type: ignore[arg-type]
        assert not bucket.exists("text")

    @requires(Capability.BLOB_MULTIPART)
    def test_multipart_from_iterator(self, cn: Env) -> None:
        bucket = cn.bucket()
        data = payload(cn.harness.large_blob_size)
        info = bucket.put("large", chunked(data, 64 * 1024 + 3), part_size=cn.harness.part_size)
        assert info.size == len(data)
        assert info.checksums["sha256"] == hashlib.sha256(data).hexdigest()
        assert bucket.head("large").size == len(data)
        assert md5(bucket.get("large")) == md5(data)

    @requires(Capability.BLOB_MULTIPART)
    def test_multipart_from_file(self, cn: Env) -> None:
        bucket = cn.bucket()
        data = payload(cn.harness.large_blob_size, seed=8)
        info = bucket.put("large", io.BytesIO(data), part_size=cn.harness.part_size)
        assert info.size == len(data)
        with bucket.open("large") as reader:
            assert md5(b"".join(reader.chunks())) == md5(data)

    def test_put_from_file_object(self, cn: Env) -> None:
        bucket = cn.bucket()
        data = payload(5000)
        assert bucket.put("file", io.BytesIO(data)).size == 5000
        assert bucket.get("file") == data

    def test_open_small_reads(self, cn: Env) -> None:
        bucket = cn.bucket()
        data = payload(1000)
        bucket.put("blob", data)
        pieces = []
        with bucket.open("blob") as reader:
            assert reader.info.size == 1000
            while piece := reader.read(7):
                assert len(piece) <= 7
                pieces.append(piece)
        assert b"".join(pieces) == data

    def test_download_to_file(self, cn: Env) -> None:
        bucket = cn.bucket()
        data = payload(2048)
        bucket.put("blob", data)
        target = io.BytesIO()
        info = bucket.download("blob", target)
        assert target.getvalue() == data
        assert info.size == 2048

    def test_overwrite_replaces_content_and_metadata(self, cn: Env) -> None:
        bucket = cn.bucket()
        bucket.put("blob", b"first", metadata={"version": "1"}, content_type="text/plain")
        bucket.put("blob", b"second!")
        assert bucket.get("blob") == b"second!"
        head = bucket.head("blob")
        assert head.size == 7
        if Capability.BLOB_METADATA in cn.cloud.capabilities:
            assert dict(head.metadata) == {}
        if Capability.BLOB_CONTENT_TYPE in cn.cloud.capabilities:
            assert head.content_type == DEFAULT_TYPE

    def test_delete(self, cn: Env) -> None:
        bucket = cn.bucket()
        bucket.put("blob", b"x")
        bucket.delete("blob")
        assert not bucket.exists("blob")
        with pytest.raises(NotFound):
            bucket.get("blob")

    def test_delete_missing_is_not_found(self, cn: Env) -> None:
        bucket = cn.bucket()
        with pytest.raises(NotFound):
            bucket.delete("missing")

    def test_delete_missing_ok(self, cn: Env) -> None:
        bucket = cn.bucket()
        bucket.delete("missing", missing_ok=True)
        assert not bucket.exists("missing")

    def test_missing_key_is_not_found(self, cn: Env) -> None:
        bucket = cn.bucket()
        with pytest.raises(NotFound):
            bucket.get("missing")
        with pytest.raises(NotFound):
            bucket.head("missing")
        with pytest.raises(NotFound):
            bucket.open("missing")

    def test_missing_bucket_is_not_found(self, cn: Env) -> None:
        bucket = cn.bucket("missing", create=False)
        with pytest.raises(NotFound):
            bucket.get("key")
        with pytest.raises(NotFound):
            bucket.head("key")
        with pytest.raises(NotFound):
            bucket.put("key", b"data")
        with pytest.raises(NotFound):
            list(bucket.list())

    def test_prefixed_handle_keys_are_relative(self, cn: Env) -> None:
        bucket = cn.bucket()
        nested = cn.cloud.blobs.bucket(bucket.name, "photos/2024/")
        info = nested.put("cat.jpg", b"meow")
        assert info.key == "cat.jpg"
        assert bucket.get("photos/2024/cat.jpg") == b"meow"
        assert [i.key for i in nested.list() if isinstance(i, BlobInfo)] == ["cat.jpg"]


@AREA
@requires(Capability.BLOB_RANGE)
class TestBlobRanges:
    @pytest.mark.parametrize(
        ("start", "end"),
        [(0, 1), (5, 10), (10, None), (95, 200), (0, 100), (99, 100)],
        ids=["first-byte", "middle", "to-end", "past-end", "exact", "last-byte"],
    )
    def test_range(self, cn: Env, start: int, end: int | None) -> None:
        bucket = cn.bucket()
        data = payload(100)
        bucket.put("blob", data)
        assert bucket.get_range("blob", start, end) == data[start:end]

    def test_open_range_streams(self, cn: Env) -> None:
        bucket = cn.bucket()
        data = payload(100)
        bucket.put("blob", data)
        with bucket.open("blob", 10, 60) as reader:
            assert reader.read(5) == data[10:15]
            assert reader.read() == data[15:60]

    @pytest.mark.parametrize("start", [100, 150], ids=["at-end", "past-end"])
    def test_start_out_of_range_is_invalid(self, cn: Env, start: int) -> None:
        bucket = cn.bucket()
        bucket.put("blob", payload(100))
        with pytest.raises(InvalidArgument):
            bucket.get_range("blob", start, start + 10)

    @pytest.mark.parametrize(("start", "end"), [(-1, 5), (10, 5)], ids=["negative", "end-before-start"])
    def test_bad_range_is_invalid(self, cn: Env, start: int, end: int) -> None:
        bucket = cn.bucket()
        bucket.put("blob", payload(100))
        with pytest.raises(InvalidArgument, match="range"):
            bucket.get_range("blob", start, end)

    def test_empty_range(self, cn: Env) -> None:
        bucket = cn.bucket()
        bucket.put("blob", payload(100))
        assert bucket.get_range("blob", 20, 20) == b""

    def test_range_of_missing_is_not_found(self, cn: Env) -> None:
        bucket = cn.bucket()
        with pytest.raises(NotFound):
            bucket.get_range("missing", 0, 10)


@AREA
class TestBlobAttributes:
    def test_head_attributes(self, cn: Env) -> None:
        bucket = cn.bucket()
        before = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)
        bucket.put("blob", b"hello")
        head = bucket.head("blob")
        assert (head.bucket, head.key, head.size) == (bucket.name, "blob", 5)
        assert head.etag
        assert head.modified is not None and head.modified.tzinfo is not None
        if cn.target.mode == "live":
            assert head.modified > before
        assert head.provider == cn.cloud.provider
        assert head.native is not None

    @requires(Capability.BLOB_CONTENT_TYPE)
    def test_default_content_type(self, cn: Env) -> None:
        bucket = cn.bucket()
        bucket.put("blob", b"x")
        assert bucket.head("blob").content_type == DEFAULT_TYPE

    @requires(Capability.BLOB_CONTENT_TYPE)
    def test_content_type_round_trip(self, cn: Env) -> None:
        bucket = cn.bucket()
        info = bucket.put("page.html", b"<p>", content_type="text/html; charset=utf-8")
        assert info.content_type == "text/html; charset=utf-8"
        assert bucket.head("page.html").content_type == "text/html; charset=utf-8"
        with bucket.open("page.html") as reader:
            assert reader.info.content_type == "text/html; charset=utf-8"

    @pytest.mark.parametrize(
        "value", ["plain", "text/\nplain", "tëxt/plain"], ids=["no-slash", "newline", "non-ascii"]
    )
    def test_bad_content_type_is_invalid(self, cn: Env, value: str) -> None:
        bucket = cn.bucket()
        with pytest.raises(InvalidArgument, match="MIME type"):
            bucket.put("blob", b"x", content_type=value)

    @requires(Capability.BLOB_METADATA)
    def test_metadata_round_trip(self, cn: Env) -> None:
        bucket = cn.bucket()
        meta = {"owner": "alice", "version2": "v 1.0", "empty": ""}
        info = bucket.put("blob", b"x", metadata=meta)
        assert dict(info.metadata) == meta
        assert dict(bucket.head("blob").metadata) == meta

    @requires(Capability.BLOB_METADATA)
    def test_metadata_keys_come_back_lower_case(self, cn: Env) -> None:
        bucket = cn.bucket()
        bucket.put("blob", b"x", metadata={"Owner": "Alice", "COLOR": "Blue"})
        assert dict(bucket.head("blob").metadata) == {"owner": "Alice", "color": "Blue"}

    @requires(Capability.BLOB_METADATA)
    def test_metadata_keys_differing_by_case_are_invalid(self, cn: Env) -> None:
        bucket = cn.bucket()
        with pytest.raises(InvalidArgument, match="case"):
            bucket.put("blob", b"x", metadata={"owner": "a", "Owner": "b"})
        assert not bucket.exists("blob")

    @pytest.mark.parametrize(
        "key",
        ["with-hyphen", "under_score", "1digit", "sp ace", "ünï", ""],
        ids=["hyphen", "underscore", "digit-first", "space", "non-ascii", "empty"],
    )
    def test_bad_metadata_key_is_invalid(self, cn: Env, key: str) -> None:
        bucket = cn.bucket()
        with pytest.raises(InvalidArgument, match="metadata key"):
            bucket.put("blob", b"x", metadata={key: "v"})

    @pytest.mark.parametrize("value", ["tab\there", " padded", "ünï"], ids=["control", "padded", "non-ascii"])
    def test_bad_metadata_value_is_invalid(self, cn: Env, value: str) -> None:
        bucket = cn.bucket()
        with pytest.raises(InvalidArgument, match="metadata value"):
            bucket.put("blob", b"x", metadata={"key": value})

    def test_put_reports_md5(self, cn: Env) -> None:
        bucket = cn.bucket()
        data = payload(4096)
        info = bucket.put("blob", data)
        assert info.checksums["md5"] == md5(data)

    def test_reported_md5_matches_content(self, cn: Env) -> None:
        bucket = cn.bucket()
        data = payload(4096, seed=3)
        bucket.put("blob", data)
        reported = bucket.head("blob").checksums.get("md5")
        assert reported in (None, md5(data))
        with bucket.open("blob") as reader:
            assert reader.read() == data
            assert reader.info.checksums.get("md5") in (None, md5(data))

    @requires(Capability.BLOB_COPY)
    def test_copy_same_bucket(self, cn: Env) -> None:
        bucket = cn.bucket()
        bucket.put("src", b"payload", content_type="text/plain", metadata={"tag": "one"})
        info = bucket.copy("src", "dst")
        assert info.key == "dst"
        assert bucket.get("dst") == b"payload"
        assert bucket.get("src") == b"payload"

    @requires(Capability.BLOB_COPY)
    def test_copy_to_other_bucket(self, cn: Env) -> None:
        source, target = cn.bucket("src"), cn.bucket("dst")
        source.put("a/b.txt", b"across")
        info = source.copy("a/b.txt", "c/d.txt", dst_bucket=target.name)
        assert info.bucket == target.name
        assert target.get("c/d.txt") == b"across"

    @requires(Capability.BLOB_COPY, Capability.BLOB_METADATA, Capability.BLOB_CONTENT_TYPE)
    def test_copy_keeps_metadata_and_content_type(self, cn: Env) -> None:
        bucket = cn.bucket()
        bucket.put("src", b"x", content_type="text/csv", metadata={"Source": "import"})
        bucket.copy("src", "dst")
        head = bucket.head("dst")
        assert dict(head.metadata) == {"source": "import"}
        assert head.content_type == "text/csv"

    @requires(Capability.BLOB_COPY)
    def test_copy_missing_is_not_found(self, cn: Env) -> None:
        bucket = cn.bucket()
        with pytest.raises(NotFound):
            bucket.copy("missing", "dst")
        assert not bucket.exists("dst")


WEIRD_KEYS = {
    "space": "with space.txt",
    "unicode": "ünïcødé/日本語/😀.txt",
    "double-dot-inside": "a..b",
    "double-slash": "a//b",
    "percent": "100%/%2F%zz",
    "plus": "a+b c+d",
    "question": "what?x=1&y=2",
    "hash": "issue#12",
    "quotes": 'it\'s "quoted" <tag>',
    "trailing-slash": "dir/",
    "long": ("é" * 511) + "xy",  # 1024 bytes of UTF-8: the portable maximum
}


@AREA
class TestBlobKeys:
    @pytest.mark.parametrize("key", list(WEIRD_KEYS.values()), ids=list(WEIRD_KEYS))
    def test_weird_key_round_trip_and_list(self, cn: Env, key: str) -> None:
        bucket = cn.bucket()
        bucket.put(key, key.encode())
        bucket.put("zzz-neighbour", b"n")
        assert bucket.get(key) == key.encode()
        assert bucket.head(key).key == key
        assert [i.key for i in bucket.list() if isinstance(i, BlobInfo)] == sorted([key, "zzz-neighbour"])
        assert [i.key for i in bucket.list(prefix=key) if isinstance(i, BlobInfo)] == [key]
        bucket.delete(key)
        assert not bucket.exists(key)

    @pytest.mark.parametrize(
        ("key", "rule"),
        [
            ("a/../b", "'..' path segment"),
            ("./x", "'..' path segment"),
            ("x/.", "'..' path segment"),
            ("/leading", "start with '/'"),
            ("é" * 512 + "x", "1024 bytes"),
            ("bell\x07", "control characters"),
            ("new\nline", "control characters"),
            ("", "non-empty"),
        ],
        ids=["dotdot", "dot", "trailing-dot", "leading-slash", "too-long", "bell", "newline", "empty"],
    )
    def test_invalid_key_names_the_rule(self, cn: Env, key: str, rule: str) -> None:
        bucket = cn.bucket()
        with pytest.raises(InvalidArgument, match=rule):
            bucket.put(key, b"x")
        with pytest.raises(InvalidArgument, match=rule):
            bucket.get(key)
        assert list(bucket.list()) == []


@AREA
class TestBlobWriteRules:
    def test_failed_put_leaves_previous_blob(self, cn: Env) -> None:
        bucket = cn.bucket()
        bucket.put("blob", b"original")

        def broken() -> Iterator[bytes]:
            yield b"new data "
            yield "oops"  # type: ignore[misc]

        with pytest.raises(InvalidArgument):
            bucket.put("blob", broken())
        assert bucket.get("blob") == b"original"

    @requires(Capability.BLOB_MULTIPART)
    def test_failed_multipart_leaves_previous_blob(self, cn: Env) -> None:
        bucket = cn.bucket()
        bucket.put("blob", b"original")
        part = cn.harness.part_size

        def broken() -> Iterator[bytes]:
            yield payload(part)
            yield payload(part, seed=2)
            raise OSError("source went away")

        with pytest.raises(OSError, match="went away"):
            bucket.put("blob", broken(), part_size=part)
        assert bucket.get("blob") == b"original"

    @pytest.mark.parametrize("part_size", [0, -1], ids=["zero", "negative"])
    def test_bad_part_size_is_invalid(self, cn: Env, part_size: int) -> None:
        bucket = cn.bucket()
        with pytest.raises(InvalidArgument, match="part_size"):
            bucket.put("blob", b"x", part_size=part_size)
        assert not bucket.exists("blob")
