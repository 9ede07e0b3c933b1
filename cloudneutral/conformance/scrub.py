"""Generic secret scrubbing for cassettes, the same for every provider.

Applied at record time (and, by vcrpy, to each request before matching, so it must be
deterministic): credentials in headers, signed query strings, tokens and keys in text
bodies are replaced by :data:`REDACTED`. :func:`find_secrets` checks a written cassette
afterwards, so a scrubbing gap fails the recording instead of reaching the repository.
Harness hooks (:class:`~cloudneutral.conformance.harness.Harness`) add provider rules.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..redaction import REDACTED, find_secrets, redact

__all__ = [
    "REDACTED",
    "SECRET_HEADERS",
    "SECRET_QUERY_PARAMS",
    "find_secrets",
    "scrub_request",
    "scrub_response",
    "scrub_text",
]


#: Headers (lower case) whose values are credentials or session material.
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-amz-security-token",
        "x-amz-date",
        "x-amz-credential",
        "x-auth-token",
        "x-subject-token",
        "x-storage-token",
        "x-auth-key",
        "x-api-key",
        "x-ms-authorization-auxiliary",
        "x-ms-copy-source-authorization",
        "x-ms-encryption-key",
        "x-ms-encryption-key-sha256",
        "x-goog-api-key",
    }
)

#: Query parameters (lower case) that sign a URL or carry a credential.
SECRET_QUERY_PARAMS = frozenset(
    {
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
        "x-amz-date",
        "signature",
        "awsaccesskeyid",
        "sig",
        "se",
        "st",
        "skoid",
        "sktid",
        "skt",
        "ske",
        "sks",
        "skv",
        "sv",
        "token",
        "access_token",
        "client_secret",
        "code",
        "password",
    }
)

_TEXT_TYPES = ("json", "xml", "text/", "x-www-form-urlencoded", "html")


def scrub_text(text: str) -> str:
    """``text`` with every known credential shape replaced by :data:`REDACTED` (the one
    redactor of :mod:`cloudneutral.redaction`)."""
    return redact(text)


def _scrub_url(uri: str, params: frozenset[str]) -> str:
    parts = urlsplit(uri)
    if not parts.query:
        return uri
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    changed = [(k, REDACTED if k.lower() in params else v) for k, v in pairs]
    if changed == pairs:
        return uri
    return urlunsplit(parts._replace(query=urlencode(changed)))


def _is_text(content_type: str) -> bool:
    return any(marker in content_type.lower() for marker in _TEXT_TYPES)


def _scrub_body(body: Any, content_type: str) -> Any:
    if not isinstance(body, (bytes, str)) or not body or not _is_text(content_type):
        return body
    text = body.decode("utf-8", errors="strict") if isinstance(body, bytes) else body
    scrubbed = scrub_text(text)
    if scrubbed == text:
        return body
    return scrubbed.encode("utf-8") if isinstance(body, bytes) else scrubbed


def _copy(request: Any) -> Any:
    """A copy of a vcrpy ``Request`` whose headers can change without touching the original
    (the body, bytes or a list of chunks, is replaced rather than changed in place)."""
    clone = copy.copy(request)
    clone.__dict__.pop("_cn_filtered", None)
    clone.__dict__.pop("_cn_fingerprint", None)
    clone.headers = dict(request.headers.items())
    return clone


def scrub_request(request: Any, *, headers: Iterable[str] = (), query_params: Iterable[str] = ()) -> Any:
    """A scrubbed copy of a vcrpy ``Request`` (the original is what goes on the wire)."""
    drop = SECRET_HEADERS | {h.lower() for h in headers}
    params = SECRET_QUERY_PARAMS | {p.lower() for p in query_params}
    request = _copy(request)
    for name in list(request.headers):
        if name.lower() in drop:
            request.headers[name] = REDACTED
    request.uri = _scrub_url(request.uri, params)
    content_type = str(request.headers.get("Content-Type", ""))
    body = getattr(request, "body_bytes", None)
    if isinstance(body, (bytes, str)):
        try:
            scrubbed = _scrub_body(body, content_type)
        except UnicodeDecodeError:
            scrubbed = body  # binary payload mislabelled as text: nothing textual to leak
        if scrubbed is not body:
            request.body = scrubbed
    return request


def scrub_response(response: dict[str, Any], *, headers: Iterable[str] = ()) -> dict[str, Any]:
    """A scrubbed copy of a vcrpy response dict (``status``, ``headers``, ``body``)."""
    drop = SECRET_HEADERS | {h.lower() for h in headers}
    response = copy.deepcopy(response)
    raw_headers: dict[str, Any] = response.get("headers", {})
    for name in list(raw_headers):
        if name.lower() in drop:
            raw_headers[name] = [REDACTED]
    content_type = ""
    for name, values in raw_headers.items():
        if name.lower() == "content-type":
            content_type = values[0] if isinstance(values, list) and values else str(values)
    body = response.get("body")
    if isinstance(body, dict) and "string" in body:
        with contextlib.suppress(UnicodeDecodeError):  # binary: nothing textual to leak
            body["string"] = _scrub_body(body["string"], content_type)
    return response
