"""The portable blob layer's own guarantees, proven with faults injected under it.

The local provider does the storing; a :class:`faulty.Faulty` driver in front of it (given
to ``Cloud.from_driver``, the public injection point) fails, counts or corrupts chosen
calls, so these tests see what the portable layer does about it.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from faulty import Faulty

import cloudneutral
from cloudneutral import errors
from cloudneutral.blobs import BucketHandle
from cloudneutral.driver import PartReceipt
from cloudneutral.models import BlobInfo


class SlowDown(Exception):
    """Stands in for a vendor SDK's throttling exception."""


class Reset(Exception):
    """Stands in for a connection reset while a body streams."""


def translate(inner: Any) -> Any:
    def translate(exc: Exception) -> errors.CloudError:
        if isinstance(exc, (SlowDown, Reset)):
            return errors.TransientError(type(exc).__name__)
        return inner.translate_error(exc)  # type: ignore[no-any-return]

    return translate


@pytest.fixture
def faulty() -> Iterator[Faulty]:
    inner = cloudneutral.connect("local://").driver
    yield Faulty(inner, translate(inner))


@pytest.fixture
def cloud(faulty: Faulty) -> Iterator[cloudneutral.Cloud]:
    with cloudneutral.Cloud.from_driver(faulty, clock=cloudneutral.FakeClock(), part_size=1024) as c:
        c.blobs.create_bucket("bucket")
        faulty.calls.clear()
        yield c


def handle(cloud: cloudneutral.Cloud) -> BucketHandle:
    return cloud.blobs.bucket("bucket")


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


# -- writing ----------------------------------------------------------------------------------
def test_small_data_goes_up_in_one_request_with_its_md5(cloud: cloudneutral.Cloud, faulty: Faulty) -> None:
    info = handle(cloud).put("k", b"hello")
    assert faulty.calls == ["blobs.put_blob"]
    assert info.checksums["md5"] == md5(b"hello")
    assert info.checksums["sha256"] == hashlib.sha256(b"hello").hexdigest()
    assert info.size == 5


def test_large_data_goes_up_in_verified_parts_of_part_size(cloud: cloudneutral.Cloud, faulty: Faulty) -> None:
    data = bytes(range(256)) * 10  # 2560 bytes, part size 1024
    chunks = (data[i : i + 100] for i in range(0, len(data), 100))
    info = handle(cloud).put("big", chunks)
    assert faulty.calls == ["blobs.open_upload", *["upload.put_part"] * 3, "upload.commit"]
    assert handle(cloud).get("big") == data
    assert info.checksums["sha256"] == hashlib.sha256(data).hexdigest()


def test_a_file_object_is_streamed(cloud: cloudneutral.Cloud, faulty: Faulty) -> None:
    data = b"x" * 3000
    handle(cloud).put("f", io.BytesIO(data))
    assert faulty.count("upload.put_part") == 3
    assert handle(cloud).get("f") == data


def test_a_failing_source_aborts_the_upload_and_keeps_the_old_blob(
    cloud: cloudneutral.Cloud, faulty: Faulty
) -> None:
    handle(cloud).put("k", b"old")

    def source() -> Iterator[bytes]:
        yield b"a" * 2048
        raise OSError("disk went away")

    with pytest.raises(OSError, match="disk went away"):
        handle(cloud).put("k", source())
    assert faulty.calls[-1] == "upload.abort"
    assert handle(cloud).get("k") == b"old"


def test_transient_part_failures_are_retried(cloud: cloudneutral.Cloud, faulty: Faulty) -> None:
    faulty.faults["upload.put_part"] = [None, SlowDown(), SlowDown()]
    data = b"y" * 2048
    handle(cloud).put("k", data)
    assert faulty.count("upload.put_part") == 4
    assert handle(cloud).get("k") == data
    assert len(cloud.runtime.clock.slept) == 2  # type: ignore[attr-defined]


def test_permanent_part_failure_aborts(cloud: cloudneutral.Cloud, faulty: Faulty) -> None:
    faulty.faults["upload.put_part"] = [None, errors.QuotaExceeded("full")]
    with pytest.raises(errors.QuotaExceeded):
        handle(cloud).put("k", b"z" * 4096)
    assert faulty.calls[-1] == "upload.abort"
    assert not handle(cloud).exists("k")


