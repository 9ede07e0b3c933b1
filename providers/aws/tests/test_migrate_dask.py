"""Migrations over a Dask cluster (a LocalCluster of 2 worker processes) between the local
provider and S3 (moto): every object verified, a worker killed mid-run losing nothing
committed, no upload leaked."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cloudneutral_aws.testing import PART, MotoServer

import cloudneutral

distributed = pytest.importorskip("distributed")


def aws(endpoint: str, bucket: str) -> str:
    return f"aws://{bucket}?region=eu-west-1&endpoint_url={endpoint}&min_part_size={PART}"


def cluster() -> Any:
    return distributed.LocalCluster(
        n_workers=2, threads_per_worker=2, processes=True, dashboard_address=":0", silence_logs=40
    )


@pytest.fixture(scope="module")
def client(moto: MotoServer) -> Iterator[Any]:
    """A cluster whose workers inherit the fake credentials the moto fixture set."""
    with cluster() as local, distributed.Client(local) as client:
        yield client


def fill(url: str, small: int, large: int) -> dict[str, bytes]:
    written: dict[str, bytes] = {}
    with cloudneutral.connect(url, part_size=PART) as cloud:
        assert cloud.url.bucket is not None
        cloud.blobs.create_bucket(cloud.url.bucket, exist_ok=True)
        for n in range(small):
            written[f"s/{n:03d}"] = data = os.urandom(100 + n * 31)
            cloud.bucket.put(f"s/{n:03d}", data)
        for n in range(large):
            written[f"l/{n}"] = data = os.urandom(5 * PART + n * 1000)
            cloud.bucket.put(f"l/{n}", data)
    return written


def read_all(url: str) -> dict[str, bytes]:
    with cloudneutral.connect(url) as cloud:
        try:
            return {key: cloud.bucket.get(key) for key in list(cloud.bucket.keys())}
        except cloudneutral.NotFound:
            return {}


def done_in(journal: Path) -> int:
    try:
        with sqlite3.connect(journal) as db:
            return int(db.execute("SELECT COUNT(*) FROM objects WHERE state = 'done'").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_moto_to_local_on_dask(moto: MotoServer, client: Any, tmp_path: Path) -> None:
    moto.reset()
    src = aws(moto.endpoint, "src")
    written = fill(src, small=80, large=3)
    dst = f"local://copy?root={tmp_path / 'dst'}"
    report = cloudneutral.migrate(src, dst, client=client, journal=tmp_path / "j.sqlite", part_size=PART)
    assert report.ok, report.as_json()
    assert set(report.verified) <= {"md5", "md5-parts", "sha256"} and len(report.copied) == 83
    assert read_all(dst) == written
    assert cloudneutral.verify(src, dst, journal=tmp_path / "j.sqlite").ok


def test_local_to_moto_with_a_worker_killed_mid_run(moto: MotoServer, tmp_path: Path) -> None:
    moto.reset()
    src = f"local://photos?root={tmp_path / 'src'}"
    written = fill(src, small=300, large=12)
    dst = aws(moto.endpoint, "dst")
    journal = tmp_path / "j.sqlite"
    with cluster() as local, distributed.Client(local) as client:
        pids = client.run(os.getpid)
        result: dict[str, Any] = {}

        def run() -> None:
            try:
                result["report"] = cloudneutral.migrate(
                    src, dst, client=client, journal=journal, part_size=PART, concurrency=2
                )
            except BaseException as exc:
                result["error"] = exc

        runner = threading.Thread(target=run)
        runner.start()
        deadline = time.monotonic() + 120
        while done_in(journal) < 20:
            assert runner.is_alive() and time.monotonic() < deadline, result
            time.sleep(0.005)
        busy = [w for w, keys in client.processing().items() if keys and w in pids]
        assert busy, "no worker was running a task"
        os.kill(pids[busy[0]], signal.SIGKILL)
        assert done_in(journal) < len(written), "the run had finished before the kill"
        for key, data in read_all(dst).items():  # nothing partial is visible
            assert data == written[key]
        runner.join(timeout=300)
        assert not runner.is_alive()
    if "error" in result:
        raise result["error"]
    report = result["report"]
    assert report.ok, report.as_json()
    assert set(report.verified) <= {"md5", "md5-parts", "sha256"}
    assert read_all(dst) == written
    with cloudneutral.connect(dst) as cloud:
        assert cloud.bucket.uploads() == []  # nothing a dead worker opened is left behind
