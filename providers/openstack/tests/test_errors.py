"""The error mapping of :mod:`cloudneutral_openstack.errors`, without a cloud."""

from __future__ import annotations

import json

import pytest
import requests
from cloudneutral_openstack import OpenStackDriver
from cloudneutral_openstack.errors import translate
from keystoneauth1 import exceptions as kx
from openstack import exceptions as ox

from cloudneutral import errors as cn
from cloudneutral.redaction import remember

URL = "http://127.0.0.1:8776/v3/e505d756b8234454a27c039d106d3c3c/volumes/v"


def http_error(
    status: int, message: str = "", *, html: bool = False, headers: dict[str, str] | None = None
) -> ox.HttpException:
    """The SDK exception openstacksdk raises for an answer (Nova/Cinder JSON or Swift HTML)."""
    response = requests.Response()
    response.status_code = status
    response.url = URL
    response.request = requests.Request("DELETE", URL).prepare()
    if html:
        response._content = f"<html><h1>Error</h1><p>{message}</p></html>".encode()
        response.headers["Content-Type"] = "text/html; charset=UTF-8"
    else:
        response._content = json.dumps({"fault": {"message": message, "code": status}}).encode()
        response.headers["Content-Type"] = "application/json"
    response.headers.update(headers or {})
    with pytest.raises(ox.HttpException) as caught:
        ox.raise_from_response(response)
    return caught.value


TABLE = [
    (404, "Instance s could not be found.", cn.NotFound),
    (404, "Instance s is not attached to volume v", cn.Conflict),  # Nova: detach of a detached volume
    (409, "Cannot 'stop' instance s while it is in vm_state stopped", cn.Conflict),
    (400, "Invalid volume: Volume status must be available or error ...", cn.Conflict),
    (400, "Invalid volume: volume v is already attached to instances: s", cn.Conflict),
    (400, "Invalid volume: Volume still has 1 dependent snapshots.", cn.Conflict),
    (400, "The requested availability zone is not available", cn.NotFound),
    (400, "Availability zone 'x' is invalid.", cn.NotFound),
    (400, "Volume size '1'GB cannot be smaller than the snapshot size 2GB", cn.InvalidArgument),
    (400, "marker [x] not found", cn.InvalidArgument),
    (403, "Quota exceeded for cores: Requested 64, but already used 1 of 20 cores", cn.QuotaExceeded),
    (403, "Policy doesn't allow os_compute_api:os-hypervisors to be performed.", cn.PermissionDenied),
    (413, "VolumeLimitExceeded: Maximum number of volumes allowed (10) exceeded", cn.QuotaExceeded),
    (413, "Upload exceeds quota.", cn.QuotaExceeded),
    (401, "The request you have made requires authentication.", cn.AuthenticationError),
    (416, "Requested Range Not Satisfiable", cn.InvalidArgument),
    (422, "Unable to process the contained instructions", cn.IntegrityError),
    (412, "Precondition Failed", cn.Conflict),
    (429, "Too Many Requests", cn.TransientError),
    (500, "Internal Server Error", cn.TransientError),
    (503, "Service Unavailable", cn.TransientError),
    (418, "I'm a teapot", cn.ProviderError),
]


@pytest.mark.parametrize(("status", "message", "expected"), TABLE)
def test_statuses_and_messages(status: int, message: str, expected: type[cn.CloudError]) -> None:
    error = translate(http_error(status, message))
    assert type(error) is expected
    assert error.transient is (expected is cn.TransientError)
    assert str(status) in str(error) and "/volumes/v" in str(error)


def test_swift_html_bodies_are_read() -> None:
    error = translate(
        http_error(409, "There was a conflict when trying to complete your request.", html=True)
    )
    assert type(error) is cn.Conflict and "conflict when trying" in str(error)


def test_nova_rate_limit_is_transient() -> None:
    error = translate(http_error(413, "This request was rate-limited.", headers={"Retry-After": "5"}))
    assert type(error) is cn.TransientError


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (kx.ConnectFailure("refused"), cn.TransientError),
        (kx.ConnectTimeout("slow"), cn.TransientError),
        (kx.SSLError("bad certificate"), cn.ProviderError),
        (kx.DiscoveryFailure("no version document"), cn.TransientError),
        (kx.Unauthorized(http_status=401), cn.AuthenticationError),
        (kx.http.ServiceUnavailable(http_status=503), cn.TransientError),
        (kx.MissingAuthPlugin("no auth plugin"), cn.AuthenticationError),
        (kx.EndpointNotFound("no object-store"), cn.ConfigurationError),
        (ox.ConfigException("Cloud nope was not found."), cn.ConfigurationError),
        (requests.exceptions.ChunkedEncodingError("body cut short"), cn.TransientError),
        (requests.exceptions.ConnectionError("reset by peer"), cn.TransientError),
        (requests.exceptions.ReadTimeout("read timed out"), cn.TransientError),
        (requests.exceptions.InvalidHeader("Invalid leading whitespace"), cn.InvalidArgument),
        (ValueError("odd"), cn.ProviderError),
    ],
)
def test_exception_classes(exc: Exception, expected: type[cn.CloudError]) -> None:
    assert type(translate(exc)) is expected


def test_cloud_errors_pass_through() -> None:
    error = cn.NotFound("gone")
    assert translate(error) is error


def test_messages_never_carry_tokens() -> None:
    fernet = "gAAAAABpIkH9" + "x" * 60
    remember("cn-remembered-token-0123456789")
    leaky = f"token {fernet} and cn-remembered-token-0123456789 in X-Auth-Token"
    for exc in (http_error(401, leaky), kx.ConnectFailure(leaky), ValueError(leaky)):
        message = str(translate(exc))
        assert fernet not in message and "cn-remembered-token" not in message


def test_driver_translate_error_never_raises() -> None:
    class Weird(Exception):
        def __str__(self) -> str:
            raise RuntimeError("cannot print me")

    assert isinstance(
        OpenStackDriver.translate_error(object.__new__(OpenStackDriver), Weird()), cn.ProviderError
    )
