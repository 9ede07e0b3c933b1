"""Ctrl-C during ``cloudneutral cp``: a prompt stop, nothing half-written, an honest summary,
exit 130, no traceback even for a second Ctrl-C, and no hang (the run is repeated)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

import cloudneutral

SMALL = 300


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("src") / "root"
    with cloudneutral.connect(f"local://?root={quote(str(root))}") as cloud:
        cloud.blobs.create_bucket("data")
        bucket = cloud.blobs.bucket("data")
        bucket.put("a-big.bin", os.urandom(1 << 20) * 40, part_size=8 << 20)  # copied first, in parts
        for n in range(SMALL):
            bucket.put(f"small/{n:04d}", os.urandom(4096))
    return root


def leftovers(root: Path) -> list[Path]:
    return [*root.rglob(".tmp-*"), *root.glob("blobs/*/uploads/*")]


@pytest.mark.parametrize("run", range(6))
@pytest.mark.parametrize("signals", [1, 2], ids=["one-ctrl-c", "two-ctrl-c"])
def test_ctrl_c_during_cp(source: Path, tmp_path: Path, run: int, signals: int) -> None:
    target = tmp_path / "dst"
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cloudneutral",
            "cp",
            "--concurrency",
            "2",
            f"local://data/?root={quote(str(source))}",
            f"local://copy?root={quote(str(target))}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    deadline = time.monotonic() + 60
    while not (target / "blobs" / "copy").exists():  # the copy has begun
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(0.05 * run)  # interrupt at different points
    sent = time.monotonic()
    for _ in range(signals):
        child.send_signal(signal.SIGINT)
        time.sleep(0.01)
    try:  # it stops in well under a second here; 5 s catches a drain that waits for nothing
        out, err = child.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        child.kill()
        pytest.fail(f"cp did not stop within 5 s of Ctrl-C: {child.communicate()}")
    stopped_after = time.monotonic() - sent
    if child.returncode == 0:
        pytest.skip("the copy finished before the interrupt arrived")
    assert child.returncode == 130, (out, err)
    assert "Traceback" not in err
    assert err.startswith("cloudneutral: interrupted: ") and "blobs were copied and verified" in err
    assert leftovers(target) == []  # every upload in flight was aborted
    copied = int(err.split("interrupted: ")[1].split()[0])
    with cloudneutral.connect(f"local://?root={quote(str(target))}") as cloud:
        copy = cloud.blobs.bucket("copy")
        present = {key: copy.get(key) for key in list(copy.keys())}
    with cloudneutral.connect(f"local://?root={quote(str(source))}") as cloud:
        originals = cloud.blobs.bucket("data")
        assert all(originals.get(k) == v for k, v in present.items())  # nothing partial is visible
    assert len(present) >= copied
    print(f"stopped {stopped_after:.2f} s after Ctrl-C, {copied} blobs reported copied")
