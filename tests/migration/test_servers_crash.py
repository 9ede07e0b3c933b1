"""A server migration killed at any instant (SIGKILL) and applied again finishes the job:
every source resource exists exactly once at the target, volume bytes equal, snapshots
restored, no staging volume left behind."""

from __future__ import annotations

import collections
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from fleet import MiB, inventory

import cloudneutral
from cloudneutral.local import LocalSnapshotData, LocalVolumeData

SUPPORT = Path(__file__).resolve().parents[1] / "support"

RUN = textwrap.dedent(
    """
    import sys
    import cloudneutral
    from fleet import Logging
    src_url, dst_root, journal, log = sys.argv[1:5]
    src = cloudneutral.connect(src_url, clock=cloudneutral.FakeClock())
    inner = cloudneutral.connect(f"local://?root={dst_root}").driver
    dst = cloudneutral.Cloud.from_driver(Logging(inner, log), clock=cloudneutral.FakeClock())
    report = cloudneutral.apply_servers(src, dst, journal=journal, concurrency=2)
    print("OK" if report.ok else f"NOT OK {report.as_json()}")
    """
)


def start(src_url: str, dst_root: Path, journal: Path, log: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SUPPORT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen(
        [sys.executable, "-c", RUN, src_url, str(dst_root), str(journal), str(log)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def fleet(cloud: cloudneutral.Cloud) -> dict[str, bytes]:
    """Six servers with two volumes each (8 MiB of bytes in each), three snapshots."""
    written: dict[str, bytes] = {}
    for n in range(6):
        server = cloud.servers.create(f"s{n}", os="debian", min_vcpus=1 + n % 2, min_memory_mib=1024)
        for m in range(2):
            volume = cloud.volumes.create(f"s{n}-v{m}", 1 + m, zone=server.zone)
            data = os.urandom(8 * MiB)
            volume.as_native(LocalVolumeData).write(n * 100 * MiB, data)
            written[volume.name] = data
            volume = cloud.volumes.attach(volume, server)
            if n < 3 and m == 0:
                cloud.volumes.snapshot(volume, f"snap-{n}")
    return written


def no_duplicates(dst_root: Path) -> None:
    """At most one target resource per source resource (by the tag naming the source)."""
    with cloudneutral.connect(f"local://?root={dst_root}", clock=cloudneutral.FakeClock()) as cloud:
        try:
            tags = [s.tags.get("cn-source") for s in cloud.servers.list()]
            tags += [v.tags.get("cn-source") for v in cloud.volumes.list()]
        except cloudneutral.NotFound:  # nothing written yet
            return
    twice = [t for t, n in collections.Counter(tags).items() if n > 1]
    assert not twice, f"created twice: {twice}"


def test_sigkill_at_random_points_then_apply_again(tmp_path: Path) -> None:
    src_url = f"local://?root={tmp_path / 'src'}"
    with cloudneutral.connect(src_url, clock=cloudneutral.FakeClock()) as cloud:
        written = fleet(cloud)
        snapshots = {
            s.name: s.as_native(LocalSnapshotData).read(int(s.name[-1]) * 100 * MiB, 8 * MiB)
            for s in cloud.volumes.snapshots()
        }
    dst_root, journal, log = tmp_path / "dst", tmp_path / "servers.sqlite", tmp_path / "calls.log"
    rng = random.Random(20261123)
    kills = 0
    for _ in range(40):
        before = log.read_text().count("\n") if log.exists() else 0
        wait_for = rng.randint(1, 4)
        child = start(src_url, dst_root, journal, log)
        deadline = time.monotonic() + 60
        while (
            child.poll() is None and (log.read_text().count("\n") if log.exists() else 0) < before + wait_for
        ):
            assert time.monotonic() < deadline
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.02))
        if child.poll() is not None:
            out, err = child.communicate()
            assert child.returncode == 0 and out.strip() == "OK", (out, err)
            break
        child.send_signal(signal.SIGKILL)
        child.wait()
        kills += 1
        no_duplicates(dst_root)
    final = start(src_url, dst_root, journal, log)
    out, err = final.communicate(timeout=120)
    assert final.returncode == 0 and out.strip() == "OK", (out, err)
    assert kills >= 10, f"only {kills} runs were killed before finishing"
    no_duplicates(dst_root)
    with cloudneutral.connect(f"local://?root={dst_root}", clock=cloudneutral.FakeClock()) as cloud:
        there = inventory(cloud)
        assert there.counts == (6, 12, 3)  # no staging volume left
        assert {name: (srv, dev) for name, (_, _, srv, dev) in there.volumes.items()} == {
            f"s{n}-v{m}": (f"s{n}", f"/dev/vd{'bc'[m]}") for n in range(6) for m in range(2)
        }
        for volume in cloud.volumes.list():
            n = int(volume.name[1])
            assert volume.as_native(LocalVolumeData).read(n * 100 * MiB, 8 * MiB) == written[volume.name]
        for snapshot in cloud.volumes.snapshots():
            offset = int(snapshot.name[-1]) * 100 * MiB
            assert snapshot.as_native(LocalSnapshotData).read(offset, 8 * MiB) == snapshots[snapshot.name]
    calls = collections.Counter(log.read_text().split())
    assert calls["servers.create_server"] <= 6 and calls["volumes.create_snapshot"] <= 3  # never twice
