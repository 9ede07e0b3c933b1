"""The one place where openstacksdk, keystoneauth1 and requests exceptions become
:mod:`cloudneutral.errors`.

:func:`translate` looks at the exception class (connections, timeouts, configuration,
authentication plugins), then at the HTTP status, then, for the statuses OpenStack uses
for more than one thing, at the service's message: Cinder and Nova answer **400** where a
volume's *state* forbids the operation (attached, has snapshots, in use) and Nova answers
**404** when a volume "is not attached" to a server; those are ``Conflict``. An unknown
availability zone (400) is ``NotFound``; "Quota exceeded" (403, 413, 400) is
``QuotaExceeded``; a 413 with ``Retry-After`` is Nova's rate limit (transient). Messages
name the method, path, status and the service's text only, and pass through the one
redactor (:func:`cloudneutral.redaction.redact`), so no token ever reaches one.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import requests
from keystoneauth1 import exceptions as kx
from openstack import exceptions as ox

from cloudneutral import errors as cn
from cloudneutral.redaction import redact

__all__ = ["STATUS", "classify", "translate"]

#: HTTP status -> portable class, where the status alone decides.
STATUS: dict[int, type[cn.CloudError]] = {
    400: cn.InvalidArgument,
    401: cn.AuthenticationError,
    403: cn.PermissionDenied,
    404: cn.NotFound,
    405: cn.Unsupported,
    409: cn.Conflict,
    412: cn.Conflict,
    413: cn.QuotaExceeded,
    416: cn.InvalidArgument,
    422: cn.IntegrityError,  # Swift: the ETag sent does not match the bytes received
    429: cn.TransientError,
}

#: 400/404 texts that mean "the resource's state forbids this" (Cinder, Nova volume calls).
_STATE = re.compile(
    r"invalid volume|invalid snapshot|already attached|status must be|must not be|is not attached|"
    r"in-use|in use|has snapshots|while it is in|cannot be deleted|is busy",
    re.IGNORECASE,
)
_QUOTA = re.compile(r"quota exceeded|exceeds quota|limitexceeded|over ?limit|quota", re.IGNORECASE)
_ZONE = re.compile(r"availability zone", re.IGNORECASE)


def classify(status: int, text: str = "", retry_after: bool = False) -> type[cn.CloudError]:
    """The portable class for an HTTP ``status`` and the service's message ``text``."""
    if status == 413 and retry_after:
        return cn.TransientError  # Nova's rate limit: overLimit with Retry-After
    if status in (400, 403, 413) and _QUOTA.search(text):
        return cn.QuotaExceeded
    if status in (400, 404) and _STATE.search(text):
        return cn.Conflict
    if status == 400 and _ZONE.search(text):
        return cn.NotFound  # "The requested availability zone is not available"
    if status in STATUS:
        return STATUS[status]
    if status >= 500:
        return cn.TransientError
    return cn.ProviderError


def _where(method: str | None, url: str | None) -> str:
    path = urlsplit(url).path if url else ""
    return " ".join(p for p in (method or "", path) if p)


def _http(exc: ox.HttpException) -> cn.CloudError:
    status = int(exc.status_code or 0)
    text = str(exc.details or "").strip()
    retry_after = exc.response is not None and "retry-after" in (k.lower() for k in exc.response.headers)
    where = _where(exc.method, exc.url)
    message = f"{where}: {status}" + (f": {text}" if text else "")
    return classify(status, text, retry_after)(redact(message.strip(": ")))


def _keystone_http(exc: kx.HttpError) -> cn.CloudError:
    status = int(exc.http_status or 0)
    text = str(exc.details or exc.message or "").strip()
    where = _where(exc.method, exc.url)
    message = f"{where}: {status}" + (f": {text}" if text else "")
    return classify(status, text, bool(exc.retry_after))(redact(message.strip(": ")))


def _kind(exc: Exception) -> type[cn.CloudError]:
    if isinstance(exc, kx.SSLError):  # a certificate problem does not pass by retrying
        return cn.ProviderError
    if isinstance(exc, (kx.ConnectionError, kx.RetriableConnectionFailure)):
        return cn.TransientError
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        return cn.TransientError  # a body cut short or a reset while streaming
    if isinstance(exc, (requests.exceptions.Timeout, kx.DiscoveryFailure)):
        return cn.TransientError
    if isinstance(exc, (kx.EndpointNotFound, ox.EndpointNotFound, ox.ConfigException)):
        return cn.ConfigurationError
    if isinstance(exc, (kx.AuthPluginException, kx.AuthorizationFailure, kx.MissingAuthMethods)):
        return cn.AuthenticationError
    if isinstance(exc, requests.exceptions.InvalidHeader) or (
        isinstance(exc, ValueError) and "Invalid header" in str(exc)
    ):
        return cn.InvalidArgument
    if isinstance(exc, ox.ResourceTimeout):
        return cn.Timeout
    return cn.ProviderError


def translate(exc: Exception) -> cn.CloudError:
    """The portable error for ``exc`` (never raises)."""
    if isinstance(exc, cn.CloudError):
        return exc
    if isinstance(exc, ox.HttpException) and exc.status_code:
        return _http(exc)
    if isinstance(exc, kx.HttpError) and exc.http_status:
        return _keystone_http(exc)
    return _kind(exc)(redact(f"{type(exc).__name__}: {exc}"))
