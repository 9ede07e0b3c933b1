"""The portable blob layer's own guarantees, proven with faults injected under it.

The local provider does the storing; a proxy driver in front of it fails, counts or
corrupts chosen calls, so these tests see what the portable layer does about it.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest

import cloudneutral
from cloudneutral import errors
from cloudneutral.blobs import BucketHandle
from cloudneutral.models import BlobInfo


class FaultyBlobs:
    """Proxy over a real BlobDriver: ``faults[name]`` is a list of outcomes for the next calls
    (an exception to raise, or a callable that post-processes the real result)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[str] = []
        self.faults: dict[str, list[Any]] = {}

    def __getattr__(self, name: str) -> Any:
        target = getattr(self.inner, name)
        if not callable(target):
            return target

        def wrapped(*args: Any) -> Any:
            self.calls.append(name)
            queue = self.faults.get(name)
            outcome = queue.pop(0) if queue else None
            if isinstance(outcome, BaseException):
                raise outcome
            result = target(*args)
            return outcome(result) if outcome is not None else result

        return wrapped


class SlowDown(Exception):
    """Stands in for a vendor SDK's throttling exception."""


@pytest.fixture
def cloud() -> Iterator[cloudneutral.Cloud]:
    with cloudneutral.connect("local://", clock=cloudneutral.FakeClock(), part_size=1024) as c:
        c.blobs.create_bucket("bucket")
        yield c


@pytest.fixture
def faulty(cloud: cloudneutral.Cloud, monkeypatch: pytest.MonkeyPatch) -> FaultyBlobs:
    proxy = FaultyBlobs(cloud.blobs._driver)
    monkeypatch.setattr(cloud.blobs, "_driver", proxy)
    translate: Callable[[Exception], errors.CloudError] = cloud.runtime.translate

    def translate_with_slowdown(exc: Exception) -> errors.CloudError:
        return errors.TransientError("slow down") if isinstance(exc, SlowDown) else translate(exc)

    monkeypatch.setattr(cloud.runtime, "translate", translate_with_slowdown)
    return proxy


def handle(cloud: cloudneutral.Cloud) -> BucketHandle:
    return cloud.blobs.bucket("bucket")


def test_small_data_goes_up_in_one_request_with_its_md5(
    cloud: cloudneutral.Cloud, faulty: FaultyBlobs
) -> None:
    info = handle(cloud).put("k", b"hello")
    assert faulty.calls == ["put_blob"]
    assert info.checksums["md5"] == hashlib.md5(b"hello").hexdigest()
    assert info.size == 5


def test_large_data_goes_up_in_parts_of_part_size(cloud: cloudneutral.Cloud, faulty: FaultyBlobs) -> None:
    data = bytes(range(256)) * 10  # 2560 bytes, part size 1024
    chunks = (data[i : i + 100] for i in range(0, len(data), 100))
    info = handle(cloud).put("big", chunks)
    assert faulty.calls == ["start_upload", "upload_part", "upload_part", "upload_part", "complete_upload"]
    assert handle(cloud).get("big") == data
    assert info.checksums["md5"] == hashlib.md5(data).hexdigest()


def test_a_file_object_is_streamed(cloud: cloudneutral.Cloud, faulty: FaultyBlobs) -> None:
    data = b"x" * 3000
    handle(cloud).put("f", io.BytesIO(data))
    assert faulty.calls.count("upload_part") == 3
    assert handle(cloud).get("f") == data


def test_a_failing_source_aborts_the_upload_and_keeps_the_old_blob(
    cloud: cloudneutral.Cloud, faulty: FaultyBlobs
) -> None:
    handle(cloud).put("k", b"old")

    def source() -> Iterator[bytes]:
        yield b"a" * 2048
        raise OSError("disk went away")

    with pytest.raises(OSError, match="disk went away"):
        handle(cloud).put("k", source())
    assert faulty.calls[-1] == "abort_upload"
    assert handle(cloud).get("k") == b"old"


