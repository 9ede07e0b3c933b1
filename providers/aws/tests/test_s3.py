"""The S3 blob driver against a real moto server, through the portable API."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from typing import Any

import pytest

import cloudneutral
from cloudneutral import BlobInfo, BlobPrefix, errors

from .conftest import PART

KEYS = ["plain", "with space", "ünïcödé/ключ", "percent%20sign", "plus+sign", "double//slash", "q?hash#amp&"]


@pytest.fixture
def bucket(cloud: cloudneutral.Cloud) -> cloudneutral.BucketHandle:
    cloud.blobs.create_bucket("adapter")
    return cloud.blobs.bucket("adapter")


def test_bucket_lifecycle_and_errors(cloud: cloudneutral.Cloud) -> None:
    created = cloud.blobs.create_bucket("life")
    assert (created.name, created.region, created.provider) == ("life", "eu-west-1", "aws")
    with pytest.raises(errors.AlreadyExists):
        cloud.blobs.create_bucket("life")
    assert [b.name for b in cloud.blobs.list_buckets()] == ["life"]
    assert cloud.blobs.get_bucket("life").name == "life"
    cloud.blobs.bucket("life").put("x", b"1")
    with pytest.raises(errors.Conflict):
        cloud.blobs.delete_bucket("life")
    cloud.blobs.delete_bucket("life", force=True)
    assert not cloud.blobs.bucket_exists("life")
    with pytest.raises(errors.NotFound):
        cloud.blobs.delete_bucket("life")


@pytest.mark.parametrize("key", KEYS)
def test_awkward_keys_round_trip(bucket: cloudneutral.BucketHandle, key: str) -> None:
    bucket.put(key, key.encode())
    assert bucket.get(key) == key.encode()
    assert bucket.head(key).key == key
    assert [i.key for i in bucket.list() if isinstance(i, BlobInfo)] == [key]
    bucket.delete(key)
    assert not bucket.exists(key)


def test_content_type_metadata_and_md5(bucket: cloudneutral.BucketHandle) -> None:
    info = bucket.put("doc.txt", b"hello", content_type="text/plain", metadata={"Owner": "ana"})
    assert info.checksums == {
        "md5": hashlib.md5(b"hello").hexdigest(),
        "sha256": hashlib.sha256(b"hello").hexdigest(),
    }
    head = bucket.head("doc.txt")
    assert (head.size, head.content_type, dict(head.metadata)) == (5, "text/plain", {"owner": "ana"})
    assert head.checksums["md5"] == head.etag == info.etag


def test_ranges_and_empty_blobs(bucket: cloudneutral.BucketHandle) -> None:
    bucket.put("digits", b"0123456789")
    assert bucket.get_range("digits", 2, 5) == b"234"
    assert bucket.get_range("digits", 7) == b"789"
    assert bucket.get_range("digits", 8, 100) == b"89"
    with bucket.open("digits", 3, 4) as reader:
        assert reader.info.size == 10  # the blob's size, not the range's
    with pytest.raises(errors.InvalidArgument):
        bucket.get_range("digits", 10)
    bucket.put("empty", b"")
    assert bucket.get("empty") == b""
    with pytest.raises(errors.NotFound):
        bucket.get("missing")


def test_closing_an_unread_stream_releases_it(bucket: cloudneutral.BucketHandle) -> None:
    bucket.put("blob", os.urandom(3 * PART))
    for _ in range(40):  # more than the connection pool holds: leaks would block
        bucket.open("blob").close()
    assert bucket.get("blob")


def test_listing_pages_and_prefixes(bucket: cloudneutral.BucketHandle) -> None:
    for key in ["a/1", "a/2", "b/1", "c", "d/x/y"]:
        bucket.put(key, b"")
    pages = list(bucket.pages(page_size=2))
    assert [len(p.items) for p in pages] == [2, 2, 1]
    assert pages[-1].next_token is None
    listed = list(bucket.list(delimiter="/"))
    assert listed == [
        BlobPrefix("adapter", "a/"),
        BlobPrefix("adapter", "b/"),
        listed[2],
        BlobPrefix("adapter", "d/"),
    ]
    assert isinstance(listed[2], BlobInfo) and listed[2].key == "c"
    assert [i.key for i in bucket.list("a/") if isinstance(i, BlobInfo)] == ["a/1", "a/2"]
    with pytest.raises(errors.NotFound):
        list(bucket.service.bucket("nope-bucket").list())


def test_multipart_upload(bucket: cloudneutral.BucketHandle, s3: Any) -> None:
    data = os.urandom(2 * PART + 123)
    info = bucket.put(
        "big", iter([data[:1000], data[1000:]]), content_type="x/y", metadata={"k": "v"}, part_size=PART
    )
    assert info.etag is not None and info.etag.endswith("-3")
    assert info.checksums["sha256"] == hashlib.sha256(data).hexdigest()  # every part confirmed
    assert bucket.head("big").checksums == {"md5-parts": info.etag}  # a multipart ETag is no MD5
    assert bucket.get("big") == data
    assert (bucket.head("big").content_type, dict(bucket.head("big").metadata)) == ("x/y", {"k": "v"})
    assert "Uploads" not in s3.list_multipart_uploads(Bucket="adapter")


def test_failed_multipart_upload_is_aborted(bucket: cloudneutral.BucketHandle, s3: Any) -> None:
    def failing() -> Iterator[bytes]:
        yield os.urandom(PART)
        yield os.urandom(PART)
        yield os.urandom(PART)  # parts 1 and 2 are uploaded by now
        assert len(s3.list_multipart_uploads(Bucket="adapter")["Uploads"]) == 1
        raise OSError("source broke mid-upload")

    with pytest.raises(OSError, match="mid-upload"):
        bucket.put("half", failing(), part_size=PART)
    assert not bucket.exists("half")
    assert s3.list_multipart_uploads(Bucket="adapter").get("Uploads", []) == []


def test_copy_keeps_content_type_and_metadata(
    bucket: cloudneutral.BucketHandle, cloud: cloudneutral.Cloud
) -> None:
    bucket.put("src", b"data", content_type="text/csv", metadata={"a": "1"})
    cloud.blobs.create_bucket("other")
    copied = bucket.copy("src", "dst", dst_bucket="other")
    assert (copied.bucket, copied.key, copied.size) == ("other", "dst", 4)
    assert (copied.content_type, dict(copied.metadata)) == ("text/csv", {"a": "1"})
    assert cloud.blobs.bucket("other").get("dst") == b"data"
    with pytest.raises(errors.NotFound):
        bucket.copy("missing", "dst")


def test_delete_of_missing_blob_is_not_found(bucket: cloudneutral.BucketHandle) -> None:
    with pytest.raises(errors.NotFound):
        bucket.delete("never-there")
    bucket.delete("never-there", missing_ok=True)


def test_no_md5_for_sse_kms(bucket: cloudneutral.BucketHandle, s3: Any) -> None:
    s3.put_object(Bucket="adapter", Key="secret", Body=b"x", ServerSideEncryption="aws:kms")
    assert bucket.head("secret").checksums == {}
    assert bucket.get("secret") == b"x"


def test_prefix_handle(cloud: cloudneutral.Cloud, url: str) -> None:
    cloud.blobs.create_bucket("pfx")
    with cloudneutral.connect(url.replace("aws://?", "aws://pfx/photos/?")) as scoped:
        scoped.bucket.put("a.jpg", b"1")
        assert [i.key for i in scoped.bucket.list() if isinstance(i, BlobInfo)] == ["a.jpg"]
    assert cloud.blobs.bucket("pfx").exists("photos/a.jpg")


def test_us_east_1_has_no_location_constraint_and_still_refuses_taken_names(url: str) -> None:
    with cloudneutral.connect(url.replace("eu-west-1", "us-east-1")) as cloud:
        assert cloud.blobs.create_bucket("east").region == "us-east-1"
        with pytest.raises(errors.AlreadyExists):
            cloud.blobs.create_bucket("east")
