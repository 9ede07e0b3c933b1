"""boto3 (SigV4, ``Expect: 100-continue``, urllib3's pool) through the fault proxy to an
in-process moto server: identical results with no fault; each fault as botocore reports it.

Fake credentials only; everything on loopback.
"""

from __future__ import annotations

import base64
import hashlib
import io
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

import cloudneutral
from cloudneutral.conformance.faults import (
    AlterRequest,
    AlterResponse,
    FaultProxy,
    ResetAfterForward,
    ResetBeforeForward,
    Rule,
    Status,
    TruncateResponse,
    s3_slow_down,
)

boto3 = pytest.importorskip("boto3")
botocore_config = pytest.importorskip("botocore.config")
bx = pytest.importorskip("botocore.exceptions")

MIB = 1024 * 1024
KEYS = {"AWS_ACCESS_KEY_ID": "AKIAFAKEFAULTPROXY01", "AWS_SECRET_ACCESS_KEY": "fake-secret-for-faults"}
BUCKET = "cn-fault-proxy"


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server_module = pytest.importorskip("moto.server")
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def moto(moto_endpoint: str) -> str:
    """The moto endpoint, its state reset."""
    urllib.request.urlopen(urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")).close()
    return moto_endpoint


@pytest.fixture
def moto_proxy(moto: str) -> Iterator[FaultProxy]:
    with FaultProxy(moto, seed=3) as proxy:
        yield proxy


def s3_client(endpoint: str, *, attempts: int = 1, validate: bool = False) -> Any:
    """An S3 client; botocore's retries and response checksum validation as asked."""
    config = botocore_config.Config(
        retries={"total_max_attempts": attempts, "mode": "standard"},
        s3={"addressing_style": "path"},
        response_checksum_validation="when_supported" if validate else "when_required",
        connect_timeout=5,
        read_timeout=20,
    )
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
        config=config,
    )


def data_of(size: int, seed: bytes = b"x") -> bytes:
    block = hashlib.sha256(seed).digest()
    return (block * (size // len(block) + 1))[:size]


def scenario(s3: Any) -> dict[str, Any]:
    """Bucket, puts (bytes and file), a 2-part multipart upload, list, head, get, range, delete."""
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="a/small.txt", Body=b"hello", ContentType="text/plain")
    s3.put_object(Bucket=BUCKET, Key="a/file.bin", Body=io.BytesIO(data_of(3 * MIB)))
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="big.bin")
    parts = []
    for number, chunk in enumerate((data_of(5 * MIB, b"p1"), data_of(MIB + 7, b"p2")), start=1):
        part = s3.upload_part(
            Bucket=BUCKET, Key="big.bin", UploadId=upload["UploadId"], PartNumber=number, Body=chunk
        )
        parts.append({"PartNumber": number, "ETag": part["ETag"]})
    s3.complete_multipart_upload(
        Bucket=BUCKET, Key="big.bin", UploadId=upload["UploadId"], MultipartUpload={"Parts": parts}
    )
    listing = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
    prefixes = s3.list_objects_v2(Bucket=BUCKET, Delimiter="/").get("CommonPrefixes")
    head = s3.head_object(Bucket=BUCKET, Key="big.bin")
    big = s3.get_object(Bucket=BUCKET, Key="big.bin")["Body"].read()
    ranged = s3.get_object(Bucket=BUCKET, Key="a/file.bin", Range="bytes=100-199")["Body"].read()
    s3.delete_object(Bucket=BUCKET, Key="a/small.txt")
    after = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    return {
        "listing": [(o["Key"], o["Size"], o["ETag"]) for o in listing],
        "prefixes": prefixes,
        "head": (head["ContentLength"], head["ETag"]),
        "big": hashlib.sha256(big).hexdigest(),
        "ranged": ranged,
        "after": after,
    }


def test_no_fault_gives_identical_results(moto: str, moto_proxy: FaultProxy) -> None:
    direct = scenario(s3_client(moto))
    urllib.request.urlopen(urllib.request.Request(f"{moto}/moto-api/reset", method="POST")).close()
    through = scenario(s3_client(moto_proxy.url))
    assert through == direct
    assert through["big"] == hashlib.sha256(data_of(5 * MIB, b"p1") + data_of(MIB + 7, b"p2")).hexdigest()
    log = moto_proxy.log
    assert all(e.status == e.upstream_status and e.fault is None and e.error is None for e in log)
    assert any(e.headers.get("expect") == "100-continue" for e in log)  # botocore's file-body PUT
    assert any("partNumber=2" in e.target for e in log)


