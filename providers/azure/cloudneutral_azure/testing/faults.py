"""Azure SDK exceptions as the SDKs raise them for an HTTP error answer, without a server.

:func:`http_error` builds an azure-core ``HttpResponseError`` (or the subclass azure-core and
azure-storage-blob raise for that status and code) over a minimal response, with the
service's error code set the way azure-storage-blob's and ARM's error parsing set it. Used
by the error-mapping tests and the conformance harness's :meth:`native_fault`.
"""

from __future__ import annotations

from typing import Any

from azure.core import exceptions as ax
from azure.core.rest import HttpRequest

__all__ = ["FAULT_ANSWERS", "StubResponse", "http_error"]

#: Blob Storage's real answers to the suite's faults: (status, error code, message).
FAULT_ANSWERS: dict[str, tuple[int, str, str]] = {
    "throttle": (503, "ServerBusy", "The server is currently unable to receive requests. Please retry."),
    "server-error": (500, "InternalError", "The server encountered an internal error. Please retry."),
    "unauthenticated": (
        403,
        "AuthenticationFailed",
        "Server failed to authenticate the request. Make sure the value of the Authorization "
        "header is formed correctly including the signature.",
    ),
    "forbidden": (
        403,
        "AuthorizationPermissionMismatch",
        "This request is not authorized to perform this operation using this permission.",
    ),
}


class StubResponse:
    """Just enough of an azure-core HTTP response for ``HttpResponseError``."""

    def __init__(self, status: int, code: str = "", reason: str = "") -> None:
        self.status_code = status
        self.reason = reason
        self.headers = {"x-ms-error-code": code} if code else {}
        self.request = HttpRequest("GET", "https://example.invalid/")
        self.content_type = "application/xml"

    def text(self, encoding: str | None = None) -> str:
        return ""

    def body(self) -> bytes:
        return b""


def http_error(
    status: int, code: str, message: str = "", cls: type[ax.HttpResponseError] | None = None
) -> Any:
    """The exception an Azure SDK raises for an answer of ``status`` with error ``code``."""
    if cls is None:
        cls = {404: ax.ResourceNotFoundError, 409: ax.ResourceExistsError, 412: ax.ResourceModifiedError}.get(
            status, ax.HttpResponseError
        )
        if code in ("AuthenticationFailed", "InvalidAuthenticationInfo") or status == 401:
            cls = ax.ClientAuthenticationError
    error: Any = cls(message=message or code, response=StubResponse(status, code))
    error.error_code = code
    return error
