"""No credential reaches a committed libcloud cassette: AWS4 signatures, Azure SharedKey
signatures, the Azurite account key and the fake S3 keys are searched for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cloudneutral_libcloud.conformance import AZURITE_KEY, FAKE_KEY, FAKE_SECRET

ROOT = Path(__file__).resolve().parents[3]
SHAPES = [
    re.compile(r"AWS4-HMAC-SHA256 Credential="),
    re.compile(r"Signature=[0-9a-f]{64}"),
    re.compile(r"SharedKey(Lite)? [a-z0-9]+:"),
]
LITERALS = [AZURITE_KEY, FAKE_SECRET, FAKE_KEY]


def leaks(text: str) -> list[str]:
    return [p.pattern for p in SHAPES if p.search(text)] + [s[:6] + "..." for s in LITERALS if s in text]


@pytest.mark.parametrize("harness", ["libcloud-s3", "libcloud-azure"])
def test_committed_cassettes_hold_no_credentials(harness: str) -> None:
    files = sorted((ROOT / "cassettes" / harness).glob("*.yaml"))
    assert len(files) > 100, f"cassettes of {harness} missing"
    found = {p.name: leaks(p.read_text(encoding="utf-8", errors="replace")) for p in files}
    assert {name: hit for name, hit in found.items() if hit} == {}
    signed = sum("Authorization:\n      - REDACTED" in p.read_text(errors="replace") for p in files[:20])
    assert signed, "no scrubbed Authorization header: the cassettes are not what this test thinks"


def test_the_scan_finds_planted_signatures() -> None:
    assert leaks("Authorization: AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/s3/aws4_request")
    assert leaks("Authorization: SharedKey devstoreaccount1:abc=")
    assert leaks(f"key {AZURITE_KEY}")
