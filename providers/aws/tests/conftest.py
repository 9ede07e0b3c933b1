"""A moto server for the adapter tests: one per session (the one way of
:mod:`cloudneutral_aws.testing`), reset before each test. Fake credentials only."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from botocore.client import BaseClient
from cloudneutral_aws.testing import FAKE_ENV, PART, MotoServer

import cloudneutral

__all__ = ["PART"]


@pytest.fixture(scope="session")
def moto() -> Iterator[MotoServer]:
    saved = {k: os.environ.get(k) for k in FAKE_ENV}
    os.environ.update(FAKE_ENV)
    with MotoServer() as server:
        yield server
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def endpoint(moto: MotoServer) -> str:
    return moto.endpoint


@pytest.fixture
def url(moto: MotoServer) -> str:
    """A fresh moto (state reset) and the aws:// URL that reaches it."""
    moto.reset()
    return f"aws://?region=eu-west-1&endpoint_url={moto.endpoint}&min_part_size={PART}&sizes=t3.*,t2.micro"


@pytest.fixture
def cloud(url: str) -> Iterator[cloudneutral.Cloud]:
    with cloudneutral.connect(url, clock=cloudneutral.FakeClock()) as cloud:
        yield cloud


@pytest.fixture
def s3(cloud: cloudneutral.Cloud) -> BaseClient:
    """The raw boto3 S3 client of the connection (the escape hatch), to look behind the adapter."""
    return cloud.blobs.as_native(BaseClient)
