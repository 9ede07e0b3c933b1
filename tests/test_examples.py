"""Every script in examples/ runs on the local provider, with no credentials, as a user would run it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

import cloudneutral

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AZURE_", "OS_"))}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"{name} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr
    return done


def test_every_example_is_tested() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == [
        "blobs_basics.py",
        "quickstart.py",
        "servers_and_volumes.py",
    ]


def test_quickstart_in_a_temporary_directory(tmp_path: Path) -> None:
    out = run_example("quickstart.py", cwd=tmp_path).stdout
    assert "connected to local" in out
    assert re.search(r"server  quickstart-web srv-\S+: running, size local.medium", out)
    assert re.search(r"volume  quickstart-data vol-\S+: 10 GiB, in-use", out)
    assert re.search(r"snapshot quickstart-snap snap-\S+: available", out)
    assert out.count("blob    photos/") == 3
    assert "verified 3 blobs by sha256; content matches" in out
    assert "cleaned up" in out
    tmp_dir = re.search(r"root=(\S+)/cloud\)", out)
    assert tmp_dir is not None and not Path(tmp_dir.group(1)).exists()  # its temporary directory is gone


def test_quickstart_keeps_its_data_under_root(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    out = run_example("quickstart.py", "--root", str(root), "--keep", cwd=tmp_path).stdout
    assert f"local data kept under {root}" in out
    # the copy is really in the second directory, blob for blob, byte for byte
    with (
        cloudneutral.connect(f"local://?root={quote(str(root / 'cloud'))}") as src,
        cloudneutral.connect(f"local://?root={quote(str(root / 'copy'))}") as dst,
    ):
        keys = sorted(src.blobs.bucket("photos").keys())
        assert keys == ["2024/beach.jpg", "2024/city.jpg", "notes/readme.txt"]
        assert sorted(dst.blobs.bucket("photos").keys()) == keys
        for key in keys:
            assert dst.blobs.bucket("photos").get(key) == src.blobs.bucket("photos").get(key)
        # --keep kept the server, the attached volume and the snapshot
        (server,) = src.servers.list()
        assert server.name == "quickstart-web" and len(server.volumes) == 1
        assert [s.name for s in src.volumes.snapshots()] == ["quickstart-snap"]


def test_quickstart_takes_a_url(tmp_path: Path) -> None:
    url = f"local://albums?root={quote(str(tmp_path / 'elsewhere'))}"
    out = run_example("quickstart.py", url, "--root", str(tmp_path / "r"), cwd=tmp_path).stdout
    assert "blob    albums/2024/beach.jpg" in out
    assert "copied  3 blobs from local://albums?root=" in out


@pytest.mark.parametrize("url", [None, "local://?root={tmp}"])
def test_blobs_basics(tmp_path: Path, url: str | None) -> None:
    args = [url.format(tmp=quote(str(tmp_path / "root")))] if url else []
    out = run_example("blobs_basics.py", *args, cwd=tmp_path).stdout
    assert "put     data/big.bin: 12582917 bytes streamed in parts" in out
    assert "head    docs/hello.txt: text/plain, metadata {'lang': 'en'}" in out
    assert "range   docs/hello.txt[0:5]: b'hello'" in out
    assert "list /  data/ (dir), docs/ (dir)" in out
    assert "reading it now raises NotFound" in out
    assert out.rstrip().endswith("deleted bucket examples")


def test_servers_and_volumes(tmp_path: Path) -> None:
    out = run_example("servers_and_volumes.py", cwd=tmp_path).stdout
    for expected in (
        "size    smallest with >= 1 vCPU and >= 1 GiB: local.small",
        "image   newest ubuntu: ubuntu-24.04",
        "regions 1: local ['local-a', 'local-b']",
        "stop    -> stopped",
        "start   -> running",
        "delete  refused while attached",
        "detach  ",
        "volumes example-data, example-restored",
        "deleted everything this script created",
    ):
        assert expected in out
