"""Swift behind the portable API, on the local peer: large objects, segments, uploads that
resume across connections, integrity checks, what is and is not offered."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from typing import Any

import pytest
from cloudneutral_openstack._swift import object_path
from keystoneauth1.adapter import Adapter

import cloudneutral
from cloudneutral import BlobInfo, errors

PART = 4096


def data(size: int, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(size)


@pytest.fixture
def bucket(cloud: cloudneutral.Cloud) -> Iterator[cloudneutral.BucketHandle]:
    name = "cn-peer-swift"
    if cloud.blobs.bucket_exists(name):
        cloud.blobs.delete_bucket(name, force=True)
    cloud.blobs.create_bucket(name)
    handle = cloud.blobs.bucket(name)
    yield handle
    for key, upload in handle.uploads():
        handle.resume_upload(key, upload).abort()
    cloud.blobs.delete_bucket(name, force=True)


def store(cloud: cloudneutral.Cloud) -> Any:
    """openstacksdk's object-store adapter (the escape hatch), to look behind the adapter."""
    return cloud.blobs.as_native(Adapter)


def segments(cloud: cloudneutral.Cloud, bucket: str) -> list[str]:
    response = store(cloud).request(f"/{bucket}_segments", "GET", params={"format": "json"})
    return [] if response.status_code == 404 else [str(i["name"]) for i in response.json()]


def test_a_large_blob_is_a_static_large_object_with_hidden_segments(
    cloud: cloudneutral.Cloud, bucket: cloudneutral.BucketHandle
) -> None:
    blob = data(3 * PART + 5)
    info = bucket.put("big.bin", blob, part_size=PART, metadata={"k": "v"}, record_sha256=True)
    assert info.checksums["sha256"] == hashlib.sha256(blob).hexdigest()  # every segment confirmed
    head = bucket.head("big.bin")
    assert head.checksums == {"sha256": hashlib.sha256(blob).hexdigest()}  # no MD5 for an SLO
    assert (head.size, head.content_type, dict(head.metadata)) == (
        len(blob),
        "application/octet-stream",
        {"k": "v"},
    )
    raw = store(cloud).request(object_path(bucket.name, "big.bin"), "HEAD")
    assert raw.headers["X-Static-Large-Object"] == "True"
    assert len(segments(cloud, bucket.name)) == 4 and not any(
        n.endswith("/00000000") for n in segments(cloud, bucket.name)
    )
    assert f"{bucket.name}_segments" not in [b.name for b in cloud.blobs.list_buckets()]
    with bucket.open("big.bin") as reader:
        assert reader.read() == blob
        assert reader.verified == "sha256"
    bucket.delete("big.bin")  # multipart-manifest=delete: the segments go too
    assert segments(cloud, bucket.name) == []


def test_uploads_resume_in_another_connection(
    peer_url: str, cloud: cloudneutral.Cloud, bucket: cloudneutral.BucketHandle
) -> None:
    upload = bucket.open_upload("dir/resumed", content_type="text/x-log")
    upload.put_part(1, b"a" * 10)
    with cloudneutral.connect(peer_url) as other:
        handle = other.blobs.bucket(bucket.name)
        assert handle.uploads() == [("dir/resumed", upload.id)]
        assert handle.uploads("dir/") == [("dir/resumed", upload.id)] and handle.uploads("x") == []
        resumed = handle.resume_upload("dir/resumed", upload.id, content_type="text/x-log")
        assert sorted(resumed.stored_parts()) == [1]
        resumed.put_part(2, b"b" * 3)
        committed = resumed.commit({"origin": "resumed"})
        assert committed.size == 13
    head = bucket.head("dir/resumed")
    assert (head.content_type, dict(head.metadata)) == ("text/x-log", {"origin": "resumed"})
    assert bucket.get("dir/resumed") == b"a" * 10 + b"b" * 3
    assert bucket.uploads() == []
    with pytest.raises(errors.NotFound):
        bucket.resume_upload("dir/resumed", upload.id)


def test_abort_deletes_every_segment(cloud: cloudneutral.Cloud, bucket: cloudneutral.BucketHandle) -> None:
    upload = bucket.open_upload("gone")
    upload.put_part(1, b"x" * 100)
    upload.put_part(2, b"y")
    assert len(segments(cloud, bucket.name)) == 3  # the marker and two parts
    upload.abort()
    upload.abort()  # idempotent
    assert segments(cloud, bucket.name) == [] and bucket.uploads() == []
    assert not bucket.exists("gone")


def test_swift_refuses_damaged_bytes(cloud: cloudneutral.Cloud, bucket: cloudneutral.BucketHandle) -> None:
    driver: Any = cloud.driver.blobs
    other = hashlib.md5(b"other bytes").hexdigest()
    options = cloudneutral.driver.WriteOptions(content_type="application/octet-stream")
    with pytest.raises(errors.IntegrityError):
        cloud.runtime.call(driver.put_blob, bucket.name, "damaged", b"abc", options, other)
    upload = cloud.runtime.call(driver.open_upload, bucket.name, "damaged", options)
    with pytest.raises(errors.IntegrityError):
        cloud.runtime.call(upload.put_part, 1, b"abc", other)
    upload.abort()
    assert not bucket.exists("damaged")


def test_conditional_delete_is_not_offered(bucket: cloudneutral.BucketHandle) -> None:
    """Swift deletes whatever ETag an If-Match names (probed on the peer), so the adapter
    does not declare blobs.if-match and the portable layer refuses it."""
    info = bucket.put("k", b"1")
    assert info.etag
    with pytest.raises(errors.Unsupported):
        bucket.delete("k", if_match=info.etag)
    assert bucket.exists("k")


def test_a_copy_of_a_large_object_is_a_plain_object(bucket: cloudneutral.BucketHandle) -> None:
    blob = data(2 * PART + 1, seed=2)
    bucket.put("slo", blob, part_size=PART, content_type="text/csv")
    copied = bucket.copy("slo", "copy")
    assert copied.checksums == {"md5": hashlib.md5(blob).hexdigest()}
    assert copied.content_type == "text/csv" and bucket.get("copy") == blob


def test_the_content_type_is_never_guessed_from_the_name(bucket: cloudneutral.BucketHandle) -> None:
    bucket.put("page.html", b"<p>")
    listed = [i for i in bucket.list() if isinstance(i, BlobInfo)]
    assert [(i.key, i.content_type) for i in listed] == [("page.html", "application/octet-stream")]
    assert bucket.head("page.html").content_type == "application/octet-stream"