def test_a_part_stored_with_other_bytes_is_sent_again(cloud: cloudneutral.Cloud, faulty: Faulty) -> None:
    """A byte flipped in transit inside one part: the provider's MD5 of the part differs,
    so the part is sent again (and replaces the damaged one)."""

    def flipped(receipt: PartReceipt) -> PartReceipt:
        return attrs.evolve(receipt, md5="0" * 32)

    faulty.faults["upload.put_part"] = [None, flipped]
    data = bytes(range(256)) * 12
    info = handle(cloud).put("k", data)
    assert faulty.count("upload.put_part") == 4  # three parts, the second one twice
    assert handle(cloud).get("k") == data and info.checksums["sha256"]


def test_a_part_always_stored_with_other_bytes_fails_the_put_and_keeps_the_old_blob(
    cloud: cloudneutral.Cloud, faulty: Faulty
) -> None:
    handle(cloud).put("k", b"old")

    def flipped(receipt: PartReceipt) -> PartReceipt:
        return attrs.evolve(receipt, md5="0" * 32)

    faulty.faults["upload.put_part"] = [None, *[flipped] * 4]
    with pytest.raises(errors.IntegrityError, match="part 2"):
        handle(cloud).put("k", b"p" * 3000)
    assert faulty.calls[-1] == "upload.abort"
    assert handle(cloud).get("k") == b"old"


def test_parts_the_provider_cannot_vouch_for_are_not_reported_as_checksummed(
    cloud: cloudneutral.Cloud, faulty: Faulty
) -> None:
    def unconfirmed(receipt: PartReceipt) -> PartReceipt:
        return attrs.evolve(receipt, md5=None)

    faulty.faults["upload.put_part"] = [unconfirmed]
    info = handle(cloud).put("k", b"q" * 3000)
    assert "md5" not in info.checksums and "sha256" not in info.checksums


def test_a_single_put_the_provider_disagrees_with_is_deleted_only_if_still_ours(
    cloud: cloudneutral.Cloud, faulty: Faulty
) -> None:
    def corrupt(info: BlobInfo) -> BlobInfo:
        return attrs.evolve(info, checksums={"md5": "0" * 32})

    faulty.faults["blobs.put_blob"] = [corrupt]
    with pytest.raises(errors.IntegrityError, match="damaged blob was deleted"):
        handle(cloud).put("k", b"data")
    assert not handle(cloud).exists("k")
    assert "blobs.delete_blob" in faulty.calls


def test_cleanup_never_deletes_a_newer_blob(cloud: cloudneutral.Cloud, faulty: Faulty) -> None:
    """Between the damaged write and its clean-up someone writes again: theirs stays."""

    def corrupt_then_overwritten(info: BlobInfo) -> BlobInfo:
        cloudneutral.Cloud.from_driver(faulty.inner).blobs.bucket("bucket").put("k", b"someone else's")
        return attrs.evolve(info, checksums={"md5": "0" * 32})

    faulty.faults["blobs.put_blob"] = [corrupt_then_overwritten]
    with pytest.raises(errors.IntegrityError, match="newer blob"):
        handle(cloud).put("k", b"mine")
    assert handle(cloud).get("k") == b"someone else's"


def test_a_commit_of_the_wrong_size_is_an_integrity_error(cloud: cloudneutral.Cloud, faulty: Faulty) -> None:
    def short(info: BlobInfo) -> BlobInfo:
        return attrs.evolve(info, size=info.size - 1)

    faulty.faults["upload.commit"] = [short]
    with pytest.raises(errors.IntegrityError, match="committed"):
        handle(cloud).put("k", b"r" * 3000)
    assert not handle(cloud).exists("k")


def test_record_sha256_is_stored_and_shown_as_a_checksum(cloud: cloudneutral.Cloud) -> None:
    data = b"s" * 3000
    handle(cloud).put("k", data, record_sha256=True, metadata={"owner": "me"})
    head = handle(cloud).head("k")
    assert head.checksums["sha256"] == hashlib.sha256(data).hexdigest()
    assert dict(head.metadata) == {"owner": "me"}  # the record is not user metadata


