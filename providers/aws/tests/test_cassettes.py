"""No credential reaches a cassette: a planted fake key is recorded and searched for, and the
committed cassettes under ``cassettes/aws/`` are searched for signature shapes."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
COMMITTED = ROOT / "cassettes" / "aws"
PLANTED_KEY = "AKIACNPLANTEDKEY0001"
PLANTED_SECRET = "cn-planted-secret-7f3e9a51c2d84b06"
SIGNATURE_SHAPES = [
    re.compile(r"AWS4-HMAC-SHA256 Credential=[A-Z0-9]"),
    re.compile(r"X-Amz-Signature="),
    re.compile(r"Signature=[0-9a-f]{64}"),
]

PLANTED_MODULE = f"""
import os

import pytest

from cloudneutral.conformance.suite import (  # noqa: F401
    TestBlobReadWrite,
    TestBuckets,
    TestSnapshots,
    TestVolumes,
)
from cloudneutral_aws.conformance import AwsHarness


@pytest.fixture(scope="session")
def cn_harness():
    return AwsHarness(access_key_id={PLANTED_KEY!r}, secret_access_key={PLANTED_SECRET!r})


def test_the_planted_key_signs_the_requests(cn):
    import boto3

    credentials = cn.cloud.as_native(boto3.Session).get_credentials()
    assert (credentials.access_key, credentials.secret_key) == ({PLANTED_KEY!r}, {PLANTED_SECRET!r})
    cn.bucket()  # one signed request at least, recorded
"""


def _leaks(text: str) -> list[str]:
    found = [value for value in (PLANTED_KEY, PLANTED_SECRET) if value in text]
    return found + [p.pattern for p in SIGNATURE_SHAPES if p.search(text)]


def test_recording_with_a_planted_key_leaves_no_trace(tmp_path: Path) -> None:
    for module_name in ("moto", "vcr"):  # looked up, not imported: moto reads its settings once
        if importlib.util.find_spec(module_name) is None:
            pytest.skip(f"{module_name} is not installed")
    module = tmp_path / "test_planted.py"
    module.write_text(textwrap.dedent(PLANTED_MODULE), encoding="utf-8")
    cassettes = tmp_path / "cassettes"
    plugin = (
        ["-p", "cloudneutral.conformance.plugin"] if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD") else []
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *plugin,
            str(module),
            "-q",
            "-p",
            "no:cacheprovider",
            f"--rootdir={tmp_path}",
            "--cn-mode=record",
            f"--cn-cassettes={cassettes}",
            "-k",
            # test_snapshot_available asks STS who the caller is: its answer names the key
            "planted or TestBuckets or test_multipart_from_iterator or test_attach_and_detach"
            " or test_snapshot_available",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    files = sorted((cassettes / "aws").glob("*.yaml"))
    assert len(files) >= 5, files
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert re.search(r"Authorization:\s*- REDACTED", text), f"{path.name}: no scrubbed signed request"
        assert _leaks(text) == [], path.name


def test_committed_cassettes_hold_no_credentials() -> None:
    files = sorted(COMMITTED.glob("*.yaml"))
    if not files:
        pytest.skip(f"no cassettes recorded under {COMMITTED}")
    leaking = {p.name: _leaks(p.read_text(encoding="utf-8", errors="replace")) for p in files}
    assert {name: found for name, found in leaking.items() if found} == {}
