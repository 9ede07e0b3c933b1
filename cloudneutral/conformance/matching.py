"""How a request is matched against a cassette in replay: by what decides its answer.

Two requests match when they agree on method, URL (scheme, host, port, path, query without
the harness's ignored parameters), the headers that decide behaviour (:data:`MATCHED_HEADERS`
and :data:`MATCHED_PREFIXES`: the byte range, conditions, Content-MD5, content type, user
metadata, copy source; plus the harness's ``matched_headers``, minus its
``unmatched_headers``) and the SHA-256 of the body (form and JSON bodies without the
harness's ``ignored_body_fields``, JSON with its keys sorted, since SDKs such as
openstacksdk order them by a set; none for its ``unmatched_body_types``). So an adapter
that sends a wrong range, drops a condition or metadata, or writes other bytes fails in
replay as it does live.

Each request's :class:`Fingerprint` is computed once and kept on the (vcrpy) request
object, so matching a request against a cassette costs a tuple comparison per interaction.
:func:`explain` names, for a request the cassette lacks, the closest recorded one and what
differs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import parse_qsl

import attrs

__all__ = ["MATCHED_HEADERS", "MATCHED_PREFIXES", "Fingerprint", "Matcher", "explain"]

#: Request headers (lower case) whose value changes what the provider answers.
MATCHED_HEADERS = frozenset(
    {
        "range",
        "if-match",
        "if-none-match",
        "if-modified-since",
        "if-unmodified-since",
        "content-md5",
        "content-type",
        "x-amz-copy-source",
        "x-amz-copy-source-range",
        "x-amz-metadata-directive",
        "x-amz-tagging",
        "x-ms-range",
        "x-ms-copy-source",
        "x-ms-blob-content-type",
        "x-ms-blob-content-md5",
        "x-copy-from",
        "destination",
        "x-object-manifest",
    }
)

#: Header name prefixes (lower case) matched like :data:`MATCHED_HEADERS`: user metadata
#: and conditions of S3, Azure and Swift.
MATCHED_PREFIXES = (
    "x-amz-meta-",
    "x-amz-copy-source-if-",
    "x-ms-meta-",
    "x-ms-source-if-",
    "x-ms-if-",
    "x-object-meta-",
)

_FORM = "application/x-www-form-urlencoded"


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _boundary(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        name, _, value = param.strip().partition("=")
        if name.lower() == "boundary" and value:
            return value.strip('"')
    return None


def _header_value(name: str, value: str) -> str:
    value = value.strip()
    if name == "content-type":  # a multipart boundary is random per request
        params = [p.strip() for p in value.split(";")]
        value = "; ".join(p for p in params if not p.lower().startswith("boundary="))
    return value


def _drop(document: Any, fields: frozenset[str]) -> Any:
    if isinstance(document, dict):
        return {k: _drop(v, fields) for k, v in document.items() if k not in fields}
    if isinstance(document, list):
        return [_drop(v, fields) for v in document]
    return document


def _body_bytes(request: Any) -> bytes:
    body = getattr(request, "body_bytes", None)
    if body is None:
        body = request.body
    if hasattr(body, "read"):  # a file-like body (vcrpy gives a fresh BytesIO)
        body = body.read()
    if isinstance(body, list):
        body = b"".join(body)
    if isinstance(body, str):
        body = body.encode("utf-8")
    return bytes(body or b"")


@attrs.frozen
class Fingerprint:
    """What a request is matched on (see the module docstring)."""

    method: str
    url: tuple[str, str, int | None, str]
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    body: str | None


@attrs.frozen
class Matcher:
    """The matching rules of one harness: which query parameters, headers and body fields
    decide, and which content types' bodies do not."""

    ignored_query: frozenset[str] = frozenset()
    extra_headers: frozenset[str] = frozenset()
    unmatched_headers: frozenset[str] = frozenset()
    ignored_fields: frozenset[str] = frozenset()
    unmatched_types: tuple[str, ...] = ()

    @classmethod
    def of(cls, harness: Any) -> Matcher:
        return cls(
            ignored_query=frozenset(p.lower() for p in harness.ignored_query_params),
            extra_headers=frozenset(h.lower() for h in harness.matched_headers),
            unmatched_headers=frozenset(h.lower() for h in harness.unmatched_headers),
            ignored_fields=frozenset(harness.ignored_body_fields),
            unmatched_types=tuple(t.lower() for t in harness.unmatched_body_types),
        )

    def _matched(self, name: str) -> bool:
        if name in self.unmatched_headers:
            return False
        return name in MATCHED_HEADERS or name in self.extra_headers or name.startswith(MATCHED_PREFIXES)

    def _body(self, request: Any, content_type: str) -> str | None:
        data = _body_bytes(request)
        if not data:
            return None
        media = _media_type(content_type)
        if any(media.startswith(t) for t in self.unmatched_types):
            return "*"
        boundary = _boundary(content_type)
        if media.startswith("multipart/") and boundary:  # random per request
            data = data.replace(boundary.encode("latin-1"), b"BOUNDARY")
        if self.ignored_fields and media == _FORM:
            pairs = sorted((k, v) for k, v in parse_qsl(data.decode("latin-1"), keep_blank_values=True))
            data = repr([(k, v) for k, v in pairs if k not in self.ignored_fields]).encode()
        elif media.endswith("/json") or media.endswith("+json"):  # key order decides nothing
            try:
                document = _drop(json.loads(data), self.ignored_fields)
                data = json.dumps(document, sort_keys=True).encode()
            except ValueError:
                pass
        return hashlib.sha256(data).hexdigest()

    def fingerprint(self, request: Any) -> Fingerprint:
        """The fingerprint of a vcrpy request, computed once and kept on the request."""
        cached: Fingerprint | None = request.__dict__.get("_cn_fingerprint")
        if cached is not None:
            return cached
        parsed = request.parsed_uri
        port = parsed.port or {"https": 443, "http": 80}.get(parsed.scheme)
        query = tuple(
            sorted(
                (k, v)
                for k, v in parse_qsl(parsed.query, keep_blank_values=True)
                if k.lower() not in self.ignored_query
            )
        )
        headers: list[tuple[str, str]] = []
        content_type = ""
        for name, value in request.headers.items():
            lower = name.lower()
            text = _text(value)
            if lower == "content-type":
                content_type = text
            if self._matched(lower):
                headers.append((lower, _header_value(lower, text)))
        fingerprint = Fingerprint(
            method=str(request.method).upper(),
            url=(parsed.scheme, (parsed.hostname or "").lower(), port, parsed.path or "/"),
            query=query,
            headers=tuple(sorted(headers)),
            body=self._body(request, content_type),
        )
        request.__dict__["_cn_fingerprint"] = fingerprint
        return fingerprint

    def __call__(self, r1: Any, r2: Any) -> bool:
        """The vcrpy matcher: whether two requests match."""
        return self.fingerprint(r1) == self.fingerprint(r2)

    def differences(self, sent: Any, recorded: Any) -> list[str]:
        """What differs between two requests, in words (empty when they match)."""
        a, b = self.fingerprint(sent), self.fingerprint(recorded)
        out: list[str] = []
        if a.method != b.method:
            out.append(f"method {a.method} (recorded {b.method})")
        if a.url != b.url:
            out.append(f"URL {_url(a)} (recorded {_url(b)})")
        if a.query != b.query:
            out.append(f"query {_pairs(a.query)} (recorded {_pairs(b.query)})")
        sent_headers, recorded_headers = dict(a.headers), dict(b.headers)
        for name in sorted(set(sent_headers) | set(recorded_headers)):
            if sent_headers.get(name) != recorded_headers.get(name):
                out.append(
                    f"header {name}: {sent_headers.get(name, '(none)')!r} "
                    f"(recorded {recorded_headers.get(name, '(none)')!r})"
                )
        if a.body != b.body:
            fields = _field_differences(sent, recorded, self.ignored_fields)
            if fields:
                out += fields
            else:
                out.append(f"body sha256 {_short(a.body)} (recorded {_short(b.body)})")
        return out