# -- reading ----------------------------------------------------------------------------------
def _tamper(stream_chunks: list[bytes]) -> Any:
    def replace(result: tuple[BlobInfo, Any]) -> tuple[BlobInfo, Any]:
        info, stream = result
        stream.close()
        return info, _Listed(stream_chunks)

    return replace


class _Listed:
    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = iter(chunks)

    def __iter__(self) -> _Listed:
        return self

    def __next__(self) -> bytes:
        return next(self._chunks)

    def close(self) -> None:
        pass


def test_reading_verifies_the_reported_md5(cloud: cloudneutral.Cloud, faulty: Faulty) -> None:
    handle(cloud).put("k", b"data")
    faulty.faults["blobs.read_blob"] = [_tamper([b"dat", b"X"])]
    with pytest.raises(errors.IntegrityError, match=r"SHA-256|MD5"):
        handle(cloud).get("k")


def test_an_altered_byte_in_a_blob_written_in_parts_is_caught(
    cloud: cloudneutral.Cloud, faulty: Faulty
) -> None:
    data = bytes(range(256)) * 12
    handle(cloud).put("k", data)  # in parts: no whole MD5 known, only the part MD5s
    altered = bytearray(data)
    altered[1500] ^= 1
    faulty.faults["blobs.read_blob"] = [_tamper([bytes(altered)])]
    with pytest.raises(errors.IntegrityError, match="part MD5s"):
        handle(cloud).get("k")


def test_a_truncated_body_is_resumed_where_it_stopped(cloud: cloudneutral.Cloud, faulty: Faulty) -> None:
    data = bytes(range(256)) * 4
    handle(cloud).put("k", data)
    faulty.faults["blobs.read_blob"] = [_tamper([data[:300]])]  # ends cleanly, 300 bytes short of all
    reads: list[tuple[Any, ...]] = []
    real = faulty.inner.blobs.read_blob

    def spy(*args: Any) -> Any:
        reads.append(args)
        return real(*args)

    faulty.inner.blobs.read_blob = spy
    with handle(cloud).open("k") as reader:
        assert reader.read() == data
        assert reader.verified == "sha256"
    assert reads[-1][2:] == (300, None)  # the rest, from byte 300


def test_a_reset_mid_body_resumes_at_the_offset_delivered(cloud: cloudneutral.Cloud, faulty: Faulty) -> None:
    data = b"w" * 5000
    handle(cloud).put("k", data, part_size=10_000)
    faulty.faults["stream.next"] = [None, Reset("connection reset by peer")]

    def small_chunks(result: tuple[BlobInfo, Any]) -> tuple[BlobInfo, Any]:
        info, stream = result
        stream.close()
        return info, _Listed([data[:2000], b"never delivered"])

    faulty.faults["blobs.read_blob"] = [small_chunks]
    assert handle(cloud).get("k") == data
    assert faulty.count("blobs.read_blob") == 2


def test_a_body_cut_short_every_time_is_an_integrity_error(cloud: cloudneutral.Cloud, faulty: Faulty) -> None:
    handle(cloud).put("k", b"v" * 100)
    faulty.faults["blobs.read_blob"] = [_tamper([b"v" * 10])] + [_tamper([])] * 10  # then no progress
    with pytest.raises(errors.IntegrityError, match="read 10 bytes, expected 100"):
        handle(cloud).get("k")


def test_a_blob_replaced_while_resuming_is_not_stitched_together(
    cloud: cloudneutral.Cloud, faulty: Faulty
) -> None:
    handle(cloud).put("k", b"a" * 100)

    def cut_and_replace(result: tuple[BlobInfo, Any]) -> tuple[BlobInfo, Any]:
        info, stream = result
        stream.close()
        cloudneutral.Cloud.from_driver(faulty.inner).blobs.bucket("bucket").put("k", b"b" * 100)
        return info, _Listed([b"a" * 40])

    faulty.faults["blobs.read_blob"] = [cut_and_replace]
    with pytest.raises(errors.IntegrityError, match="changed while it was read"):
        handle(cloud).get("k")


