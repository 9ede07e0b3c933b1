"""The one place where boto3/botocore exceptions become :mod:`cloudneutral.errors`.

:func:`translate` looks at, in order: the botocore exception class (no credentials,
dropped connections, timeouts, bad parameters), then the AWS error code of a
``ClientError`` (exact codes, then ``Invalid*ID.*`` and ``*LimitExceeded`` patterns), then
the HTTP status. Messages are built from the operation, the error code and the service's
message only, and anything shaped like an access key or a signature is redacted.
"""

from __future__ import annotations

import re

from botocore import exceptions as bx

from cloudneutral import errors as cn

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
_SECRETS = (
    re.compile(r"\b(AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b"),
    re.compile(r"(Credential|Signature|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token)=[^\s,&\"']+"),
)


def redact(text: str) -> str:
    """``text`` with access key ids and signature/credential fields replaced by ``***``."""
    text = _SECRETS[0].sub("***", text)
    return _SECRETS[1].sub(lambda m: f"{m.group(1)}=***", text)


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
    if isinstance(exc, (bx.ConnectionError, bx.HTTPClientError)):
        return cn.TransientError
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
