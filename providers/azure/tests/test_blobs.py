"""What the Azure blob driver does beyond the conformance suite, against Azurite: the
reserved metadata key's legal name, staged blocks (deterministic ids, resumed from another
connection, damaged parts refused), abort, conditional delete, ranged reads' whole size."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient
from cloudneutral_azure.blobs import metadata_from_azure, metadata_to_azure

import cloudneutral
from cloudneutral import Conflict, IntegrityError, NotFound
from cloudneutral.driver import WriteOptions

OPTIONS = WriteOptions(content_type="application/octet-stream")


@pytest.fixture
def cloud(azurite_endpoint: str, connect_url: Any) -> Iterator[cloudneutral.Cloud]:
    with cloudneutral.connect(connect_url(azurite_endpoint), clock=cloudneutral.FakeClock()) as cloud:
        yield cloud


@pytest.fixture
def bucket(cloud: cloudneutral.Cloud, request: pytest.FixtureRequest) -> Iterator[cloudneutral.BucketHandle]:
    name = "cn-" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:12]
    cloud.blobs.create_bucket(name, exist_ok=True)
    yield cloud.blobs.bucket(name)
    cloud.blobs.delete_bucket(name, force=True)


def native(cloud: cloudneutral.Cloud) -> BlobServiceClient:
    return cloud.blobs.as_native(BlobServiceClient)


def test_metadata_names_map_both_ways() -> None:
    assert metadata_to_azure({"owner": "a", "cn-sha256": "x"}) == {"owner": "a", "cn_sha256": "x"}
    assert metadata_from_azure({"Owner": "a", "cn_sha256": "x", "other_tool": "y"}) == {
        "owner": "a",
        "cn-sha256": "x",
        "other_tool": "y",
    }


@pytest.mark.parametrize("size", [10, 3 * 1024 + 5], ids=["single", "blocks"])
def test_sha256_of_record_is_stored_under_a_legal_name(
    cloud: cloudneutral.Cloud, bucket: cloudneutral.BucketHandle, size: int
) -> None:
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    info = bucket.put("blob", data, record_sha256=True, part_size=1024, metadata={"owner": "me"})
    stored = native(cloud).get_blob_client(bucket.name, "blob").get_blob_properties().metadata
    assert stored == {"owner": "me", "cn_sha256": hashlib.sha256(data).hexdigest()}
    head = bucket.head("blob")
    assert dict(head.metadata) == {"owner": "me"}
    assert head.checksums["sha256"] == info.checksums["sha256"] == hashlib.sha256(data).hexdigest()
    with bucket.open("blob") as reader:
        assert reader.read() == data
        assert reader.verified == "sha256"


def test_single_put_reports_the_services_md5(bucket: cloudneutral.BucketHandle) -> None:
    info = bucket.put("blob", b"hello", content_type="text/plain")
    assert info.checksums["md5"] == hashlib.md5(b"hello").hexdigest()
    assert bucket.head("blob").checksums["md5"] == info.checksums["md5"]


def test_resume_an_upload_begun_by_another_process(
    cloud: cloudneutral.Cloud, bucket: cloudneutral.BucketHandle, azurite_endpoint: str, connect_url: Any
) -> None:
    url = connect_url(azurite_endpoint)
    program = (
        "import cloudneutral\n"
        f"bucket = cloudneutral.connect({url!r}).blobs.bucket({bucket.name!r})\n"
        "upload = bucket.open_upload('big', content_type='text/csv', metadata={'a': '1'})\n"
        "upload.put_part(1, b'first part ')\n"
        "print(upload.id)\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    upload_id = done.stdout.strip()
    resumed = bucket.resume_upload("big", upload_id, content_type="text/csv", metadata={"a": "1"})
    assert sorted(resumed.stored_parts()) == [1]
    resumed.put_part(2, b"second part")
    info = resumed.commit()
    assert info.size == len(b"first part second part")
    assert bucket.get("big") == b"first part second part"
    head = bucket.head("big")
    assert (head.content_type, dict(head.metadata)) == ("text/csv", {"a": "1"})
    committed, _ = native(cloud).get_blob_client(bucket.name, "big").get_block_list("committed")
    assert [b.id for b in committed] == [f"{upload_id}00001", f"{upload_id}00002"]


def test_resuming_an_unknown_upload_is_not_found(bucket: cloudneutral.BucketHandle) -> None:
    with pytest.raises(NotFound):
        bucket.resume_upload("nothing-here", "0" * 32)


def test_a_damaged_part_or_blob_is_an_integrity_error(
    cloud: cloudneutral.Cloud, bucket: cloudneutral.BucketHandle
) -> None:
    driver = cloud.driver.blobs
    assert driver is not None
    upload = driver.open_upload(bucket.name, "blob", OPTIONS)
    wrong = hashlib.md5(b"other bytes").hexdigest()
    with pytest.raises(IntegrityError):
        cloud.runtime.call(upload.put_part, 1, b"the bytes", wrong)
    with pytest.raises(IntegrityError):
        cloud.runtime.call(driver.put_blob, bucket.name, "blob", b"the bytes", OPTIONS, wrong)
    assert not bucket.exists("blob")


def test_abort_leaves_nothing_visible(bucket: cloudneutral.BucketHandle) -> None:
    bucket.put("blob", b"previous")
    upload = bucket.open_upload("blob")
    upload.put_part(1, b"new content")
    upload.abort()
    upload.abort()  # idempotent
    assert bucket.get("blob") == b"previous"
    assert [i.key for i in bucket.list()] == ["blob"]


def test_conditional_delete(bucket: cloudneutral.BucketHandle) -> None:
    info = bucket.put("blob", b"v1")
    bucket.put("blob", b"v2")
    with pytest.raises(Conflict):
        bucket.delete("blob", if_match=str(info.etag))
    current = bucket.head("blob")
    bucket.delete("blob", if_match=str(current.etag))
    assert not bucket.exists("blob")


def test_ranged_read_reports_the_whole_size(
    cloud: cloudneutral.Cloud, bucket: cloudneutral.BucketHandle
) -> None:
    bucket.put("blob", bytes(100))
    driver = cloud.driver.blobs
    assert driver is not None
    info, stream = driver.read_blob(bucket.name, "blob", 10, 5)
    assert (info.size, b"".join(stream)) == (100, bytes(5))
    stream.close()


def test_delete_bucket_with_blobs_is_conflict(
    cloud: cloudneutral.Cloud, bucket: cloudneutral.BucketHandle
) -> None:
    bucket.put("keep", b"x")
    with pytest.raises(Conflict):
        cloud.blobs.delete_bucket(bucket.name)
    assert bucket.get("keep") == b"x"


class _FakeCopyTarget:
    """A destination blob whose copy is pending for two polls, then succeeds."""

    def __init__(self) -> None:
        self.polls = 0
        self.url = "https://account.blob.core.windows.net/c/dst"

    def start_copy_from_url(self, source: str) -> dict[str, str]:
        return {"copy_status": "pending"}

    def get_blob_properties(self) -> Any:
        from azure.storage.blob import BlobProperties

        self.polls += 1
        props = BlobProperties()
        props.copy.status = "pending" if self.polls < 3 else "success"
        props.size = 3
        return props


def test_a_pending_copy_is_polled_until_it_ends() -> None:
    from cloudneutral_azure.blobs import AzureBlobDriver

    target = _FakeCopyTarget()

    class Service:
        def get_blob_client(self, container: str, blob: str) -> Any:
            return target

    driver = AzureBlobDriver(lambda: Service(), copy_poll_interval=0)  # type: ignore[arg-type, return-value]
    info = driver.copy_blob("c", "src", "c", "dst")
    assert target.polls == 4  # two pending answers, one success, then the HEAD of the copy
    assert info.size == 3