def test_transient_part_failures_are_retried(cloud: cloudneutral.Cloud, faulty: FaultyBlobs) -> None:
    faulty.faults["upload_part"] = [None, SlowDown(), SlowDown()]
    data = b"y" * 2048
    handle(cloud).put("k", data)
    assert faulty.calls.count("upload_part") == 4
    assert handle(cloud).get("k") == data
    assert len(cloud.runtime.clock.slept) == 2  # type: ignore[attr-defined]


def test_permanent_part_failure_aborts(cloud: cloudneutral.Cloud, faulty: FaultyBlobs) -> None:
    faulty.faults["upload_part"] = [None, errors.QuotaExceeded("full")]
    with pytest.raises(errors.QuotaExceeded):
        handle(cloud).put("k", b"z" * 4096)
    assert faulty.calls[-1] == "abort_upload"
    assert not handle(cloud).exists("k")


def test_a_checksum_the_provider_disagrees_with_deletes_the_blob(
    cloud: cloudneutral.Cloud, faulty: FaultyBlobs
) -> None:
    def corrupt(info: BlobInfo) -> BlobInfo:
        return attrs.evolve(info, checksums={"md5": "0" * 32})

    faulty.faults["put_blob"] = [corrupt]
    with pytest.raises(errors.IntegrityError, match="blob deleted"):
        handle(cloud).put("k", b"data")
    assert not handle(cloud).exists("k")


def test_reading_verifies_the_reported_md5(cloud: cloudneutral.Cloud, faulty: FaultyBlobs) -> None:
    handle(cloud).put("k", b"data")

    def tamper(result: tuple[BlobInfo, Iterator[bytes]]) -> tuple[BlobInfo, Iterator[bytes]]:
        info, chunks = result
        chunks.close()  # type: ignore[attr-defined]
        return info, iter([b"dat", b"X"])

    faulty.faults["read_blob"] = [tamper]
    with pytest.raises(errors.IntegrityError, match="read MD5"):
        handle(cloud).get("k")


def test_ranges_are_not_md5_checked(cloud: cloudneutral.Cloud) -> None:
    handle(cloud).put("k", b"0123456789")
    assert handle(cloud).get_range("k", 2, 5) == b"234"
    assert handle(cloud).get_range("k", 8) == b"89"
    assert handle(cloud).get_range("k", 8, 100) == b"89"
    assert handle(cloud).get_range("k", 3, 3) == b""


def test_a_bucket_handle_prefix_is_transparent(cloud: cloudneutral.Cloud) -> None:
    scoped = cloud.blobs.bucket("bucket", "team/a/")
    scoped.put("x.txt", b"1")
    assert handle(cloud).get("team/a/x.txt") == b"1"
    assert [i.key for i in scoped.list() if isinstance(i, BlobInfo)] == ["x.txt"]
    assert scoped.head("x.txt").key == "x.txt"


def test_url_bucket_and_prefix_give_a_scoped_handle() -> None:
    with cloudneutral.connect("local://photos/2024/") as cloud:
        cloud.blobs.create_bucket("photos")
        cloud.bucket.put("a.jpg", b"jpg")
        assert cloud.blobs.bucket("photos").get("2024/a.jpg") == b"jpg"
    unscoped = cloudneutral.connect("local://")
    with pytest.raises(errors.InvalidArgument, match="names no bucket"):
        _ = unscoped.bucket


def test_str_data_is_refused_with_a_clear_error(cloud: cloudneutral.Cloud) -> None:
    with pytest.raises(errors.InvalidArgument, match="not str"):
        handle(cloud).put("k", "text")  # type: ignore[arg-type]


def test_bad_content_type_is_refused(cloud: cloudneutral.Cloud) -> None:
    with pytest.raises(errors.InvalidArgument, match="MIME type"):
        handle(cloud).put("k", b"", content_type="text")


def test_reader_supports_small_reads_and_closing(cloud: cloudneutral.Cloud) -> None:
    handle(cloud).put("k", b"abcdefghij")
    with handle(cloud).open("k") as reader:
        assert reader.read(3) == b"abc"
        assert reader.read(4) == b"defg"
        assert reader.read() == b"hij"
        assert reader.read() == b""
    assert reader.closed
