"""A migration killed at any instant and started again finishes the job: byte-identical
results, no object uploaded twice in full, nothing partial ever visible, no upload leaked."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from counting import sent
from faulty import Faulty
from migrating import Fill, MiB, contents

import cloudneutral
from cloudneutral import errors

SUPPORT = Path(__file__).resolve().parents[1] / "support"

RUN = textwrap.dedent(
    """
    import sys
    import cloudneutral
    from counting import Counting
    src_url, dst_root, journal, log = sys.argv[1:5]
    source = cloudneutral.connect(src_url).blobs.bucket("photos")
    inner = cloudneutral.connect(f"local://?root={dst_root}").driver
    target = cloudneutral.Cloud.from_driver(Counting(inner, log)).blobs
    target.create_bucket("backup", exist_ok=True)
    bucket = target.bucket("backup")
    report = cloudneutral.migrate(source, bucket, journal=journal, part_size=1 << 20, concurrency=3)
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


def visible_objects_are_whole(dst_root: Path, written: dict[str, bytes]) -> None:
    for key, data in contents(f"local://backup?root={dst_root}").items():
        assert data == written[key], f"{key} is visible but not whole"


def test_sigkill_at_random_points_then_resume(src_url: str, fill: Fill, tmp_path: Path) -> None:
    written = fill(small=120, large=(16 * MiB + 5, 12 * MiB, 10 * MiB + 1))
    dst_root, journal, log = tmp_path / "dst", tmp_path / "journal.sqlite", tmp_path / "sent.log"
    rng = random.Random(20261123)
    kills = 0
    for _ in range(30):
        before = log.read_text().count("\n") if log.exists() else 0
        wait_for = rng.randint(1, 12)  # kill after this many more writes (and a random instant)
        child = start(src_url, dst_root, journal, log)
        deadline = time.monotonic() + 60
        while (
            child.poll() is None and (log.read_text().count("\n") if log.exists() else 0) < before + wait_for
        ):
            assert time.monotonic() < deadline
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.03))
        if child.poll() is not None:
            out, err = child.communicate()
            assert child.returncode == 0 and out.strip() == "OK", (out, err)
            break
        child.send_signal(signal.SIGKILL)
        child.wait()
        kills += 1
        if dst_root.exists():
            visible_objects_are_whole(dst_root, written)
    final = start(src_url, dst_root, journal, log)
    out, err = final.communicate(timeout=300)
    assert final.returncode == 0 and out.strip() == "OK", (out, err)
    assert kills >= 10, f"only {kills} runs were killed before finishing"
    assert contents(f"local://backup?root={dst_root}") == written
    totals = sent(str(log))
    for key, data in written.items():  # (a kill between a write and its log line logs less)
        assert totals.get(key, 0) < max(1, 2 * len(data)), f"{key} was sent twice in full"
    assert list((dst_root / "blobs" / "backup" / "uploads").iterdir()) == []  # no upload leaked


def test_a_failed_object_resumes_its_upload_and_sends_only_the_missing_parts(
    src_url: str, fill: Fill, tmp_path: Path
) -> None:
    written = fill(small=0, large=(5 * MiB,))
    journal = tmp_path / "journal.sqlite"
    source = cloudneutral.connect(src_url).blobs.bucket("photos")
    inner = cloudneutral.connect(f"local://?root={tmp_path / 'dst'}").driver
    faulty = Faulty(inner)
    target = cloudneutral.Cloud.from_driver(faulty, clock=cloudneutral.FakeClock())
    target.blobs.create_bucket("backup")
    # the copy takes the source's layout (parts of 2 MiB, as written): 3 parts; the third fails
    faulty.faults["upload.put_part"] = [None, None, errors.QuotaExceeded("disk full")]
    first = cloudneutral.migrate(
        source, target.blobs.bucket("backup"), journal=journal, part_size=MiB, concurrency=1
    )
    assert not first.ok and [o.key for o in first.failed] == ["large/0.bin"]
    assert "large/0.bin" not in contents(f"local://backup?root={tmp_path / 'dst'}")  # nothing partial
    faulty.calls.clear()
    second = cloudneutral.migrate(
        source, target.blobs.bucket("backup"), journal=journal, part_size=MiB, concurrency=1
    )
    assert second.ok
    assert faulty.count("blobs.resume_upload") == 1 and faulty.count("blobs.open_upload") == 0
    assert faulty.count("upload.put_part") == 1  # part 3 only: parts 1 and 2 were kept
    assert contents(f"local://backup?root={tmp_path / 'dst'}") == written


def test_an_upload_a_replaced_plan_left_is_aborted(src_url: str, fill: Fill, tmp_path: Path) -> None:
    fill(small=0, large=(5 * MiB,))
    journal = tmp_path / "journal.sqlite"
    dst = f"local://backup?root={tmp_path / 'dst'}"
    source = cloudneutral.connect(src_url).blobs.bucket("photos")
    inner = cloudneutral.connect(dst).driver
    faulty = Faulty(inner)
    target = cloudneutral.Cloud.from_driver(faulty).blobs
    target.create_bucket("backup")
    faulty.faults["upload.put_part"] = [None, errors.QuotaExceeded("disk full")]
    assert not cloudneutral.migrate(source, target.bucket("backup"), journal=journal, part_size=MiB).ok
    uploads = tmp_path / "dst" / "blobs" / "backup" / "uploads"
    assert len(list(uploads.iterdir())) == 1
    source.put("large/0.bin", os.urandom(4 * MiB), part_size=2 * MiB)  # the source changed: a new plan
    assert cloudneutral.migrate(source, target.bucket("backup"), journal=journal, part_size=MiB).ok
    assert list(uploads.iterdir()) == []


@pytest.mark.parametrize("signals", [1, 2], ids=["one", "two"])
def test_ctrl_c_stops_promptly_and_the_next_run_resumes(
    src_url: str, fill: Fill, tmp_path: Path, signals: int
) -> None:
    written = fill(small=60, large=(8 * MiB, 8 * MiB))
    dst = f"local://backup?root={tmp_path / 'dst'}"
    args = [
        sys.executable,
        "-m",
        "cloudneutral",
        "migrate",
        "--concurrency",
        "2",
        "--part-size",
        str(MiB),
        src_url,
        dst,
    ]
    child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    started = tmp_path / "dst" / "blobs" / "backup"
    while not (started.exists() and any(started.iterdir())):  # stopped once copying has begun
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.005)
    for _ in range(signals):
        child.send_signal(signal.SIGINT)
    try:
        _, err = child.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        child.kill()
        pytest.fail("migrate did not stop within 5 s of Ctrl-C")
    if child.returncode == 0:
        pytest.skip("the migration finished before the interrupt arrived")
    assert child.returncode == 130 and "Traceback" not in err, err
    assert "run again to resume" in err
    visible_objects_are_whole(tmp_path / "dst", written)
    assert cloudneutral.migrate(src_url, dst).ok
    assert contents(dst) == written
