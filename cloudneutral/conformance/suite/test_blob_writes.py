"""Blob writes beyond the basics: writes in parts keep every attribute, aborted writes leave
nothing behind, uploads resumed from another connection, the checksum of record, empty
blobs with metadata, modified times, and concurrent writers and readers of one key."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from cloudneutral import BlobInfo, Capability, NotFound
from cloudneutral.conformance.env import Env
from cloudneutral.conformance.injection import SpyDriver, rewrap
from cloudneutral.conformance.marks import area, requires

from .test_blobs import chunked, payload

AREA = area("blobs", Capability.BLOBS)


def _keys(cn: Env, bucket_name: str) -> list[str]:
    return [i.key for i in cn.cloud.blobs.bucket(bucket_name).list() if isinstance(i, BlobInfo)]


@AREA
@requires(Capability.BLOB_MULTIPART)
class TestWritesInParts:
    @requires(Capability.BLOB_CONTENT_TYPE, Capability.BLOB_METADATA)
    def test_parts_keep_content_type_and_metadata(self, cn: Env) -> None:
        bucket = cn.bucket()
        data = payload(cn.harness.large_blob_size, seed=21)
        meta = {"owner": "alice", "stage": "raw"}
        info = bucket.put(
            "large.csv",
            chunked(data, 50_000),
            content_type="text/csv",
            metadata=meta,
            part_size=cn.harness.part_size,
        )
        assert (info.content_type, dict(info.metadata)) == ("text/csv", meta)
        head = bucket.head("large.csv")
        assert (head.size, head.content_type, dict(head.metadata)) == (len(data), "text/csv", meta)
        with bucket.open("large.csv") as reader:
            assert (reader.info.content_type, dict(reader.info.metadata)) == ("text/csv", meta)
            assert reader.read() == data

    @requires(Capability.BLOB_RANGE)
    def test_range_of_a_blob_written_in_parts(self, cn: Env) -> None:
        bucket = cn.bucket()
        part = cn.harness.part_size
        data = payload(cn.harness.large_blob_size, seed=22)
        bucket.put("large", data, part_size=part)
        across = (part - 10, part + 10)  # a range across the first part boundary
        assert bucket.get_range("large", *across) == data[across[0] : across[1]]
        with bucket.open("large", part + 1) as reader:
            assert reader.info.size == len(data)
            assert reader.read() == data[part + 1 :]

    def test_failed_write_in_parts_leaves_nothing(self, cn: Env) -> None:
        bucket = cn.bucket()
        part = cn.harness.part_size
        spy = SpyDriver(cn.cloud.driver)
        spied = rewrap(cn.cloud, spy).blobs.bucket(bucket.name)

        def broken() -> Iterator[bytes]:
            yield payload(part, seed=23)
            yield payload(part, seed=24)
            raise OSError("source went away")

        with pytest.raises(OSError, match="went away"):
            spied.put("never", broken(), part_size=part)
        assert len(spy.uploads) == 1, spy.calls
        assert "never" not in _keys(cn, bucket.name)
        assert not bucket.exists("never")
        with pytest.raises(NotFound):
            bucket.get("never")
        with pytest.raises(NotFound):  # aborted: the upload is gone, not merely unfinished
            bucket.resume_upload("never", spy.uploads[0])
        assert cn.harness.unfinished_uploads(cn.cloud, bucket.name) in (None, [])

    def test_abort_discards_the_upload(self, cn: Env) -> None:
        bucket = cn.bucket()
        bucket.put("kept", b"previous")
        upload = bucket.open_upload("kept")
        upload.put_part(1, payload(cn.harness.part_size, seed=25))
        upload.abort()
        upload.abort()  # idempotent
        assert bucket.get("kept") == b"previous"
        assert _keys(cn, bucket.name) == ["kept"]
        with pytest.raises(NotFound):
            bucket.resume_upload("kept", upload.id)
        assert cn.harness.unfinished_uploads(cn.cloud, bucket.name) in (None, [])

    @requires(Capability.BLOB_CONTENT_TYPE, Capability.BLOB_METADATA)
    def test_parts_out_of_order_resumed_in_another_connection(self, cn: Env) -> None:
        bucket = cn.bucket()
        part = cn.harness.part_size
        pieces = [payload(part, seed=30), payload(part, seed=31), payload(77, seed=32)]
        first = bucket.open_upload("resumed", content_type="text/plain", metadata={"via": "resume"})
        first.put_part(3, pieces[2])
        first.put_part(1, pieces[0])
        unfinished = cn.harness.unfinished_uploads(cn.cloud, bucket.name)
        assert unfinished is None or first.id in unfinished
        assert not bucket.exists("resumed")  # nothing visible before the commit
        other = cn.connect().blobs.bucket(bucket.name)
        second = other.resume_upload(
            "resumed", first.id, content_type="text/plain", metadata={"via": "resume"}
        )
        assert sorted(second.stored_parts()) == [1, 3]
        second.put_part(2, pieces[1])
        info = second.commit()
        data = b"".join(pieces)
        assert info.size == len(data)
        assert bucket.get("resumed") == data
        head = bucket.head("resumed")
        assert (head.content_type, dict(head.metadata)) == ("text/plain", {"via": "resume"})
        assert cn.harness.unfinished_uploads(cn.cloud, bucket.name) in (None, [])


@AREA
@requires(Capability.BLOB_METADATA)
class TestChecksumOfRecord:
    def test_single_put_records_sha256(self, cn: Env) -> None:
        bucket = cn.bucket()
        data = payload(3000, seed=40)
        digest = hashlib.sha256(data).hexdigest()
        info = bucket.put("blob", data, metadata={"keep": "me"}, record_sha256=True)
        assert info.checksums["sha256"] == digest
        head = bucket.head("blob")
        assert head.checksums["sha256"] == digest
        assert dict(head.metadata) == {"keep": "me"}  # the record is not user metadata
        with bucket.open("blob") as reader:
            assert reader.read() == data
            assert reader.verified == "sha256"

    @requires(Capability.BLOB_MULTIPART)
    def test_write_in_parts_records_sha256(self, cn: Env) -> None:
        bucket = cn.bucket()
        data = payload(cn.harness.large_blob_size, seed=41)
        bucket.put("large", chunked(data, 40_000), part_size=cn.harness.part_size, record_sha256=True)
        assert bucket.head("large").checksums["sha256"] == hashlib.sha256(data).hexdigest()

    @requires(Capability.BLOB_COPY)
    def test_record_survives_copy(self, cn: Env) -> None:
        bucket = cn.bucket()
        data = payload(2000, seed=42)
        bucket.put("src", data, record_sha256=True)
        bucket.copy("src", "dst")
        assert bucket.head("dst").checksums["sha256"] == hashlib.sha256(data).hexdigest()
        assert bucket.get("dst") == data


@AREA
class TestBlobVersions:
    @requires(Capability.BLOB_METADATA, Capability.BLOB_CONTENT_TYPE)
    def test_metadata_on_an_empty_blob(self, cn: Env) -> None:
        bucket = cn.bucket()
        bucket.put("empty", b"", content_type="text/plain", metadata={"kind": "marker"})
        bucket.put("empty-stream", iter(()), metadata={"kind": "stream"})
        head = bucket.head("empty")
        assert (head.size, head.content_type, dict(head.metadata)) == (0, "text/plain", {"kind": "marker"})
        assert dict(bucket.head("empty-stream").metadata) == {"kind": "stream"}
        assert bucket.get("empty") == b""

    def test_overwrite_advances_modified_time_and_etag(self, cn: Env) -> None:
        bucket = cn.bucket()
        bucket.put("blob", b"first")
        first = bucket.head("blob")
        if cn.target.mode != "replay" and cn.harness.modified_resolution > 0:
            time.sleep(cn.harness.modified_resolution + 0.1)
        bucket.put("blob", b"second")
        second = bucket.head("blob")
        assert first.modified is not None and second.modified is not None
        assert second.modified > first.modified
        assert second.etag != first.etag
        listed = [i for i in bucket.list() if isinstance(i, BlobInfo)]
        assert [i.size for i in listed] == [6]

    def test_concurrent_writes_and_reads_are_never_torn(self, cn: Env) -> None:
        bucket = cn.bucket()
        # recorded providers keep their cassette small; the others race for longer
        writers, rounds, readers = (3, 2, 3) if cn.harness.recorded else (4, 25, 4)
        versions = [payload(32 * 1024 + 3, seed=50 + n) for n in range(writers)]
        bucket.put("hot", versions[0])

        def write(n: int) -> None:
            for _ in range(rounds):
                bucket.put("hot", versions[n])

        def read(_: int) -> list[bytes]:
            return [bucket.get("hot") for _ in range(rounds + 1)]

        # vcrpy is not thread-safe: recording and replay make the same calls one at a time
        workers = writers + readers if cn.target.mode == "live" else 1
        with ThreadPoolExecutor(max_workers=workers) as pool:
            written = [pool.submit(write, n) for n in range(writers)]
            read_back = [pool.submit(read, n) for n in range(readers)]
            for future in written:
                future.result()
            seen = [data for future in read_back for data in future.result()]
        torn = [len(data) for data in seen if data not in versions]
        assert torn == [], f"{len(torn)} of {len(seen)} reads returned no whole version (sizes {torn[:5]})"
        assert bucket.get("hot") in versions
