"""Connection URLs and provider discovery."""

from __future__ import annotations

import pytest

import cloudneutral
from cloudneutral.errors import ConfigurationError
from cloudneutral.registry import ConnectionURL, load_opener, parse_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("local://", ConnectionURL("local")),
        ("local://photos?root=/var/lib/cn", ConnectionURL("local", "photos", "", {"root": "/var/lib/cn"})),
        (
            "aws://photos/2024/?region=eu-west-1&endpoint_url=http://127.0.0.1:5000",
            ConnectionURL(
                "aws", "photos", "2024/", {"region": "eu-west-1", "endpoint_url": "http://127.0.0.1:5000"}
            ),
        ),
        ("rackspace://photos?region=IAD", ConnectionURL("rackspace", "photos", "", {"region": "IAD"})),
        ("local://b/a%20b/c", ConnectionURL("local", "b", "a b/c")),
    ],
)
def test_parse_url(url: str, expected: ConnectionURL) -> None:
    assert parse_url(url) == expected


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("photos", "not a connection URL"),
        ("AWS!://x", "invalid provider name"),
        ("aws://user:pass@bucket", "credentials do not belong"),
        ("aws://bucket?secret_access_key=abc", "looks like a secret"),
        ("azure://c?account_key=abc", "looks like a secret"),
        ("aws://b?region=a&region=b", "given twice"),
    ],
)
def test_bad_urls_are_configuration_errors(url: str, problem: str) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        parse_url(url)


def test_secret_values_never_echo_in_the_error() -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_url("aws://b?aws_secret_access_key=SUPERSECRET123")
    assert "SUPERSECRET123" not in str(caught.value)


def test_url_round_trips_through_str() -> None:
    url = parse_url("aws://photos/2024/?region=eu-west-1")
    assert parse_url(str(url)) == url


def test_unknown_provider_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="no provider 'nosuch' is installed"):
        cloudneutral.connect("nosuch://")


def test_a_known_but_missing_adapter_names_its_distribution() -> None:
    if "azure" in cloudneutral.available_providers():
        pytest.skip("the azure adapter is installed here")
    with pytest.raises(ConfigurationError, match="pip install cloudneutral-azure"):
        load_opener("azure")


def test_local_is_registered_through_the_entry_point() -> None:
    assert "local" in cloudneutral.available_providers()
