"""One redactor for every message: errors, CLI lines and cassettes show no credential."""

from __future__ import annotations

import pytest
from faulty import Faulty

import cloudneutral
from cloudneutral import cli, errors
from cloudneutral.redaction import REDACTED, find_secrets, redact, remember

SAMPLES = {
    "sas": "GET https://acct.blob.core.windows.net/c/k?sv=2024-01-01&sp=r&sig=Zm9vYmFyYmF6cXV4MTIzNA%3D%3D",
    "bearer": "Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln",
    "sharedkey": "Authorization: SharedKey devstoreaccount1:Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==",
    "url-password": "cannot reach https://admin:hunter2hunter2@keystone.example:5000/v3",
    "keystone": "X-Subject-Token: gAAAAABlYz1xR2VhbGx5bG9uZ3Rva2VuZm9ydGVzdGluZ3B1cnBvc2Vz",
    "swift": "X-Auth-Token: AUTH_tk0123456789abcdef0123456789abcdef",
    "aws-key": "The AWS Access Key Id AKIAIOSFODNN7EXAMPLE you provided does not exist",
    "connection-string": "AccountName=a;AccountKey=c2VjcmV0a2V5c2VjcmV0a2V5PT0=;BlobEndpoint=http://h",
    "json": '{"auth": {"passwordCredentials": {"password": "s3cr3t-pass"}}}',
    "signature": "X-Amz-Signature=0123456789abcdef0123456789abcdef&X-Amz-Credential=AKIA/20260101/x",
}
LEAKS = [
    "Zm9vYmFy",
    "eyJ0eXAi",
    "hunter2",
    "gAAAAABlYz1x",
    "AUTH_tk0123",
    "AKIAIOSFODNN7",
    "c2VjcmV0a2V5",
    "s3cr3t-pass",
]


@pytest.mark.parametrize("name", list(SAMPLES))
def test_every_credential_shape_is_redacted_and_redaction_is_idempotent(name: str) -> None:
    clean = redact(SAMPLES[name])
    assert REDACTED in clean
    assert not [leak for leak in LEAKS if leak in clean]
    assert redact(clean) == clean
    assert find_secrets(SAMPLES[name]) and not find_secrets(clean)


def test_secrets_the_process_knows_are_redacted_wherever_they_appear(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY")
    remember("my-session-token-value-42")
    text = "odd failure: wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY / my-session-token-value-42"
    assert redact(text) == f"odd failure: {REDACTED} / {REDACTED}"


class Leaky(Exception):
    """An SDK error whose message echoes a credential, as some do."""


def test_errors_and_cli_lines_never_show_a_known_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OS_PASSWORD", "correct-horse-battery")
    inner = cloudneutral.connect("local://").driver
    faulty = Faulty(inner, lambda exc: errors.ProviderError(f"{exc}"))
    faulty.faults["blobs.head_bucket"] = [
        Leaky("login with correct-horse-battery failed, Bearer abcdefghijklmnop")
    ]
    cloud = cloudneutral.Cloud.from_driver(faulty)
    with pytest.raises(errors.ProviderError) as caught:
        cloud.blobs.get_bucket("bucket")
    assert "correct-horse-battery" not in str(caught.value) and "abcdefghijklmnop" not in str(caught.value)
    line = cli.error_line(caught.value)
    assert "correct-horse-battery" not in line and "abcdefghijklmnop" not in line
    assert line.startswith("cloudneutral: error: ProviderError: ")