def test_ranges_are_size_checked_but_not_hashed(cloud: cloudneutral.Cloud) -> None:
    handle(cloud).put("k", b"0123456789")
    assert handle(cloud).get_range("k", 2, 5) == b"234"
    assert handle(cloud).get_range("k", 8) == b"89"
    assert handle(cloud).get_range("k", 8, 100) == b"89"
    assert handle(cloud).get_range("k", 3, 3) == b""


# -- the handle -------------------------------------------------------------------------------
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


def test_create_bucket_exist_ok_is_retried_and_accepts_a_taken_name(
    cloud: cloudneutral.Cloud, faulty: Faulty
) -> None:
    faulty.faults["blobs.create_bucket"] = [SlowDown()]
    assert cloud.blobs.create_bucket("other", exist_ok=True).name == "other"
    assert cloud.blobs.create_bucket("other", exist_ok=True).name == "other"
    with pytest.raises(errors.AlreadyExists):
        cloud.blobs.create_bucket("other")


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda h: h.put("k", None), "blob data"),
        (lambda h: h.put("k", 5), "blob data"),
        (lambda h: h.put("k", "text"), "blob data"),
        (lambda h: h.put("k", b"", metadata=[("a", "b")]), "metadata"),
        (lambda h: h.put(None, b""), "blob key"),
        (lambda h: h.put("k", b"", content_type=7), "content_type"),
        (lambda h: list(h.list(prefix=None)), "prefix"),
        (lambda h: h.get_range("k", True), "range start"),
        (lambda h: h.get_range("k", 0, "9"), "range end"),
        (lambda h: list(h.list(page_size="10")), "page_size"),
        (lambda h: list(h.list(delimiter=7)), "delimiter"),
        (lambda h: h.delete("k", if_match=3), "if_match"),
    ],
    ids=[
        "data-none",
        "data-int",
        "data-str",
        "metadata-list",
        "key-none",
        "content-type-int",
        "prefix-none",
        "range-bool",
        "range-end-str",
        "page-size-str",
        "delimiter-int",
        "if-match-int",
    ],
)
def test_wrong_argument_types_are_invalid_arguments_naming_the_argument(
    cloud: cloudneutral.Cloud, call: Any, argument: str
) -> None:
    with pytest.raises(errors.InvalidArgument, match=argument):
        call(handle(cloud))


def test_bucket_name_of_the_wrong_type_is_invalid(cloud: cloudneutral.Cloud) -> None:
    with pytest.raises(errors.InvalidArgument, match="bucket name must be a str"):
        cloud.blobs.bucket(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["text/plain\r\nX-Evil: 1", "text/plain\x00", "a/" + "b" * 300])
def test_content_types_with_control_characters_or_too_long_are_refused(
    cloud: cloudneutral.Cloud, faulty: Faulty, value: str
) -> None:
    with pytest.raises(errors.InvalidArgument, match="content type"):
        handle(cloud).put("k", b"", content_type=value)
    assert faulty.calls == []  # refused before any request


def test_reader_supports_small_reads_and_closing(cloud: cloudneutral.Cloud) -> None:
    handle(cloud).put("k", b"abcdefghij")
    with handle(cloud).open("k") as reader:
        assert reader.read(3) == b"abc"
        assert reader.read(4) == b"defg"
        assert reader.read() == b"hij"
        assert reader.read() == b""
    assert reader.closed


def test_capabilities_not_declared_are_refused_before_the_driver_is_called() -> None:
    inner = cloudneutral.connect("local://").driver
    faulty = Faulty(inner)
    faulty.capabilities = frozenset({cloudneutral.Capability.BLOBS})
    cloud = cloudneutral.Cloud.from_driver(faulty, part_size=1024)
    cloud.blobs.create_bucket("bucket")
    bucket = cloud.blobs.bucket("bucket")
    for call in (
        lambda: bucket.put("k", b"x" * 2000),
        lambda: bucket.put("k", b"x", metadata={"a": "b"}),
        lambda: bucket.get_range("k", 0, 1),
        lambda: bucket.copy("k", "j"),
        lambda: bucket.delete("k", if_match='"x"'),
    ):
        with pytest.raises(errors.Unsupported):
            call()
    assert "blobs.open_upload" not in faulty.calls and "blobs.copy_blob" not in faulty.calls
    with pytest.raises(errors.Unsupported):
        _ = cloud.servers