@pytest.fixture
def s3(moto_proxy: FaultProxy) -> Any:
    client = s3_client(moto_proxy.url)
    client.create_bucket(Bucket=BUCKET)
    return client


@pytest.fixture
def direct(moto: str) -> Any:
    """A client that bypasses the proxy, to see what really happened upstream."""
    return s3_client(moto)


def exists(client: Any, key: str) -> bool:
    try:
        client.head_object(Bucket=BUCKET, Key=key)
    except bx.ClientError as exc:
        assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 404
        return False
    return True


def test_slow_down_is_a_client_error_and_botocore_retries_it(
    s3: Any, moto_proxy: FaultProxy, direct: Any
) -> None:
    moto_proxy.add(Rule(s3_slow_down(), method="PUT", times=1))
    with pytest.raises(bx.ClientError) as caught:
        s3.put_object(Bucket=BUCKET, Key="k", Body=b"v")
    assert caught.value.response["Error"]["Code"] == "SlowDown"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert not exists(direct, "k")

    moto_proxy.clear()
    moto_proxy.add(Rule(s3_slow_down(), method="PUT", times=2))
    s3_client(moto_proxy.url, attempts=3).put_object(Bucket=BUCKET, Key="k", Body=b"v")
    assert [e.status for e in moto_proxy.log] == [503, 503, 200]
    assert [e.headers["amz-sdk-request"] for e in moto_proxy.log] == [
        "attempt=1; max=3",
        "attempt=2; max=3",
        "attempt=3; max=3",
    ]


@pytest.mark.parametrize(
    ("status", "code"),
    [(Status(500), "500"), (Status(429, headers={"Retry-After": "1"}), "429"), (Status(403), "403")],
)
def test_other_statuses(s3: Any, moto_proxy: FaultProxy, status: Status, code: str) -> None:
    moto_proxy.add(Rule(status, method="GET"))
    with pytest.raises(bx.ClientError) as caught:
        s3.list_objects_v2(Bucket=BUCKET)
    assert caught.value.response["Error"]["Code"] == code


def test_reset_before_forward_never_reaches_moto(s3: Any, moto_proxy: FaultProxy, direct: Any) -> None:
    moto_proxy.add(Rule(ResetBeforeForward(), method="PUT", path="/k$"))
    with pytest.raises(bx.ConnectionClosedError):
        s3.put_object(Bucket=BUCKET, Key="k", Body=io.BytesIO(b"v" * 100_000))
    assert not exists(direct, "k")


def test_reset_after_forward_was_performed_by_moto(s3: Any, moto_proxy: FaultProxy, direct: Any) -> None:
    moto_proxy.add(Rule(ResetAfterForward(), method="PUT", path="/k$"))
    with pytest.raises(bx.ConnectionClosedError):
        s3.put_object(Bucket=BUCKET, Key="k", Body=b"v" * 100_000)
    assert exists(direct, "k")
    assert moto_proxy.log[-1].upstream_status == 200


def test_truncated_download_is_a_streaming_error(s3: Any, moto_proxy: FaultProxy) -> None:
    s3.put_object(Bucket=BUCKET, Key="k", Body=data_of(MIB))
    moto_proxy.add(Rule(TruncateResponse(fraction=0.5), method="GET"))
    body = s3.get_object(Bucket=BUCKET, Key="k")["Body"]
    with pytest.raises(bx.ResponseStreamingError, match="IncompleteRead"):
        body.read()


def test_truncated_xml_answer_is_a_retryable_500_for_botocore(s3: Any, moto_proxy: FaultProxy) -> None:
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"v")
    moto_proxy.add(Rule(TruncateResponse(keep_bytes=20), method="GET", times=1))
    with pytest.raises(bx.ClientError) as caught:  # botocore reads a 200 with broken XML as a 500
        s3.list_objects_v2(Bucket=BUCKET)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]] == ["k"]


def test_truncation_with_rewritten_length_goes_unnoticed_without_a_checksum(
    s3: Any, moto_proxy: FaultProxy
) -> None:
    data = data_of(MIB)
    s3.put_object(Bucket=BUCKET, Key="k", Body=data)
    moto_proxy.add(Rule(TruncateResponse(keep_bytes=1000, rewrite_length=True), method="GET"))
    response = s3.get_object(Bucket=BUCKET, Key="k")
    assert response["ContentLength"] == 1000
    assert response["Body"].read() == data[:1000]  # the hostile case: no error at all


