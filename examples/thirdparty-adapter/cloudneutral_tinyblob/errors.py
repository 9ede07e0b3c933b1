"""The one place where TinyBlob failures become :mod:`cloudneutral.errors`.

:func:`translate` looks at the service's error code first, then the HTTP status; network
failures (refused or dropped connections, a body cut short) are transient. It never
raises, and messages hold only the status, code and the service's message (never a
header: the bearer token travels in one).
"""

from __future__ import annotations

import http.client

from cloudneutral import errors as cn
from cloudneutral.redaction import redact

from .client import TinyBlobError

__all__ = ["CODES", "STATUS", "translate"]

#: TinyBlob's error codes (see :mod:`.server`) and the portable class each means.
CODES: dict[str, type[cn.CloudError]] = {
    "NoSuchBucket": cn.NotFound,
    "NoSuchKey": cn.NotFound,
    "NoSuchUpload": cn.NotFound,
    "BucketExists": cn.AlreadyExists,
    "BucketNotEmpty": cn.Conflict,
    "PreconditionFailed": cn.Conflict,
    "BadDigest": cn.IntegrityError,
    "InvalidRange": cn.InvalidArgument,
    "InvalidPart": cn.InvalidArgument,
    "EntityTooSmall": cn.InvalidArgument,
    "BadRequest": cn.InvalidArgument,
    "Unauthorized": cn.AuthenticationError,
    "Forbidden": cn.PermissionDenied,
    "SlowDown": cn.TransientError,
}

#: HTTP statuses, when the code is not one of :data:`CODES` (a proxy's answer, say).
STATUS: dict[int, type[cn.CloudError]] = {
    400: cn.InvalidArgument,
    401: cn.AuthenticationError,
    403: cn.PermissionDenied,
    404: cn.NotFound,
    409: cn.Conflict,
    412: cn.Conflict,
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
    message = redact(f"{type(exc).__name__}: {exc}")
    if isinstance(exc, TinyBlobError):
        cls = CODES.get(exc.code) or STATUS.get(exc.status)
        if cls is None:
            cls = cn.TransientError if exc.status >= 500 else cn.ProviderError
        return cls(message)
    if isinstance(exc, (OSError, http.client.HTTPException)):
        return cn.TransientError(message)  # refused, reset, timed out, cut short: retry
    return cn.ProviderError(message)
