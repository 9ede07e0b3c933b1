"""The one place where NAME SDK exceptions become :mod:`cloudneutral.errors` (skeleton).

:func:`translate` is called once per exception escaping the driver and must never raise.
Look, in order, at the SDK's exception class, its error code, then the HTTP status.
Build messages from the operation, the code and the service's message only: never from
request headers or URLs that may carry credentials.
"""

from __future__ import annotations

from cloudneutral import errors as cn
from cloudneutral.redaction import redact

__all__ = ["CODES", "STATUS", "translate"]

#: The service's error codes and the portable class each means. Fill in from the
#: vendor's error reference; unknown codes fall through to the HTTP status.
CODES: dict[str, type[cn.CloudError]] = {
    "NotFound": cn.NotFound,
    "AlreadyExists": cn.AlreadyExists,
    "Conflict": cn.Conflict,
    "InvalidParameter": cn.InvalidArgument,
    "Unauthorized": cn.AuthenticationError,
    "Forbidden": cn.PermissionDenied,
    "QuotaExceeded": cn.QuotaExceeded,
    "Throttled": cn.TransientError,
}

#: HTTP statuses, when the code says nothing more precise.
STATUS: dict[int, type[cn.CloudError]] = {
    400: cn.InvalidArgument,
    401: cn.AuthenticationError,
    403: cn.PermissionDenied,
    404: cn.NotFound,
    409: cn.Conflict,
    416: cn.InvalidArgument,
    429: cn.TransientError,
    500: cn.TransientError,
    502: cn.TransientError,
    503: cn.TransientError,
    504: cn.TransientError,
}


def translate(exc: Exception) -> cn.CloudError:
    """The portable error for ``exc``; ``ProviderError`` when nothing more precise fits."""
    if isinstance(exc, cn.CloudError):
        return exc
    # Replace these getattr calls with the SDK's own exception classes and attributes.
    code = getattr(exc, "code", None)
    status = getattr(exc, "status_code", None)
    message = redact(f"{type(exc).__name__}: {exc}")  # the one redactor: no credential in messages
    if isinstance(code, str) and code in CODES:
        return CODES[code](message)
    if isinstance(status, int) and status in STATUS:
        return STATUS[status](message)
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return cn.TransientError(message)  # dropped connections are worth retrying
    return cn.ProviderError(message)
