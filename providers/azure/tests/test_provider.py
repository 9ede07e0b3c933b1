"""The ``azure`` provider as a whole: entry points, declared options, credentials only from the
vendor chains, escape hatch, and the harness's replay hygiene."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cloudneutral_azure.conformance import CANONICAL_ARM, AzureHarness

import cloudneutral
from cloudneutral import ConfigurationError
from cloudneutral.conformance.harness import load_harness
from cloudneutral.registry import load_opener

ROOT = Path(__file__).resolve().parents[3]


def test_registered_as_provider_and_harness() -> None:
    opener = load_opener("azure")
    assert {o.name for o in opener.options} == {
        "account_url",
        "subscription",
        "resource_group",
        "location",
        "endpoint",
        "polling_interval",
        "copy_poll",
        "sizes",
    }
    assert isinstance(load_harness("azure"), AzureHarness)


@pytest.mark.parametrize(
    "url",
    [
        "azure://?endpont=http://127.0.0.1:1",  # a typo
        "azure://?account_key=abc",  # a secret
        "azure://?sas_token=abc",
        "azure://?account_url=http://user:pw@127.0.0.1:1/x",  # credentials inside a URL option
        "azure://?polling_interval=soon",
    ],
)
def test_bad_options_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError):
        cloudneutral.connect(url)


def test_blobs_need_an_account(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZURE_STORAGE_CONNECTION_STRING", raising=False)
    with cloudneutral.connect("azure://") as cloud, pytest.raises(ConfigurationError, match="account_url"):
        cloud.blobs.list_buckets()


def test_compute_needs_a_subscription(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    with cloudneutral.connect("azure://") as cloud, pytest.raises(ConfigurationError, match="subscription"):
        cloud.servers.sizes()


def test_escape_hatch(azurite_endpoint: str, arm_peer: Any, connect_url: Any) -> None:
    from azure.mgmt.compute import ComputeManagementClient
    from azure.mgmt.network import NetworkManagementClient
    from azure.storage.blob import BlobServiceClient

    with cloudneutral.connect(connect_url(azurite_endpoint, arm_peer.endpoint)) as cloud:
        assert cloud.blobs.as_native(BlobServiceClient).url.startswith(azurite_endpoint)
        assert isinstance(cloud.servers.as_native(ComputeManagementClient), ComputeManagementClient)
        assert isinstance(cloud.servers.as_native(NetworkManagementClient), NetworkManagementClient)
        assert isinstance(cloud.volumes.as_native(ComputeManagementClient), ComputeManagementClient)
        assert isinstance(cloud.as_native(BlobServiceClient), BlobServiceClient)


def test_the_arm_token_comes_from_the_credential_chain(arm_peer: Any, connect_url: Any) -> None:
    from cloudneutral_azure import _clients
    from cloudneutral_azure.testing.credentials import FakeCredential

    credential = FakeCredential("token-from-the-chain")
    _clients.credential_factory = lambda: credential  # connect_url restores the fake factory
    with cloudneutral.connect(connect_url(arm_endpoint=arm_peer.endpoint)) as cloud:
        assert cloud.servers.sizes()
    assert ("https://management.azure.com/.default",) in credential.scopes


def test_replay_never_waits_for_retry_after() -> None:
    harness = AzureHarness()
    response = {
        "status": {"code": 202},
        "headers": {"Retry-After": ["30"], "Azure-AsyncOperation": [f"{CANONICAL_ARM}/x"]},
        "body": {"string": b""},
    }
    cleaned = harness.before_record_response(response)
    assert cleaned is not None and "Retry-After" not in cleaned["headers"]
    for path in sorted((ROOT / "cassettes" / "azure").glob("*.yaml")):
        assert "retry-after" not in path.read_text(encoding="utf-8").lower(), path.name


def test_cassettes_name_only_canonical_endpoints() -> None:
    import re

    ports = set()
    for path in sorted((ROOT / "cassettes" / "azure").glob("*.yaml")):
        ports |= set(re.findall(r"127\.0\.0\.1:(\d+)", path.read_text(encoding="utf-8")))
    assert ports <= {"10000", "10080"}


def test_a_blob_only_connection_loads_no_management_sdk() -> None:
    """Compute and network (Azure's management SDKs: ~0.6 s, ~60 MB) load when servers or
    volumes are first used, not for blobs."""
    import subprocess
    import sys

    code = (
        "import sys, cloudneutral\n"
        "cloud = cloudneutral.connect('azure://photos?account_url=http://127.0.0.1:9/devstoreaccount1')\n"
        "cloud.blobs.bucket('photos')\n"
        "print(sorted(m for m in sys.modules if m.startswith('azure.mgmt')))\n"
        "cloud.servers\n"
        "print(any(m.startswith('azure.mgmt.compute') for m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.split("\n")[:2] == ["[]", "True"], out