def test_altered_download_arrives_intact_in_length(s3: Any, moto_proxy: FaultProxy) -> None:
    data = data_of(MIB)
    s3.put_object(Bucket=BUCKET, Key="k", Body=data)
    moto_proxy.add(Rule(AlterResponse(654_321), method="GET"))
    got = s3.get_object(Bucket=BUCKET, Key="k")["Body"].read()
    assert len(got) == len(data)
    assert [i for i in range(len(data)) if got[i] != data[i]] == [654_321]


def test_altered_download_fails_botocore_checksum_validation(moto_proxy: FaultProxy) -> None:
    s3 = s3_client(moto_proxy.url, validate=True)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="k", Body=data_of(1000), ChecksumAlgorithm="CRC32")
    moto_proxy.add(Rule(AlterResponse(10), method="GET"))
    with pytest.raises(bx.FlexibleChecksumError):
        s3.get_object(Bucket=BUCKET, Key="k", ChecksumMode="ENABLED")["Body"].read()


def test_byte_flipped_inside_an_upload(s3: Any, moto_proxy: FaultProxy, direct: Any) -> None:
    data = data_of(200_000)
    moto_proxy.add(Rule(AlterRequest(123_456), method="PUT", path="/k$"))
    s3.put_object(Bucket=BUCKET, Key="k", Body=data)  # accepted: nothing checks the content
    stored = direct.get_object(Bucket=BUCKET, Key="k")["Body"].read()
    assert len(stored) == len(data) and stored != data
    assert [i for i in range(len(data)) if stored[i] != data[i]] == [123_456]

    # moto 5.2 does not check Content-MD5 (real S3 answers BadDigest), but the ETag it
    # returns is the MD5 of what it stored: a client comparing it with its own MD5 notices
    md5 = hashlib.md5(data)
    answer = s3.put_object(
        Bucket=BUCKET, Key="k", Body=data, ContentMD5=base64.b64encode(md5.digest()).decode()
    )
    assert answer["ETag"].strip('"') == hashlib.md5(stored).hexdigest() != md5.hexdigest()


def test_multipart_part_failure_is_retried_and_the_log_shows_it(s3: Any, moto_proxy: FaultProxy) -> None:
    handle = moto_proxy.add(Rule(Status(500), method="PUT", path=r"[?&]partNumber=2(&|$)", times=1))
    retrying = s3_client(moto_proxy.url, attempts=2)
    upload = retrying.create_multipart_upload(Bucket=BUCKET, Key="mp")
    parts = []
    for number, chunk in enumerate((data_of(5 * MIB), data_of(10)), start=1):
        part = retrying.upload_part(
            Bucket=BUCKET, Key="mp", UploadId=upload["UploadId"], PartNumber=number, Body=chunk
        )
        parts.append({"PartNumber": number, "ETag": part["ETag"]})
    retrying.complete_multipart_upload(
        Bucket=BUCKET, Key="mp", UploadId=upload["UploadId"], MultipartUpload={"Parts": parts}
    )
    assert handle.fired == 1
    part_two = [e.status for e in moto_proxy.log if e.target.endswith("partNumber=2")]
    assert part_two == [500, 200]


def test_portable_layer_through_the_proxy(moto_proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    url = f"aws://{BUCKET}?region=us-east-1&endpoint_url={moto_proxy.url}"
    with cloudneutral.connect(url, clock=cloudneutral.FakeClock()) as cloud:
        cloud.blobs.create_bucket(BUCKET)
        data = data_of(300_000)
        moto_proxy.add(Rule(s3_slow_down(), method="PUT", path="/blob$", times=1))
        cloud.bucket.put("blob", data)  # the portable layer retries the throttled put
        assert cloud.bucket.get("blob") == data

        moto_proxy.clear()
        moto_proxy.add(Rule(AlterResponse(1000), method="GET", times=1))
        with pytest.raises(cloudneutral.IntegrityError):
            cloud.bucket.get("blob")
        moto_proxy.add(Rule(TruncateResponse(fraction=0.5, rewrite_length=True), method="GET", times=1))
        with pytest.raises(cloudneutral.IntegrityError):
            cloud.bucket.get("blob")
        assert cloud.bucket.get("blob") == data

        moto_proxy.add(Rule(AlterRequest(4321), method="PUT", times=1))
        with pytest.raises(cloudneutral.IntegrityError):  # ETag differs from the MD5 sent
            cloud.bucket.put("other", data)
