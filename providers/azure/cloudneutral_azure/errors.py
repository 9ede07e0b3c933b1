"""The one place where Azure SDK exceptions become :mod:`cloudneutral.errors`.

:func:`translate` looks at, in order: the azure-core exception class (no credential,
dropped connections and bodies cut short while streaming, timeouts), then the service's
error code (Blob Storage's ``x-ms-error-code`` or ARM's ``error.code``: exact codes, then
quota-shaped codes), then the exception class (``ResourceNotFoundError``,
``ResourceExistsError``, ``ResourceModifiedError``, ``ClientAuthenticationError``), then
the HTTP status. Messages hold the status, the code and the service's message only, passed
through the one redactor (:func:`cloudneutral.redaction.redact`).
"""

from __future__ import annotations

import re

from azure.core import exceptions as ax

from cloudneutral import errors as cn
from cloudneutral.redaction import redact

__all__ = ["CODES", "classify", "translate"]

#: Exact error codes of Blob Storage and ARM and the portable class they mean.
CODES: dict[str, type[cn.CloudError]] = {
    # missing things
    "ContainerNotFound": cn.NotFound,
    "BlobNotFound": cn.NotFound,
    "CannotVerifyCopySource": cn.NotFound,
    "ResourceNotFound": cn.NotFound,
    "ResourceGroupNotFound": cn.NotFound,
    "NotFound": cn.NotFound,
    "PlatformImageNotFound": cn.NotFound,
    "ArtifactNotFound": cn.NotFound,
    "InvalidBlockList": cn.InvalidArgument,  # a part the commit names is gone or was never put
    # taken names
    "ContainerAlreadyExists": cn.AlreadyExists,
    "BlobAlreadyExists": cn.AlreadyExists,
    # states that forbid the operation
    "ContainerBeingDeleted": cn.TransientError,  # Azure frees a deleted container's name later
    "ContainerBeingDisabled": cn.TransientError,
    "ConditionNotMet": cn.Conflict,
    "TargetConditionNotMet": cn.Conflict,
    "PreconditionFailed": cn.Conflict,
    "LeaseIdMissing": cn.Conflict,
    "LeaseIdMismatchWithBlobOperation": cn.Conflict,
    "PendingCopyOperation": cn.Conflict,
    "SnapshotsPresent": cn.Conflict,
    "OperationNotAllowed": cn.Conflict,
    "Conflict": cn.Conflict,
    "ResourceGroupBeingDeleted": cn.Conflict,
    "NicInUse": cn.Conflict,
    "InUseSubnetCannotBeDeleted": cn.Conflict,
    "AttachDiskWhileBeingDetached": cn.Conflict,
    "OperationPreempted": cn.TransientError,
    "RetryableError": cn.TransientError,
    # bad arguments
    "InvalidRange": cn.InvalidArgument,
    "InvalidParameter": cn.InvalidArgument,
    "InvalidHeaderValue": cn.InvalidArgument,
    "InvalidMetadata": cn.InvalidArgument,
    "InvalidInput": cn.InvalidArgument,
    "InvalidResourceName": cn.InvalidArgument,
    "InvalidBlobOrBlock": cn.InvalidArgument,
    "OutOfRangeInput": cn.InvalidArgument,
    "InvalidResourceReference": cn.InvalidArgument,
    "InvalidResourceType": cn.InvalidArgument,
    "LocationRequired": cn.InvalidArgument,
    "MissingApiVersionParameter": cn.InvalidArgument,
    "RequestBodyTooLarge": cn.InvalidArgument,
    "BlockCountExceedsLimit": cn.InvalidArgument,
    "NoAuthenticationInformation": cn.AuthenticationError,
    # damaged in transit (a Content-MD5 the service checked)
    "Md5Mismatch": cn.IntegrityError,
    "InvalidMd5": cn.IntegrityError,
    "Crc64Mismatch": cn.IntegrityError,
    # account limits
    "QuotaExceeded": cn.QuotaExceeded,
    "OperationNotAllowedQuota": cn.QuotaExceeded,
    "SkuNotAvailable": cn.QuotaExceeded,
    "ZonalAllocationFailed": cn.TransientError,
    "AllocationFailed": cn.TransientError,
    "OverconstrainedAllocationRequest": cn.TransientError,
    # worth retrying
    "ServerBusy": cn.TransientError,
    "InternalError": cn.TransientError,
    "InternalServerError": cn.TransientError,
    "OperationTimedOut": cn.TransientError,
    "TooManyRequests": cn.TransientError,
    "GatewayTimeout": cn.TransientError,
    "ServiceUnavailable": cn.TransientError,
    # credentials
    "AuthenticationFailed": cn.AuthenticationError,
    "InvalidAuthenticationInfo": cn.AuthenticationError,
    "ExpiredAuthenticationToken": cn.AuthenticationError,
    "InvalidAuthenticationToken": cn.AuthenticationError,
    "AuthorizationFailure": cn.PermissionDenied,
    "AuthorizationPermissionMismatch": cn.PermissionDenied,
    "AuthorizationFailed": cn.PermissionDenied,
    "InsufficientAccountPermissions": cn.PermissionDenied,
    "LinkedAuthorizationFailed": cn.PermissionDenied,
}

