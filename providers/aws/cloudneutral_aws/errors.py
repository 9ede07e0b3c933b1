"""The one place where boto3/botocore exceptions become :mod:`cloudneutral.errors`.

:func:`translate` looks at, in order: the botocore exception class (no credentials,
dropped connections, timeouts, bad parameters), then the AWS error code of a
``ClientError`` (exact codes, then ``Invalid*ID.*`` and ``*LimitExceeded`` patterns), then
the HTTP status. Messages are built from the operation, the error code and the service's
message only, and anything shaped like a credential is redacted by the one redactor
(:func:`cloudneutral.redaction.redact`).
"""

from __future__ import annotations

import re

from botocore import exceptions as bx

from cloudneutral import errors as cn
from cloudneutral.redaction import redact

__all__ = ["CODES", "translate"]

#: Exact AWS error codes (S3, EC2, STS/IAM wording) and the portable class they mean.
CODES: dict[str, type[cn.CloudError]] = {
    # missing things
    "NoSuchKey": cn.NotFound,
    "NoSuchBucket": cn.NotFound,
    "NoSuchUpload": cn.NotFound,
    "NotFound": cn.NotFound,
    "404": cn.NotFound,
    # taken names
    "BucketAlreadyOwnedByYou": cn.AlreadyExists,
    "BucketAlreadyExists": cn.AlreadyExists,
    # states that forbid the operation
    "BucketNotEmpty": cn.Conflict,
    "IncorrectState": cn.Conflict,
    "IncorrectInstanceState": cn.Conflict,
    "VolumeInUse": cn.Conflict,
    "InvalidAttachment.NotFound": cn.Conflict,  # detaching a volume that is not attached there
    "OperationAborted": cn.Conflict,
    "PreconditionFailed": cn.Conflict,
    "DependencyViolation": cn.Conflict,
    "InvalidSnapshot.InUse": cn.Conflict,
    # bad arguments
    "InvalidRange": cn.InvalidArgument,
    "416": cn.InvalidArgument,
    "InvalidArgument": cn.InvalidArgument,
    "InvalidParameter": cn.InvalidArgument,
    "InvalidParameterValue": cn.InvalidArgument,
    "InvalidParameterCombination": cn.InvalidArgument,
    "MissingParameter": cn.InvalidArgument,
    "InvalidBucketName": cn.InvalidArgument,
    "KeyTooLongError": cn.InvalidArgument,
    "EntityTooSmall": cn.InvalidArgument,
    "EntityTooLarge": cn.InvalidArgument,
    "InvalidPart": cn.InvalidArgument,
    "InvalidPartOrder": cn.InvalidArgument,
    "InvalidVolume.ZoneMismatch": cn.InvalidArgument,
    "InvalidHeader": cn.InvalidArgument,
    "InvalidRequest": cn.InvalidArgument,
    # damaged in transit (a Content-MD5 the service checked)
    "BadDigest": cn.IntegrityError,
    "InvalidDigest": cn.IntegrityError,
    # account limits
    "TooManyBuckets": cn.QuotaExceeded,
    # worth retrying
    "Throttling": cn.TransientError,
    "ThrottlingException": cn.TransientError,
    "RequestLimitExceeded": cn.TransientError,
    "SlowDown": cn.TransientError,
    "InternalError": cn.TransientError,
    "InternalFailure": cn.TransientError,
    "ServiceUnavailable": cn.TransientError,
    "Unavailable": cn.TransientError,
    "RequestTimeout": cn.TransientError,
    "InsufficientInstanceCapacity": cn.TransientError,
    # credentials
    "InvalidAccessKeyId": cn.AuthenticationError,
    "SignatureDoesNotMatch": cn.AuthenticationError,
    "AuthFailure": cn.AuthenticationError,
    "ExpiredToken": cn.AuthenticationError,
    "ExpiredTokenException": cn.AuthenticationError,
    "InvalidToken": cn.AuthenticationError,
    "InvalidClientTokenId": cn.AuthenticationError,
    "UnrecognizedClientException": cn.AuthenticationError,
    "RequestExpired": cn.AuthenticationError,
    # permissions
    "AccessDenied": cn.PermissionDenied,
    "AccessDeniedException": cn.PermissionDenied,
    "UnauthorizedOperation": cn.PermissionDenied,
    "AllAccessDisabled": cn.PermissionDenied,
    "403": cn.PermissionDenied,
}

#: ``InvalidAMIID.Malformed``, ``InvalidInstanceID.NotFound``, ``InvalidVolume.NotFound`` ...:
#: an id that names nothing (malformed ids included: they cannot name anything either).
_MISSING_ID = re.compile(r"^Invalid[A-Za-z]*(ID)?\.(NotFound|Malformed|Unavailable)$")


def translate(exc: Exception) -> cn.CloudError:
    """The portable error for ``exc`` (never raises)."""
    if isinstance(exc, cn.CloudError):
        return exc
    if isinstance(exc, bx.ClientError):
        return _client_error(exc)
    kind = _botocore_kind(exc)
    return kind(redact(f"{type(exc).__name__}: {exc}"))


def _botocore_kind(exc: Exception) -> type[cn.CloudError]:
    if isinstance(exc, (bx.NoCredentialsError, bx.PartialCredentialsError, bx.CredentialRetrievalError)):
        return cn.AuthenticationError
    if isinstance(exc, (bx.NoRegionError, bx.ProfileNotFound, bx.InvalidRegionError)):
        return cn.ConfigurationError
    if isinstance(exc, bx.SSLError):  # a certificate problem does not pass by retrying
        return cn.ProviderError
    if isinstance(exc, (bx.ConnectionError, bx.HTTPClientError, bx.IncompleteReadError)):
        return cn.TransientError  # dropped connections, bodies cut short (ResponseStreamingError)
    if isinstance(exc, ValueError) and "Invalid header value" in str(exc):
        return cn.InvalidArgument  # http.client refused a header (a CR in a content type ...)
    if isinstance(exc, (bx.ParamValidationError, bx.ValidationError)):
        return cn.InvalidArgument
    return cn.ProviderError


def _client_error(exc: bx.ClientError) -> cn.CloudError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code") or "")
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    detail = str(error.get("Message") or "") or _STATUS_TEXT.get(status, "")
    message = f"{exc.operation_name}: {code or status}" + (f": {detail}" if detail else "")
    return classify(code, status)(redact(message))


def classify(code: str, status: int) -> type[cn.CloudError]:
    """The portable class for an AWS error ``code`` and HTTP ``status``."""
    if code in CODES:
        return CODES[code]
    if _MISSING_ID.match(code):
        return cn.NotFound
    if code.endswith("LimitExceeded") or code.endswith("QuotaExceeded"):
        return cn.QuotaExceeded
    if status == 404:
        return cn.NotFound
    if status == 403:
        return cn.PermissionDenied
    if status == 416:
        return cn.InvalidArgument
    if status == 429 or status >= 500:
        return cn.TransientError
    return cn.ProviderError


_STATUS_TEXT = {403: "forbidden", 404: "not found", 416: "range not satisfiable"}
