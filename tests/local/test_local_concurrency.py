"""Processes (and threads) sharing a local store lose no updates."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import cloudneutral
from cloudneutral import ServerState

WORKERS = 6
EACH = 15

#: Each child waits for the ``go`` file so that all of them really run at once.
CREATOR = """
import sys, time, pathlib, cloudneutral
root, go, me = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
cloud = cloudneutral.connect(f"local://?root={root}")
while not go.exists():
    time.sleep(0.005)
for n in range(int(sys.argv[4])):
    server = cloud.servers.create(f"w{me}-{n}", os="ubuntu", min_vcpus=1, wait=False, tags={"worker": me})
    cloud.servers.get(server)  # an observation (a write) between creations
    cloud.volumes.create(f"v{me}-{n}", 1, wait=False)
"""

OBSERVER = """
import sys, time, pathlib, cloudneutral
root, go, server = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
cloud = cloudneutral.connect(f"local://?root={root}")
while not go.exists():
    time.sleep(0.005)
print(cloud.servers.get(server).state.value)
"""


def run_all(spawn_python: Any, go: Path, code: str, argv: list[list[str]]) -> list[str]:
    children = [spawn_python(code, *args) for args in argv]
    time.sleep(0.3)  # let every interpreter start and reach the barrier
    go.touch()
    outputs = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        outputs.append(out.strip())
    return outputs


def test_processes_creating_servers_at_once_lose_none(root: Path, tmp_path: Path, spawn_python: Any) -> None:
    cloud = cloudneutral.connect(f"local://?root={root}")  # the root is created by the racers
    go = tmp_path / "go"
    run_all(spawn_python, go, CREATOR, [[str(root), str(go), str(w), str(EACH)] for w in range(WORKERS)])
    servers = list(cloud.servers.list(page_size=7))
    assert len(servers) == len({s.id for s in servers}) == WORKERS * EACH
    assert sorted(s.name for s in servers) == sorted(f"w{w}-{n}" for w in range(WORKERS) for n in range(EACH))
    assert all(s.tags["worker"] == s.name[1:].split("-")[0] for s in servers)
    assert len({s.private_ips for s in servers}) == WORKERS * EACH
    assert len(list(cloud.volumes.list())) == WORKERS * EACH


def test_exactly_one_process_observes_the_transitional_state(
    root: Path, tmp_path: Path, spawn_python: Any
) -> None:
    cloud = cloudneutral.connect(f"local://?root={root}")
    server = cloud.servers.create("web", os="ubuntu", min_vcpus=1, wait=False)
    go = tmp_path / "go"
    seen = run_all(spawn_python, go, OBSERVER, [[str(root), str(go), server.id] for _ in range(WORKERS)])
    assert sorted(seen) == ["pending"] + ["running"] * (WORKERS - 1)


def test_threads_writing_one_key_leave_one_whole_blob(url: str) -> None:
    cloud = cloudneutral.connect(url)
    cloud.blobs.create_bucket("bkt")
    bucket = cloud.blobs.bucket("bkt")
    payloads = [bytes([n]) * (100_000 + n) for n in range(8)]
    threads = [threading.Thread(target=bucket.put, args=("k", p)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    data = bucket.get("k")  # whole-blob reads check the stored MD5 too
    assert data in payloads
    assert bucket.head("k").size == len(data)


def test_threads_creating_servers_in_memory_lose_none() -> None:
    cloud = cloudneutral.connect("local://")
    threads = [
        threading.Thread(
            target=lambda n=n: [
                cloud.servers.create(f"t{n}-{i}", os="ubuntu", min_vcpus=1, wait=False) for i in range(20)
            ]
        )
        for n in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(list(cloud.servers.list())) == 160
    assert {s.state for s in cloud.servers.list()} == {ServerState.RUNNING}


def test_threads_creating_a_fresh_root_at_once_all_succeed(tmp_path: Path) -> None:
    failures: list[BaseException] = []
    for round_ in range(30):
        root = tmp_path / f"root-{round_}"
        start = threading.Barrier(8)

        def first_write(root: Path = root, start: threading.Barrier = start) -> None:
            cloud = cloudneutral.connect(f"local://?root={root}")
            start.wait()
            try:
                cloud.volumes.create("v", 1, wait=False)
            except BaseException as exc:  # e.g. "not empty and is not a cloudneutral root"
                failures.append(exc)

        threads = [threading.Thread(target=first_write) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
