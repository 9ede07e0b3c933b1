"""The trust guarantees on real HTTP: boto3 talking to moto through a fault-injecting proxy
(503s, resets before and after forwarding, truncated and altered bodies, in both
directions). Each case is one that fails without the portable layer's checks."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator

import pytest
from cloudneutral_aws.testing import PART, MotoServer

import cloudneutral
from cloudneutral import errors
from cloudneutral.conformance.faults import (
    AlterRequest,
    AlterResponse,
    FaultProxy,
    ResetAfterForward,
    ResetBeforeForward,
    Rule,
    TruncateResponse,
    s3_slow_down,
)


@pytest.fixture
def proxy(moto: MotoServer) -> Iterator[FaultProxy]:
    moto.reset()
    with FaultProxy(moto.endpoint, seed=7) as proxy:
        yield proxy


def url(endpoint: str) -> str:
    return f"aws://?region=eu-west-1&endpoint_url={endpoint}&min_part_size={PART}"


@pytest.fixture
def cloud(proxy: FaultProxy) -> Iterator[cloudneutral.Cloud]:
    with cloudneutral.connect(url(proxy.url), clock=cloudneutral.FakeClock(), part_size=PART) as cloud:
        cloud.blobs.create_bucket("faults")
        yield cloud


@pytest.fixture
def direct(moto: MotoServer) -> Iterator[cloudneutral.BucketHandle]:
    """The same bucket without the proxy: what moto really holds."""
    with cloudneutral.connect(url(moto.endpoint), part_size=PART) as cloud:
        yield cloud.blobs.bucket("faults")


def key_path(key: str) -> str:
    return rf"/faults/{key}(\?|$)"


def test_throttling_is_retried(cloud: cloudneutral.Cloud, proxy: FaultProxy) -> None:
    proxy.add(Rule(s3_slow_down(), method="PUT", path=key_path("k"), times=2))
    cloud.blobs.bucket("faults").put("k", b"data")
    assert [e.status for e in proxy.log if e.method == "PUT" and e.path == "/faults/k"] == [503, 503, 200]


def test_resets_before_and_after_forwarding_are_retried(
    cloud: cloudneutral.Cloud, proxy: FaultProxy, direct: cloudneutral.BucketHandle
) -> None:
    bucket = cloud.blobs.bucket("faults")
    proxy.add(Rule(ResetAfterForward(), method="PUT", path=key_path("after"), times=1))
    bucket.put("after", b"stored by the first try")  # moto stored it; the retry stores it again
    proxy.add(Rule(ResetBeforeForward(), method="GET", path=key_path("after"), times=1))
    assert bucket.get("after") == b"stored by the first try"
    assert direct.get("after") == b"stored by the first try"


def test_creating_a_bucket_that_a_lost_answer_created_is_fine(
    cloud: cloudneutral.Cloud, proxy: FaultProxy
) -> None:
    proxy.add(Rule(ResetAfterForward(), method="PUT", path=r"^/created$", times=1))
    assert cloud.blobs.create_bucket("created", exist_ok=True).name == "created"
    assert cloud.blobs.bucket_exists("created")


def test_a_body_cut_by_a_reset_resumes_at_the_byte_delivered(
    cloud: cloudneutral.Cloud, proxy: FaultProxy
) -> None:
    data = os.urandom(3 * PART)
    cloud.blobs.bucket("faults").put("whole", data, part_size=4 * PART)  # one request: its ETag is its MD5
    proxy.add(Rule(TruncateResponse(keep_bytes=PART + 17), method="GET", path=key_path("whole"), times=1))
    with cloud.blobs.bucket("faults").open("whole") as reader:
        assert reader.read() == data
        assert reader.verified == "md5"
    gets = [e for e in proxy.log if e.method == "GET" and e.path == "/faults/whole"]
    assert [g.headers.get("range") for g in gets] == [None, f"bytes={PART + 17}-"]


def test_a_short_body_that_looks_whole_is_caught_by_the_size_from_head(
    cloud: cloudneutral.Cloud, proxy: FaultProxy
) -> None:
    """A multipart object (no MD5 to check) whose GET is cut and its Content-Length rewritten
    to match: the size of a HEAD tells, and the read resumes for the rest."""
    data = os.urandom(3 * PART)
    cloud.blobs.bucket("faults").put("parts", data)
    proxy.add(
        Rule(
            TruncateResponse(fraction=0.4, rewrite_length=True), method="GET", path=key_path("parts"), times=1
        )
    )
    assert cloud.blobs.bucket("faults").get("parts") == data


def test_an_altered_byte_in_a_download_is_an_integrity_error(
    cloud: cloudneutral.Cloud, proxy: FaultProxy
) -> None:
    cloud.blobs.bucket("faults").put("single", os.urandom(1000))
    proxy.add(Rule(AlterResponse(offset=500), method="GET", path=key_path("single")))
    with pytest.raises(errors.IntegrityError, match="MD5"):
        cloud.blobs.bucket("faults").get("single")


def test_an_altered_byte_in_a_multipart_download_is_caught(
    cloud: cloudneutral.Cloud, proxy: FaultProxy
) -> None:
    """By the SHA-256 of record when there is one, else by S3's composite of part MD5s (the
    part layout comes from a HEAD of part 1)."""
    bucket = cloud.blobs.bucket("faults")
    bucket.put("recorded", os.urandom(3 * PART), record_sha256=True)
    bucket.put("unrecorded", os.urandom(3 * PART))
    proxy.add(Rule(AlterResponse(offset=PART + 5), method="GET", path=key_path("(un)?recorded")))
    with pytest.raises(errors.IntegrityError, match="SHA-256"):
        bucket.get("recorded")
    with pytest.raises(errors.IntegrityError, match="part MD5s"):
        bucket.get("unrecorded")
    proxy.clear()
    with bucket.open("unrecorded") as reader:
        reader.read()
        assert reader.verified == "md5-parts"


def test_a_part_altered_on_the_way_up_is_sent_again(
    cloud: cloudneutral.Cloud, proxy: FaultProxy, direct: cloudneutral.BucketHandle
) -> None:
    data = os.urandom(3 * PART)
    proxy.add(Rule(AlterRequest(offset=100), method="PUT", path=r"partNumber=2", times=1))
    info = cloud.blobs.bucket("faults").put("up", data)
    assert info.checksums["sha256"] == hashlib.sha256(data).hexdigest()
    assert direct.get("up") == data  # moto holds the right bytes, not the altered part
    assert len([e for e in proxy.log if "partNumber=2" in e.target]) == 2


def test_a_single_put_altered_on_the_way_is_an_integrity_error_and_removed(
    cloud: cloudneutral.Cloud, proxy: FaultProxy, direct: cloudneutral.BucketHandle
) -> None:
    proxy.add(Rule(AlterRequest(offset=3), method="PUT", path=key_path("one")))
    with pytest.raises(errors.IntegrityError, match="damaged blob was deleted"):
        cloud.blobs.bucket("faults").put("one", b"0123456789")
    assert not direct.exists("one")  # (real S3 refuses it with BadDigest before storing)


def test_a_bad_content_type_never_reaches_the_wire(cloud: cloudneutral.Cloud, proxy: FaultProxy) -> None:
    before = len(proxy.log)
    with pytest.raises(errors.InvalidArgument):
        cloud.blobs.bucket("faults").put("k", b"x", content_type="text/plain\r\nX-Injected: 1")
    assert len(proxy.log) == before
