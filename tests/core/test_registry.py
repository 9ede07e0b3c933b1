"""Connection URLs and provider discovery."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

import cloudneutral
from cloudneutral.errors import ConfigurationError
from cloudneutral.registry import ConnectionURL, Opener, Option, install_hint, load_opener, parse_url


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


@pytest.mark.parametrize(
    "url",
    [
        "aws://AKIAX%3Asecret%40bucket",  # percent-encoded userinfo
        "aws://user%40host",
        "aws://b?endpoint_url=http://key:secret@127.0.0.1:5000",  # userinfo in a URL-valued option
        "aws://b?endpoint_url=http%3A%2F%2Fkey%3Asecret%40127.0.0.1",
        "openstack://c?auth_url=https://admin:pw@keystone:5000/v3",
        "azure://c?account_url=https://acct.blob.core.windows.net/?sig=abc123",  # a SAS in a URL
    ],
)
def test_credentials_are_refused_however_they_are_written(url: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_url(url)
    assert "secret" not in str(caught.value).replace("looks like a secret", "")
    assert "abc123" not in str(caught.value) and ":pw@" not in str(caught.value)


@pytest.mark.parametrize(
    "name",
    [
        "Pass_Word",
        "passwd",
        "pwd",
        "passphrase",
        "Authorization",
        "bearer",
        "sas_token",
        "SAS",
        "creds",
        "account-key",
        "AccountKey",
        "secret",
        "private_key",
        "\uff4b\uff45\uff59",
        "sig",
        "connection_string",
        "client.cert",
    ],
)
def test_option_names_that_mean_a_secret_are_refused(name: str) -> None:
    with pytest.raises(ConfigurationError, match="looks like a secret"):
        parse_url(f"aws://b?{quote(name)}=value")


@pytest.mark.parametrize(
    "name", ["region", "endpoint_url", "auth_url", "account_url", "root", "min_part_size"]
)
def test_ordinary_option_names_pass(name: str) -> None:
    assert parse_url(f"aws://b?{name}=x").options == {name: "x"}


def test_unknown_options_are_refused_for_every_provider() -> None:
    with pytest.raises(ConfigurationError, match=r"unknown local option.*endpont_url"):
        cloudneutral.connect("local://?endpont_url=http://127.0.0.1:1")


def test_options_are_converted_and_checked_by_the_declaration() -> None:
    opener = Opener(
        "demo",
        lambda url: cloudneutral.connect("local://").driver,
        (Option("count", "int", 3, minimum=1), Option("flag", "bool", False), Option("endpoint", "url")),
    )
    checked = opener.check(parse_url("demo://?flag=yes&endpoint=http://127.0.0.1:9"))
    assert (checked.int_option("count"), checked.bool_option("flag")) == (3, True)
    assert checked.str_option("endpoint") == "http://127.0.0.1:9"
    for bad in ("count=0", "count=x", "flag=maybe", "endpoint=ftp://h"):
        with pytest.raises(ConfigurationError, match=bad.split("=")[0]):
            opener.check(parse_url(f"demo://?{bad}"))
    with pytest.raises(ValueError, match="credential"):
        Opener("demo", lambda url: cloudneutral.connect("local://").driver, (Option("api_key"),))


def test_str_of_a_url_never_shows_credentials() -> None:
    url = ConnectionURL("aws", "b", "", {"note": "http://u:p@h/"})
    assert ":p@" not in str(url)
