"""The error mapping table of :mod:`cloudneutral_aws.errors`, without a server."""

from __future__ import annotations

import pytest
from botocore import exceptions as bx
from cloudneutral_aws import OPENER
from cloudneutral_aws.errors import translate

from cloudneutral import errors as cn
from cloudneutral.registry import parse_url


def client_error(code: str, status: int = 400, message: str = "boom", op: str = "Op") -> bx.ClientError:
    response = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return bx.ClientError(response, op)  # type: ignore[arg-type]


TABLE = [
    ("NoSuchKey", 404, cn.NotFound),
    ("NoSuchBucket", 404, cn.NotFound),
    ("NoSuchUpload", 404, cn.NotFound),
    ("404", 404, cn.NotFound),
    ("InvalidInstanceID.NotFound", 400, cn.NotFound),
    ("InvalidInstanceID.Malformed", 400, cn.NotFound),
    ("InvalidVolume.NotFound", 400, cn.NotFound),
    ("InvalidSnapshot.NotFound", 400, cn.NotFound),
    ("InvalidAMIID.NotFound", 400, cn.NotFound),
    ("InvalidAMIID.Malformed", 400, cn.NotFound),
    ("InvalidAMIID.Unavailable", 400, cn.NotFound),
    ("BucketAlreadyOwnedByYou", 409, cn.AlreadyExists),
    ("BucketAlreadyExists", 409, cn.AlreadyExists),
    ("BucketNotEmpty", 409, cn.Conflict),
    ("IncorrectState", 400, cn.Conflict),
    ("IncorrectInstanceState", 400, cn.Conflict),
    ("VolumeInUse", 400, cn.Conflict),
    ("InvalidAttachment.NotFound", 400, cn.Conflict),
    ("InvalidRange", 416, cn.InvalidArgument),
    ("", 416, cn.InvalidArgument),
    ("Throttling", 400, cn.TransientError),
    ("ThrottlingException", 400, cn.TransientError),
    ("RequestLimitExceeded", 503, cn.TransientError),
    ("SlowDown", 503, cn.TransientError),
    ("InternalError", 500, cn.TransientError),
    ("ServiceUnavailable", 503, cn.TransientError),
    ("WhateverWentWrong", 502, cn.TransientError),
    ("", 429, cn.TransientError),
    ("InvalidAccessKeyId", 403, cn.AuthenticationError),
    ("SignatureDoesNotMatch", 403, cn.AuthenticationError),
    ("AuthFailure", 401, cn.AuthenticationError),
    ("ExpiredToken", 400, cn.AuthenticationError),
    ("UnrecognizedClientException", 400, cn.AuthenticationError),
    ("AccessDenied", 403, cn.PermissionDenied),
    ("UnauthorizedOperation", 403, cn.PermissionDenied),
    ("403", 403, cn.PermissionDenied),
    ("InstanceLimitExceeded", 400, cn.QuotaExceeded),
    ("VolumeLimitExceeded", 400, cn.QuotaExceeded),
    ("VcpuLimitExceeded", 400, cn.QuotaExceeded),
    ("TooManyBuckets", 400, cn.QuotaExceeded),
    ("EntityTooSmall", 400, cn.InvalidArgument),
    ("InvalidParameterValue", 400, cn.InvalidArgument),
    ("InvalidVolume.ZoneMismatch", 400, cn.InvalidArgument),
    ("DependencyViolation", 400, cn.Conflict),
    ("PreconditionFailed", 412, cn.Conflict),
    ("SomethingNew", 400, cn.ProviderError),
]


@pytest.mark.parametrize(("code", "status", "expected"), TABLE)
def test_client_error_codes(code: str, status: int, expected: type[cn.CloudError]) -> None:
    error = translate(client_error(code, status))
    assert type(error) is expected
    assert error.transient is (expected is cn.TransientError)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (bx.EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), cn.TransientError),
        (bx.ConnectionClosedError(endpoint_url="http://127.0.0.1:1"), cn.TransientError),
        (bx.ReadTimeoutError(endpoint_url="http://127.0.0.1:1"), cn.TransientError),
        (bx.ConnectTimeoutError(endpoint_url="http://127.0.0.1:1"), cn.TransientError),
        (bx.ResponseStreamingError(error="reset"), cn.TransientError),
        (bx.SSLError(endpoint_url="https://x", error="bad cert"), cn.ProviderError),
        (bx.NoCredentialsError(), cn.AuthenticationError),
        (
            bx.PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY"),
            cn.AuthenticationError,
        ),
        (bx.NoRegionError(), cn.ConfigurationError),
        (bx.ParamValidationError(report="bad"), cn.InvalidArgument),
        (ValueError("odd"), cn.ProviderError),
    ],
)
def test_botocore_exceptions(exc: Exception, expected: type[cn.CloudError]) -> None:
    assert type(translate(exc)) is expected


def test_cloud_errors_pass_through() -> None:
    error = cn.NotFound("gone")
    assert translate(error) is error


def test_messages_name_the_operation_and_code() -> None:
    error = translate(client_error("NoSuchKey", 404, "The specified key does not exist.", "GetObject"))
    assert str(error) == "GetObject: NoSuchKey: The specified key does not exist."


def test_messages_never_carry_credentials() -> None:
    leaky = (
        "key AKIACNPLANTEDKEY0001 Authorization: AWS4-HMAC-SHA256 "
        "Credential=AKIACNPLANTEDKEY0001/20261123/eu-west-1/s3/aws4_request, "
        "SignedHeaders=host, Signature=0123abcd https://x/?X-Amz-Signature=ffee&X-Amz-Security-Token=tok"
    )
    for exc in (client_error("SignatureDoesNotMatch", 403, leaky), ValueError(leaky)):
        message = str(translate(exc))
        assert "AKIACNPLANTEDKEY0001" not in message
        assert "0123abcd" not in message and "ffee" not in message and "tok" not in message


def test_driver_translate_error_never_raises() -> None:
    driver = OPENER.open(parse_url("aws://?region=eu-west-1&endpoint_url=http://127.0.0.1:9"))

    class Weird(Exception):
        def __str__(self) -> str:
            raise RuntimeError("cannot print me")

    assert isinstance(driver.translate_error(Weird()), cn.ProviderError)
    driver.close()