#: ``...QuotaExceeded``, ``...LimitExceeded``, ``QuotaExceeded...``: a limit of the subscription.
_QUOTA = re.compile(r"(Quota|Limit)Exceeded|^QuotaExceeded", re.IGNORECASE)
#: Azurite answers a wrong Content-MD5 with ``InvalidOperation`` ("Provided contentMD5 doesn't match").
_AZURITE_MD5 = re.compile(r"content-?md5", re.IGNORECASE)


def translate(exc: Exception) -> cn.CloudError:
    """The portable error for ``exc`` (never raises)."""
    if isinstance(exc, cn.CloudError):
        return exc
    if isinstance(exc, ax.HttpResponseError) and not isinstance(exc, ax.DecodeError):
        return _http_error(exc)
    kind = _transport_kind(exc)
    return kind(redact(f"{type(exc).__name__}: {_first_line(str(exc))}"))


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _transport_kind(exc: Exception) -> type[cn.CloudError]:
    if isinstance(exc, ax.ClientAuthenticationError):
        return cn.AuthenticationError
    if type(exc).__name__ in ("CredentialUnavailableError",):  # azure.identity, not imported here
        return cn.AuthenticationError
    if isinstance(exc, (ax.ServiceRequestError, ax.ServiceResponseError, ax.IncompleteReadError)):
        return cn.TransientError  # refused / dropped connections, timeouts, bodies cut short
    if isinstance(exc, (ax.DecodeError, ax.StreamClosedError)):
        return cn.TransientError  # a body that could not be read whole
    if isinstance(exc, ax.SerializationError):
        return cn.InvalidArgument
    if isinstance(exc, ValueError) and "header" in str(exc).lower():
        return cn.InvalidArgument  # http.client refused a header (a CR in a content type ...)
    return cn.ProviderError


def _http_error(exc: ax.HttpResponseError) -> cn.CloudError:
    status = int(exc.status_code or 0)
    code = _code(exc)
    detail = _first_line(_message(exc))
    message = f"{status or ''} {code}".strip() + (f": {detail}" if detail else "")
    return classify(code, status, exc, detail)(redact(message))


def _code(exc: ax.HttpResponseError) -> str:
    code = getattr(exc, "error_code", None)
    if code:
        return str(getattr(code, "value", code))
    error = getattr(exc, "error", None)
    if error is not None and getattr(error, "code", None):
        return str(error.code)
    response = getattr(exc, "response", None)
    header = response.headers.get("x-ms-error-code") if response is not None else None
    return str(header or "")


def _message(exc: ax.HttpResponseError) -> str:
    error = getattr(exc, "error", None)
    if error is not None and getattr(error, "message", None):
        return str(error.message)
    return str(exc.message or exc.reason or "")


def classify(code: str, status: int, exc: Exception | None = None, detail: str = "") -> type[cn.CloudError]:
    """The portable class for an Azure error ``code``, HTTP ``status`` and exception class."""
    if code in CODES:
        return CODES[code]
    if code == "InvalidOperation" and _AZURITE_MD5.search(detail):
        return cn.IntegrityError
    if code and _QUOTA.search(code):
        return cn.QuotaExceeded
    if isinstance(exc, ax.ClientAuthenticationError) or status == 401:
        return cn.AuthenticationError
    if status == 429 or status >= 500:
        return cn.TransientError
    if isinstance(exc, ax.ResourceNotFoundError) or status == 404:
        return cn.NotFound
    if isinstance(exc, ax.ResourceExistsError):
        return cn.AlreadyExists if status != 409 or "Exists" in code else cn.Conflict
    if isinstance(exc, ax.ResourceModifiedError) or status == 412:
        return cn.Conflict
    if status == 409:
        return cn.Conflict
    if status == 403:
        return cn.PermissionDenied
    if status == 416:
        return cn.InvalidArgument
    if status == 400:
        return cn.InvalidArgument
    return cn.ProviderError
