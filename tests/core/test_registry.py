"""Connection URLs and provider discovery."""

from __future__ import annotations

from pathlib import Path

import pytest

import cloudneutral
from cloudneutral.errors import ConfigurationError
from cloudneutral.registry import ConnectionURL, install_hint, load_opener, parse_url


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


def test_an_adapter_that_exists_nowhere_gets_no_install_advice() -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_opener("nosuch")
    assert "pip install" not in str(caught.value)


def test_an_adapter_in_the_checkout_gets_a_command_that_installs_it(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "providers" / "myprov").mkdir(parents=True)
    (tmp_path / "providers" / "myprov" / "pyproject.toml").write_text("")
    hint = install_hint("myprov", tmp_path)
    assert hint == f"; install it with: pip install -e {tmp_path} -e {tmp_path / 'providers' / 'myprov'}"
    assert install_hint("other", tmp_path) == ""


def test_local_is_registered_through_the_entry_point() -> None:
    assert "local" in cloudneutral.available_providers()
