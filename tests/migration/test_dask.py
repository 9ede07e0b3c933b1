"""Migrations over a Dask cluster (a LocalCluster of 2 worker processes) on the local provider:
the same verified result as a local run, the journal kept by the client, a worker killed
mid-run losing nothing committed, the ``--executor`` option."""

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
from migrating import Fill, MiB, contents

import cloudneutral
from cloudneutral import errors
from cloudneutral.cli import main
from cloudneutral.migration import Journal

distributed = pytest.importorskip("distributed")


def cluster() -> Any:
    return distributed.LocalCluster(
        n_workers=2, threads_per_worker=2, processes=True, dashboard_address=":0", silence_logs=40
    )


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with cluster() as local, distributed.Client(local) as client:
        yield client


def done_in(journal: Path) -> int:
    """Objects the journal holds as done (read while a run writes it)."""
    try:
        with sqlite3.connect(journal) as db:
            return int(db.execute("SELECT COUNT(*) FROM objects WHERE state = 'done'").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_a_run_on_dask_copies_and_verifies_everything(
    src_url: str, dst_url: str, fill: Fill, tmp_path: Path, client: Any
) -> None:
    written = fill(small=150, large=(5 * MiB + 1, 3 * MiB))
    journal = tmp_path / "journal.sqlite"
    seen: list[str] = []
    report = cloudneutral.migrate(
        src_url, dst_url, client=client, journal=journal, part_size=MiB, on_done=lambda o: seen.append(o.key)
    )
    assert report.ok and len(report.copied) == 152, report.as_json()
    assert set(report.verified) <= {"sha256", "md5-parts"}  # every copy checked against a source checksum
    assert sorted(seen) == sorted(written)  # each object reported once
    assert contents(dst_url) == written
    records = list(Journal(journal).entries())
    assert (
        all(e.state == "done" and e.sha256 for e in records) and len(records) == 152
    )  # written by the client
    again = cloudneutral.migrate(src_url, dst_url, client=client, journal=journal)
    assert again.ok and again.copied == [] and again.plan.counts["skip"][0] == 152
    assert cloudneutral.verify(src_url, dst_url, journal=journal).ok


def test_deletes_and_filters_run_on_dask_too(src_url: str, dst_url: str, fill: Fill, client: Any) -> None:
    fill(small=5)
    with cloudneutral.connect(dst_url) as cloud:
        cloud.blobs.create_bucket("backup")
        cloud.blobs.bucket("backup", "2024/").put("stale.txt", b"old")
    report = cloudneutral.migrate(src_url, dst_url, client=client, delete=True, exclude=["small/004.*"])
    assert report.ok and [o.key for o in report.deleted] == ["stale.txt"]
    assert sorted(contents(dst_url)) == [f"small/{n:03d}.jpg" for n in range(4)]


def test_workers_need_urls_they_can_open(src_url: str, fill: Fill, tmp_path: Path, client: Any) -> None:
    fill(small=1)
    source = cloudneutral.connect(src_url).blobs.bucket("photos")
    with pytest.raises(errors.InvalidArgument, match="as a URL"):
        cloudneutral.migrate(source, f"local://bkp?root={tmp_path / 'd'}", client=client)
    with pytest.raises(errors.InvalidArgument, match="root=DIR"):
        cloudneutral.migrate(src_url, "local://bkp?name=mine", client=client)


def test_a_worker_killed_mid_run_loses_nothing_and_its_objects_are_run_again(
    src_url: str, dst_url: str, fill: Fill, tmp_path: Path
) -> None:
    written = fill(small=400, large=tuple(4 * MiB + n for n in range(8)))
    journal = tmp_path / "journal.sqlite"
    dst_root = tmp_path / "dst"
    with cluster() as local, distributed.Client(local) as client:
        pids = client.run(os.getpid)
        result: dict[str, Any] = {}

        def run() -> None:
            try:
                result["report"] = cloudneutral.migrate(
                    src_url, dst_url, client=client, journal=journal, part_size=MiB, concurrency=2
                )
            except BaseException as exc:
                result["error"] = exc

        runner = threading.Thread(target=run)
        runner.start()
        deadline = time.monotonic() + 120
        while not (journal.exists() and done_in(journal) >= 20):
            assert runner.is_alive() and time.monotonic() < deadline, result
            time.sleep(0.005)
        busy = {w: keys for w, keys in client.processing().items() if keys and w in pids}
        assert busy, "no worker was running a task"
        victim = next(iter(busy))
        os.kill(pids[victim], signal.SIGKILL)
        done_at_kill = done_in(journal)
        assert done_at_kill < len(written), "the run had finished before the kill"
        for key, data in contents(dst_url).items():  # nothing partial is visible
            assert data == written[key]
        runner.join(timeout=300)
        assert not runner.is_alive()
    if "error" in result:
        raise result["error"]
    report = result["report"]
    assert report.ok, report.as_json()
    assert set(report.verified) <= {"sha256", "md5-parts"}
    assert contents(dst_url) == written
    assert done_in(journal) == len(written)
    assert list((dst_root / "blobs" / "backup" / "uploads").iterdir()) == []  # no upload leaked


def test_the_command_runs_on_a_cluster(
    src_url: str, dst_url: str, fill: Fill, client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    written = fill(small=20, large=(3 * MiB,))
    address = client.scheduler.address.removeprefix("tcp://")
    args = ["migrate", "--part-size", str(MiB), "--executor", f"dask://{address}", src_url, dst_url]
    assert main(args) == 0
    assert "migrated 21 objects" in capsys.readouterr().out
    assert contents(dst_url) == written
    assert main(["migrate", "--executor", "dask://nowhere", src_url, dst_url]) == 2
    assert "expected dask://HOST:PORT" in capsys.readouterr().err


def test_a_cancelled_run_stops_its_workers_and_the_next_run_finishes(
    src_url: str, dst_url: str, fill: Fill, tmp_path: Path, client: Any
) -> None:
    written = fill(small=300, large=tuple(4 * MiB + n for n in range(6)))
    journal = tmp_path / "journal.sqlite"
    stop = cloudneutral.Cancel()

    def after_some(outcome: Any) -> None:
        if outcome.state == "done":
            stop.set()

    report = cloudneutral.migrate(
        src_url,
        dst_url,
        client=client,
        journal=journal,
        part_size=MiB,
        concurrency=2,
        cancel=stop,
        on_done=after_some,
    )
    assert report.cancelled and not report.ok
    assert done_in(journal) < len(written)
    for key, data in contents(dst_url).items():  # nothing partial is visible
        assert data == written[key]
    again = cloudneutral.migrate(src_url, dst_url, client=client, journal=journal, part_size=MiB)
    assert again.ok and contents(dst_url) == written
    assert list((tmp_path / "dst" / "blobs" / "backup" / "uploads").iterdir()) == []
