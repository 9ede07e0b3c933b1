"""The one error mapping (:mod:`cloudneutral_azure.errors`): codes, classes, statuses, redaction."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core import exceptions as ax
from cloudneutral_azure.conformance import AzureHarness
from cloudneutral_azure.errors import classify, translate
from cloudneutral_azure.testing import faults

from cloudneutral import errors as cn
from cloudneutral.redaction import remember


def http_error(cls: type[ax.HttpResponseError], status: int, code: str, message: str = "boom") -> Any:
    return faults.http_error(status, code, message, cls)


@pytest.mark.parametrize(
    ("cls", "status", "code", "expected"),
    [
        (ax.ResourceNotFoundError, 404, "BlobNotFound", cn.NotFound),
        (ax.ResourceNotFoundError, 404, "ContainerNotFound", cn.NotFound),
        (ax.ResourceNotFoundError, 404, "ResourceGroupNotFound", cn.NotFound),
        (ax.ResourceExistsError, 409, "ContainerAlreadyExists", cn.AlreadyExists),
        (ax.ResourceExistsError, 409, "SomethingExists", cn.AlreadyExists),
        (ax.ResourceExistsError, 409, "OperationNotAllowed", cn.Conflict),
        (ax.ResourceExistsError, 409, "SomeStateConflict", cn.Conflict),
        (ax.ResourceModifiedError, 412, "ConditionNotMet", cn.Conflict),
        (ax.HttpResponseError, 400, "Md5Mismatch", cn.IntegrityError),
        (ax.HttpResponseError, 400, "InvalidMd5", cn.IntegrityError),
        (ax.HttpResponseError, 416, "InvalidRange", cn.InvalidArgument),
        (ax.HttpResponseError, 503, "ServerBusy", cn.TransientError),
        (ax.HttpResponseError, 500, "InternalError", cn.TransientError),
        (ax.HttpResponseError, 429, "", cn.TransientError),
        (ax.HttpResponseError, 502, "", cn.TransientError),
        (ax.HttpResponseError, 409, "QuotaExceeded", cn.QuotaExceeded),
        (ax.HttpResponseError, 409, "OperationNotAllowedQuota", cn.QuotaExceeded),
        (ax.HttpResponseError, 400, "PublicIPCountLimitExceeded", cn.QuotaExceeded),
        (ax.ClientAuthenticationError, 401, "InvalidAuthenticationInfo", cn.AuthenticationError),
        (ax.ClientAuthenticationError, 401, "", cn.AuthenticationError),
        (ax.HttpResponseError, 403, "AuthorizationFailed", cn.PermissionDenied),
        (ax.HttpResponseError, 403, "", cn.PermissionDenied),
        (ax.HttpResponseError, 409, "ContainerBeingDeleted", cn.TransientError),
        (ax.HttpResponseError, 418, "", cn.ProviderError),
    ],
)
def test_http_errors(cls: type[ax.HttpResponseError], status: int, code: str, expected: type) -> None:
    error = translate(http_error(cls, status, code))
    assert type(error) is expected
    assert (str(status) in error.message) and (code in error.message)


def test_azurites_md5_mismatch_is_an_integrity_error() -> None:
    assert classify("InvalidOperation", 400, None, "Provided contentMD5 doesn't match.") is cn.IntegrityError
    assert classify("InvalidOperation", 400, None, "something else") is cn.InvalidArgument


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (ax.ServiceRequestError("connection refused"), cn.TransientError),
        (ax.ServiceResponseError("connection reset"), cn.TransientError),
        (ax.ServiceResponseTimeoutError("read timed out"), cn.TransientError),
        (ax.IncompleteReadError("body cut short"), cn.TransientError),
        (ax.DecodeError("could not decode"), cn.TransientError),
        (ax.ClientAuthenticationError("no token"), cn.AuthenticationError),
        (ValueError("Invalid header value b'text/\\nplain'"), cn.InvalidArgument),
        (RuntimeError("something unexpected"), cn.ProviderError),
    ],
)
def test_transport_and_other_errors(exc: Exception, expected: type) -> None:
    assert type(translate(exc)) is expected


def test_messages_never_show_a_key_a_sas_or_a_token() -> None:
    key = "cn-test-account-key-" + "k" * 40 + "=="
    remember(key)
    message = (
        f"AccountKey={key}; https://a.blob.core.windows.net/c/b?sv=2024&sig=abcdefghijklmnop%3D "
        "Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOi.secret"
    )
    error = translate(http_error(ax.HttpResponseError, 403, "AuthorizationFailure", message))
    assert key not in error.message
    assert "abcdefghijklmnop" not in error.message
    assert "eyJ0eXAiOiJKV1QiLCJhbGciOi" not in error.message
    assert type(error) is cn.PermissionDenied


def test_translate_never_raises() -> None:
    class Weird(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no text")

    from cloudneutral_azure import AzureDriver

    driver = AzureDriver.__new__(AzureDriver)
    assert isinstance(driver.translate_error(Weird()), cn.CloudError)


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("throttle", cn.TransientError),
        ("server-error", cn.TransientError),
        ("unauthenticated", cn.AuthenticationError),
        ("forbidden", cn.PermissionDenied),
    ],
)
def test_the_harness_faults_are_blob_storages_answers(fault: str, expected: type) -> None:
    native = AzureHarness().native_fault(fault)
    assert isinstance(native, ax.HttpResponseError)
    assert type(translate(native)) is expected
