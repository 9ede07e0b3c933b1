"""A moto server for the adapter tests: one per session, reset before each test.

Fake credentials only; every request goes to the loopback endpoint.
"""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import cloudneutral

PART = 256 * 1024
AMIS = Path(__file__).resolve().parents[1] / "cloudneutral_aws" / "moto_amis.json"
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIAFAKEFORTESTS0001",
    "AWS_SECRET_ACCESS_KEY": "fake-secret-for-tests",
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_CONFIG_FILE": os.devnull,
}


@pytest.fixture(scope="session")
def endpoint() -> Iterator[str]:
    saved = {k: os.environ.get(k) for k in (*FAKE_ENV, "S3_UPLOAD_PART_MIN_SIZE", "MOTO_AMIS_PATH")}
    os.environ.update(FAKE_ENV)
    os.environ.setdefault("S3_UPLOAD_PART_MIN_SIZE", str(PART))  # read when moto is imported
    os.environ.setdefault("MOTO_AMIS_PATH", str(AMIS))
    from moto import settings
    from moto.server import ThreadedMotoServer

    assert settings.S3_UPLOAD_PART_MIN_SIZE <= PART, (
        "moto was imported before S3_UPLOAD_PART_MIN_SIZE was set"
    )
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def url(endpoint: str) -> str:
    """A fresh moto (state reset) and the aws:// URL that reaches it."""
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).close()
    return f"aws://?region=eu-west-1&endpoint_url={endpoint}&min_part_size={PART}&sizes=t3.*,t2.micro"


@pytest.fixture
def cloud(url: str) -> Iterator[cloudneutral.Cloud]:
    with cloudneutral.connect(url, clock=cloudneutral.FakeClock()) as cloud:
        yield cloud


@pytest.fixture
def s3(cloud: cloudneutral.Cloud) -> object:
    """The raw boto3 S3 client of the connection, to look behind the adapter's back."""
    return cloud.driver._clients.s3  # type: ignore[attr-defined]
