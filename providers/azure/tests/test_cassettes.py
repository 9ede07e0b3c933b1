"""No credential reaches a cassette: a planted storage key, SAS, ARM token and subscription id
are recorded and searched for, and the committed cassettes under ``cassettes/azure/`` are
searched for signature shapes (SharedKey, Bearer, SAS ``sig=``) and non-zero subscriptions."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from cloudneutral_azure.testing.azurite import AzuriteNotFound, find_azurite

ROOT = Path(__file__).resolve().parents[3]
COMMITTED = ROOT / "cassettes" / "azure"
PLANTED_KEY = base64.b64encode(b"cn-planted-storage-key-0123456789abcdef-planted!").decode()
PLANTED_TOKEN = "cn-planted-arm-token-5f1d2c3b4a"
PLANTED_SUBSCRIPTION = "7e1d5b2a-4c3f-4a8e-9b6d-2f0c1a3e5d7b"
SHAPES = [
    re.compile(r"SharedKey(Lite)? [A-Za-z0-9]+:[A-Za-z0-9+/=]{20,}"),
    re.compile(r"Bearer [A-Za-z0-9._-]{8,}"),
    re.compile(r"[?&]sig=(?!REDACTED)[A-Za-z0-9%+/=]{10,}"),
    re.compile(r"(?i)subscriptions/(?!00000000-0000-0000-0000-000000000000)[0-9a-f]{8}-[0-9a-f]{4}-"),
    re.compile(r'"adminPassword":\s*"(?!REDACTED)'),
]

PLANTED_MODULE = f"""
import os

import pytest

from cloudneutral.conformance.suite import (  # noqa: F401
    TestBlobReadWrite, TestBuckets, TestSnapshots, TestVolumes,
)
from cloudneutral_azure.conformance import AzureHarness


@pytest.fixture(scope="session")
def cn_harness():
    return AzureHarness(
        account_key={PLANTED_KEY!r},
        token={PLANTED_TOKEN!r},
        subscription={PLANTED_SUBSCRIPTION!r},
        sas=os.environ["CN_PLANTED_SAS"] == "1",
    )


def test_the_planted_credentials_are_used(cn):
    from azure.storage.blob import BlobServiceClient

    service = cn.cloud.blobs.as_native(BlobServiceClient)
    credential = service.credential
    key = getattr(credential, "account_key", None)
    assert key == {PLANTED_KEY!r} or "sig=" in service.url
    cn.bucket()  # one signed request at least, recorded
"""


def _leaks(text: str, extra: tuple[str, ...] = ()) -> list[str]:
    found = [v for v in (PLANTED_KEY, PLANTED_TOKEN, PLANTED_SUBSCRIPTION, *extra) if v in text]
    return found + [p.pattern for p in SHAPES if p.search(text)]


@pytest.mark.parametrize("sas", [False, True], ids=["account-key", "account-sas"])
def test_recording_with_planted_credentials_leaves_no_trace(tmp_path: Path, sas: bool) -> None:
    try:
        find_azurite(install=False)
    except AzuriteNotFound:
        pytest.skip("Azurite is not installed (scripts/peers/azurite.sh start installs it)")
    module = tmp_path / "test_planted.py"
    module.write_text(textwrap.dedent(PLANTED_MODULE), encoding="utf-8")
    cassettes = tmp_path / "cassettes"
    plugin = (
        ["-p", "cloudneutral.conformance.plugin"] if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD") else []
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CN_AZURE_")}
    env["CN_PLANTED_SAS"] = "1" if sas else "0"
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
            "planted or test_create_returns_bucket or test_multipart_from_iterator "
            "or test_attach_and_detach or test_snapshot_available",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    files = sorted((cassettes / "azure").glob("*.yaml"))
    assert len(files) >= 5, files
    signed = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        signed += bool(re.search(r"Authorization:\s*- REDACTED", text))
        assert _leaks(text) == [], path.name
    assert signed >= 4


def test_committed_cassettes_hold_no_credentials() -> None:
    files = sorted(COMMITTED.glob("*.yaml"))
    if not files:
        pytest.skip(f"no cassettes recorded under {COMMITTED}")
    leaking = {p.name: _leaks(p.read_text(encoding="utf-8", errors="replace")) for p in files}
    assert {name: found for name, found in leaking.items() if found} == {}
