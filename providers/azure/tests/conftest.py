"""Shared fixtures of the Azure test tooling's tests."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """Fail any ``time.sleep`` of more than zero seconds; yields the delays asked for."""
    delays: list[float] = []
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        delays.append(seconds)
        if seconds > 0:
            raise AssertionError(f"time.sleep({seconds}) during a replay")
        real_sleep(0)

    monkeypatch.setattr(time, "sleep", sleep)
    yield delays


@pytest.fixture(scope="session")
def azurite_endpoint() -> Iterator[str]:
    """A blob endpoint: ``CN_AZURE_BLOB_ENDPOINT`` (CI's Azurite) or an Azurite started here;
    the tests that need it skip when Azurite is not installed."""
    import os

    from cloudneutral_azure.testing.azurite import Azurite, AzuriteNotFound, find_azurite

    if os.environ.get("CN_AZURE_BLOB_ENDPOINT"):
        yield os.environ["CN_AZURE_BLOB_ENDPOINT"]
        return
    try:
        find_azurite()
    except AzuriteNotFound as exc:
        pytest.skip(str(exc))
    with Azurite() as azurite:
        yield azurite.blob_endpoint


@pytest.fixture(scope="session")
def arm_peer() -> Iterator[Any]:
    from cloudneutral_azure.testing.arm_peer import ArmPeer

    with ArmPeer() as peer:
        yield peer


@pytest.fixture
def connect_url(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Any:
    """``connect_url(blob_endpoint=None, arm_endpoint=None) -> str``: an azure:// URL for a
    fresh resource group of this test, with the development account's connection string
    and a fake ARM credential in place."""
    import hashlib

    from cloudneutral_azure import _clients
    from cloudneutral_azure.testing.azurite import connection_string
    from cloudneutral_azure.testing.credentials import FakeCredential

    monkeypatch.setattr(_clients, "credential_factory", FakeCredential)
    group = "cn-t-" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:10]

    def make(blob_endpoint: str | None = None, arm_endpoint: str | None = None, **options: str) -> str:
        if blob_endpoint:
            monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", connection_string(blob_endpoint))
        query = {
            "subscription": "00000000-0000-0000-0000-000000000000",
            "resource_group": group,
            "location": "eastus",
            "polling_interval": "0",
            **({"endpoint": arm_endpoint} if arm_endpoint else {}),
            **options,
        }
        return "azure://?" + "&".join(f"{k}={v}" for k, v in query.items())

    return make