def _fields(request: Any) -> dict[str, str] | None:
    """The fields of a form-encoded body, else ``None``."""
    content_type = next((_text(v) for k, v in request.headers.items() if k.lower() == "content-type"), "")
    if _media_type(content_type) != _FORM:
        return None
    return dict(parse_qsl(_body_bytes(request).decode("latin-1"), keep_blank_values=True))


def _field_differences(sent: Any, recorded: Any, ignored: frozenset[str]) -> list[str]:
    """The fields in which two form bodies differ (a random one belongs in the harness's
    ``ignored_body_fields``); empty when either is not a form."""
    mine, theirs = _fields(sent), _fields(recorded)
    if mine is None or theirs is None:
        return []
    return [
        f"body field {name}: {mine.get(name, '(none)')!r} (recorded {theirs.get(name, '(none)')!r})"
        for name in sorted(set(mine) | set(theirs))
        if mine.get(name) != theirs.get(name) and name not in ignored
    ]


def _url(f: Fingerprint) -> str:
    scheme, host, port, path = f.url
    return f"{scheme}://{host}:{port}{path}"


def _pairs(pairs: Sequence[tuple[str, str]]) -> str:
    return "&".join(f"{k}={v}" for k, v in pairs) or "(none)"


def _short(digest: str | None) -> str:
    return "(no body)" if digest is None else digest[:12]


def explain(matcher: Matcher, request: Any, recorded: Iterable[tuple[Any, bool]]) -> str:
    """Why ``request`` has no answer among ``recorded`` (``(request, already played)``
    pairs): the closest recorded request and what differs, or that it was played already."""
    candidates = list(recorded)
    if not candidates:
        return "the cassette holds no interaction at all"
    mine = matcher.fingerprint(request)
    best: tuple[int, list[str], bool] | None = None
    for other, played in candidates:
        diffs = matcher.differences(request, other)
        theirs = matcher.fingerprint(other)
        # rank: same method and path first, then fewest differences
        rank = (theirs.method != mine.method) * 100 + (theirs.url != mine.url) * 10 + len(diffs)
        if best is None or rank < best[0]:
            best = (rank, diffs, played)
    assert best is not None
    _, diffs, played = best
    if not diffs:
        return "a matching interaction was recorded but has already been played (the adapter repeats it)"
    return "closest recorded request differs in " + "; ".join(diffs)
