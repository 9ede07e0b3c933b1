"""Opening the adapter: entry points, URL options, credentials, escape hatch, retries.

Nothing here needs a cloud: a dead loopback port stands in for an unreachable one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openstack.connection
import pytest
import requests
from cloudneutral_openstack import CAPABILITIES, _session, rackspace
from cloudneutral_openstack.conformance import RackspaceHarness

import cloudneutral
from cloudneutral import Capability, errors
from cloudneutral.redaction import known_secrets, redact
from cloudneutral.registry import available_providers

DEAD = "http://127.0.0.1:9/v3"  # the discard port: connections are refused
CLOUDS = """\
clouds:
  dead:
    auth:
      auth_url: {auth_url}
      username: u
      password: cn-test-password-3b1f0a9c
      project_name: p
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionX
"""


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "OS_CLOUD",
        "OS_CLIENT_CONFIG_FILE",
        "OS_AUTH_URL",
        "OS_USERNAME",
        "OS_PASSWORD",
        "OS_API_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    for name in ("RACKSPACE_USERNAME", "RACKSPACE_API_KEY", "RACKSPACE_REGION"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def clouds_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "clouds.yaml"
    path.write_text(CLOUDS.format(auth_url=DEAD), encoding="utf-8")
    return path


@pytest.fixture
def dead(clouds_yaml: Path) -> Iterator[cloudneutral.Cloud]:
    with cloudneutral.connect(
        f"openstack://?cloud=dead&clouds_yaml={clouds_yaml}",
        clock=cloudneutral.FakeClock(),
        retry=cloudneutral.RetryPolicy(attempts=3),
    ) as cloud:
        yield cloud


def test_registered_under_both_entry_points(dead: cloudneutral.Cloud) -> None:
    assert {"openstack", "rackspace"} <= set(available_providers())
    assert dead.provider == "openstack"
    assert dead.capabilities == CAPABILITIES and Capability.BLOB_IF_MATCH not in dead.capabilities
    assert dead.driver.region == "RegionX"  # type: ignore[attr-defined]


def test_the_clouds_yaml_password_is_redacted_everywhere(dead: cloudneutral.Cloud) -> None:
    assert "cn-test-password-3b1f0a9c" in known_secrets()
    assert redact("login with cn-test-password-3b1f0a9c") == "login with REDACTED"


def test_a_dead_endpoint_is_transient_and_retried_by_the_portable_layer(dead: cloudneutral.Cloud) -> None:
    clock: Any = dead.runtime.clock
    with pytest.raises(errors.TransientError):
        dead.blobs.get_bucket("some-bucket")
    assert len(clock.slept) == 2  # three attempts, none retried inside openstacksdk


def test_the_escape_hatch(dead: cloudneutral.Cloud) -> None:
    assert isinstance(dead.as_native(openstack.connection.Connection), openstack.connection.Connection)
    with pytest.raises(errors.Unsupported, match="offers Connection"):
        dead.as_native(requests.Session)


@pytest.mark.parametrize(
    "option", ["regoin=RegionOne", "auth_url=ftp://x", "auth_url=http://u:p@127.0.0.1:5000/v3", "password=x"]
)
def test_bad_options_are_refused(option: str) -> None:
    with pytest.raises(errors.ConfigurationError):
        cloudneutral.connect(f"openstack://?cloud=x&{option}")


def test_an_unknown_cloud_is_a_configuration_error(clouds_yaml: Path) -> None:
    with pytest.raises(errors.ConfigurationError, match="nope"):
        cloudneutral.connect(f"openstack://?cloud=nope&clouds_yaml={clouds_yaml}")


def test_auth_url_replaces_the_clouds_identity_url(clouds_yaml: Path) -> None:
    with cloudneutral.connect(
        f"openstack://?cloud=dead&clouds_yaml={clouds_yaml}&auth_url=http://127.0.0.1:7/v3"
    ) as cloud:
        conn = cloud.as_native(openstack.connection.Connection)
        assert conn.config.config["auth"]["auth_url"] == "http://127.0.0.1:7/v3"


def test_rackspace_needs_a_region_and_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(errors.ConfigurationError, match="DFW, ORD, IAD, LON, HKG"):
        cloudneutral.connect("rackspace://?region=XYZ")
    with pytest.raises(errors.AuthenticationError, match="RACKSPACE_USERNAME"):
        cloudneutral.connect("rackspace://?region=IAD")
    monkeypatch.setenv("RACKSPACE_USERNAME", "someone")
    monkeypatch.setenv("RACKSPACE_API_KEY", "cn-test-api-key-77aa3c0e1d")
    with cloudneutral.connect("rackspace://photos?region=lon") as cloud:
        conn = cloud.as_native(openstack.connection.Connection)
        assert conn.config.get_region_name() == "LON"
        assert conn.config.config["auth_type"] == "rackspace_apikey"
        assert conn.config.config["auth"]["auth_url"] == rackspace.AUTH_URL
        assert cloud.capabilities == rackspace.CAPABILITIES
        assert Capability.SERVER_STOP_START not in cloud.capabilities
        assert cloud.bucket.name == "photos"
    assert "cn-test-api-key-77aa3c0e1d" in known_secrets()


def test_the_rackspace_harness_refuses_to_record() -> None:
    with pytest.raises(RuntimeError, match="replay only"):
        RackspaceHarness().start("record")


def test_issued_tokens_are_remembered_by_a_response_hook() -> None:
    response = requests.Response()
    response.headers["X-Subject-Token"] = "cn-issued-token-5f1e2d3c4b5a"
    response.request = requests.Request("POST", "http://127.0.0.1:5000/v3/auth/tokens").prepare()
    response._content = b"{}"
    _session._remember_tokens(response)
    rax = requests.Response()
    rax.request = requests.Request("POST", rackspace.AUTH_URL + "tokens").prepare()
    rax._content = b'{"access": {"token": {"id": "cn-rax-token-9a8b7c6d5e4f"}}}'
    _session._remember_tokens(rax)
    assert {"cn-issued-token-5f1e2d3c4b5a", "cn-rax-token-9a8b7c6d5e4f"} <= known_secrets()
