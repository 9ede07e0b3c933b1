"""A migration through a faulty network (about 5% of requests: 503s, resets before and after
forwarding, truncated and altered bodies) completes with every object verified; altered
bytes are caught, never stored as verified."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cloudneutral_aws.testing import PART, MotoServer

import cloudneutral
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

OBJECTS = r"^/(src|dst)/.+"  # object requests (listings carry no checksum: not altered)


def aws(endpoint: str, bucket: str) -> str:
    return f"aws://{bucket}?region=eu-west-1&endpoint_url={endpoint}&min_part_size={PART}"


@pytest.fixture
def proxy(moto: MotoServer) -> Iterator[FaultProxy]:
    moto.reset()
    with FaultProxy(moto.endpoint, seed=11) as proxy:
        yield proxy


def faulty(proxy: FaultProxy) -> None:
    for fault in (s3_slow_down(), ResetBeforeForward(), ResetAfterForward()):
        proxy.add(Rule(fault, probability=0.01))
    for fault in (
        TruncateResponse(fraction=0.5),
        TruncateResponse(fraction=0.3, rewrite_length=True),
        AlterResponse(offset=100),
    ):
        proxy.add(Rule(fault, method="GET", path=OBJECTS, probability=0.01))
    proxy.add(Rule(AlterRequest(offset=100), method="PUT", path=OBJECTS, probability=0.01))


def fill(url: str, small: int, large: int) -> dict[str, bytes]:
    written: dict[str, bytes] = {}
    with cloudneutral.connect(url, part_size=PART) as cloud:
        assert cloud.url.bucket is not None
        cloud.blobs.create_bucket(cloud.url.bucket, exist_ok=True)
        bucket = cloud.bucket
        for n in range(small):
            written[f"s/{n:03d}"] = data = os.urandom(200 + n * 37)
            bucket.put(f"s/{n:03d}", data)
        for n in range(large):
            written[f"l/{n}"] = data = os.urandom(3 * PART + n * 1000)
            bucket.put(f"l/{n}", data, record_sha256=n % 2 == 0)
    return written


def read_all(url: str) -> dict[str, bytes]:
    with cloudneutral.connect(url) as cloud:
        bucket = cloud.bucket
        return {key: bucket.get(key) for key in list(bucket.keys())}


def fired(proxy: FaultProxy, kind: type) -> int:
    return sum(1 for e in proxy.log if isinstance(e.fault, kind))


def test_moto_to_local_through_faults(proxy: FaultProxy, moto: MotoServer, tmp_path: Path) -> None:
    written = fill(aws(moto.endpoint, "src"), small=150, large=4)
    faulty(proxy)
    dst = f"local://copy?root={tmp_path / 'dst'}"
    report = cloudneutral.migrate(aws(proxy.url, "src"), dst, journal=tmp_path / "j.sqlite", part_size=PART)
    assert report.ok, report.as_json()["failed"]
    assert read_all(dst) == written
    assert set(report.verified) <= {"md5", "md5-parts", "sha256"}  # nothing only by size
    assert fired(proxy, AlterResponse) >= 1 and fired(proxy, TruncateResponse) >= 1
    assert len([e for e in proxy.log if e.fault is not None]) >= 0.02 * len(proxy.log)


def test_local_to_moto_through_faults(proxy: FaultProxy, moto: MotoServer, tmp_path: Path) -> None:
    src = f"local://photos?root={tmp_path / 'src'}"
    written = fill(src, small=150, large=4)
    faulty(proxy)
    report = cloudneutral.migrate(src, aws(proxy.url, "dst"), journal=tmp_path / "j.sqlite", part_size=PART)
    assert report.ok, report.as_json()["failed"]
    assert read_all(aws(moto.endpoint, "dst")) == written
    assert fired(proxy, AlterRequest) >= 1
    assert cloudneutral.verify(src, aws(moto.endpoint, "dst"), journal=tmp_path / "j.sqlite").ok
    with cloudneutral.connect(aws(moto.endpoint, "dst")) as cloud:
        assert cloud.bucket.uploads() == []  # lost answers to "start an upload" leaked nothing
