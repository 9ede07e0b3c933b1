"""The one place where libcloud exceptions become :mod:`cloudneutral.errors`.

Order: libcloud's own exception classes (storage container/object errors, credentials,
rate limits), then an HTTP status (``ProviderError.http_code``, ``BaseHTTPError.code``, or
the status libcloud writes into a plain ``LibcloudError``'s message, e.g. "Unexpected
status code: 404"), then dropped connections. Messages are redacted: the credentials of
the connection (``secrets``) and every shape :mod:`cloudneutral.redaction` knows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from cloudneutral import errors as cn
from cloudneutral.redaction import redact

__all__ = ["FORBIDDEN_CODES", "PROVIDER", "STATUS", "translate"]

PROVIDER = "libcloud"

#: HTTP statuses, when the exception class says nothing more precise.
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

#: Error codes in the body of a refusal that mean "authenticated, but not allowed": libcloud
#: raises ``InvalidCredsError`` for every 401 and 403 (S3, Azure), so only the body tells.
FORBIDDEN_CODES = ("AccessDenied", "AuthorizationPermissionMismatch", "AuthorizationFailure", "Forbidden")

_STATUS_IN_MESSAGE = re.compile(r"status[ _]code[:=\s]*(\d{3})", re.IGNORECASE)


def _status(exc: BaseException) -> int | None:
    for attribute in ("http_code", "code", "status"):
        value = getattr(exc, attribute, None)
        if isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599:
            return value
    match = _STATUS_IN_MESSAGE.search(str(getattr(exc, "value", "")) or str(exc))
    return int(match.group(1)) if match else None


def _by_class(exc: BaseException) -> type[cn.CloudError] | None:
    from libcloud.common.exceptions import RateLimitReachedError
    from libcloud.common.types import InvalidCredsError, ServiceUnavailableError
    from libcloud.storage import types as st

    table: tuple[tuple[type[BaseException], type[cn.CloudError]], ...] = (
        (st.ContainerDoesNotExistError, cn.NotFound),
        (st.ObjectDoesNotExistError, cn.NotFound),
        (st.ContainerAlreadyExistsError, cn.AlreadyExists),
        (st.ContainerIsNotEmptyError, cn.Conflict),
        (st.InvalidContainerNameError, cn.InvalidArgument),
        (st.ObjectHashMismatchError, cn.IntegrityError),
        (InvalidCredsError, cn.AuthenticationError),
        (RateLimitReachedError, cn.TransientError),
        (ServiceUnavailableError, cn.TransientError),
    )
    for native, portable in table:
        if isinstance(exc, native):
            return portable
    return None


def _dropped(exc: BaseException) -> bool:
    try:
        import requests
    except ImportError:  # pragma: no cover - libcloud depends on requests
        return isinstance(exc, (ConnectionError, TimeoutError))
    return isinstance(exc, (ConnectionError, TimeoutError, requests.ConnectionError, requests.Timeout))


def translate(exc: BaseException, secrets: Iterable[str] = ()) -> cn.CloudError:
    """The portable error for ``exc``; ``ProviderError`` when nothing more precise fits."""
    if isinstance(exc, cn.CloudError):
        return exc
    detail = str(getattr(exc, "value", None) or "")
    for attribute in ("container_name", "object_name"):
        name = getattr(exc, attribute, None)
        if name and not detail:
            detail = f"{attribute.replace('_name', '')} {name!r}"
    detail = detail or str(exc)
    message = redact(f"{type(exc).__name__}: {detail}"[:500], secrets)
    portable = _by_class(exc)
    if portable is cn.AuthenticationError and any(f"<Code>{c}</Code>" in detail for c in FORBIDDEN_CODES):
        portable = cn.PermissionDenied
    if portable is cn.InvalidArgument and "already exists" in detail:
        portable = cn.AlreadyExists  # libcloud's S3 driver: 409 BucketAlreadyExists (another owner)
    if portable is not None:
        return portable(message, provider=PROVIDER)
    status = _status(exc)
    if status is not None and status in STATUS:
        return STATUS[status](message, provider=PROVIDER)
    if status is not None and status >= 500:
        return cn.TransientError(message, provider=PROVIDER)
    if _dropped(exc):
        return cn.TransientError(message, provider=PROVIDER)
    return cn.ProviderError(message, provider=PROVIDER)
