"""Read the kept Rackspace sources (``cassettes/rackspace/sources/``) as responses.

Three formats, three readers, one result type (:class:`SourceResponse`):

- :func:`fog_interaction`: one interaction of a Ruby VCR cassette (fog-rackspace
  ``spec/vcr``): the recorded request *and* response.
- :func:`raw_response`: a raw HTTP/1.1 response (php-opencloud ``_response/*.resp``):
  status line, headers, blank line, body. No request was kept.
- :func:`json_body`: a bare response body (pkgcloud ``test/fixtures/rackspace/*.json``).
  Status and headers were not kept; the caller states them, and they are reported as
  synthesized parts so the assembled cassette says so.

Sources are named by their path relative to the sources directory (``<origin>/<path in
the origin repository>``), which is also what the provenance marker of an assembled
cassette carries. A reader never changes what it reads: edits happen in the assembler.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "SOURCES",
    "RecordedRequest",
    "SourceResponse",
    "fog_interaction",
    "json_body",
    "raw_response",
    "source_path",
]

#: ``cassettes/rackspace/sources`` of this checkout.
SOURCES = Path(__file__).resolve().parents[3] / "cassettes" / "rackspace" / "sources"


@dataclass(frozen=True)
class RecordedRequest:
    """The request a source recorded with its response (only VCR cassettes keep one)."""

    method: str
    uri: str
    headers: tuple[tuple[str, str], ...]
    body: str


@dataclass(frozen=True)
class SourceResponse:
    """A response read from a kept source, exactly as the source has it.

    ``synthesized`` names the parts the source did not contain and the reader had to
    supply (for example ``"status 200"`` for a bare JSON body); it is empty for a source
    that kept the whole response.
    """

    source: str
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    request: RecordedRequest | None = None
    synthesized: tuple[str, ...] = ()

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


def source_path(name: str) -> Path:
    """The file of source ``name`` (``<origin>/<path>``); :class:`FileNotFoundError` if absent."""
    path = (SOURCES / name).resolve()
    if SOURCES.resolve() not in path.parents:
        raise ValueError(f"source {name!r} is outside {SOURCES}")
    if not path.is_file():
        raise FileNotFoundError(f"no source {name!r} under {SOURCES}")
    return path


def _ruby_vcr_body(body: Any) -> bytes:
    if not isinstance(body, dict):
        return b""
    if "base64_string" in body:
        import base64

        return base64.b64decode(str(body["base64_string"]))
    text = body.get("string") or ""
    return str(text).encode("utf-8")


def _ruby_vcr_headers(headers: Any) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for name, values in (headers or {}).items():
        for value in values if isinstance(values, list) else [values]:
            pairs.append((str(name), "" if value is None else str(value)))
    return tuple(pairs)


def fog_interaction(name: str, index: int = 0) -> SourceResponse:
    """Interaction ``index`` of the Ruby VCR cassette ``name`` (fog's ``spec/vcr`` format).

    The source id is ``name#index``. The recorded request comes along (method upper-cased,
    URI, headers, body as text).
    """
    data = yaml.safe_load(source_path(name).read_text(encoding="utf-8"))
    interactions = data["http_interactions"]
    if not 0 <= index < len(interactions):
        raise IndexError(f"{name} has {len(interactions)} interactions, not #{index}")
    item = interactions[index]
    req, resp = item["request"], item["response"]
    request = RecordedRequest(
        method=str(req["method"]).upper(),
        uri=str(req["uri"]),
        headers=_ruby_vcr_headers(req.get("headers")),
        body=_ruby_vcr_body(req.get("body")).decode("utf-8"),
    )
    status = resp["status"]
    return SourceResponse(
        source=f"{name}#{index}",
        status=int(status["code"]),
        reason=str(status.get("message") or ""),
        headers=_ruby_vcr_headers(resp.get("headers")),
        body=_ruby_vcr_body(resp.get("body")),
        request=request,
    )


def raw_response(name: str) -> SourceResponse:
    """The raw HTTP response file ``name`` (php-opencloud's ``.resp`` format).

    The first line is ``HTTP/1.x CODE REASON``; header lines follow up to the first empty
    line (or the end of the file: a headers-only file has no body); the rest is the body,
    byte for byte. CRLF and LF line ends are both accepted in the head.
    """
    raw = source_path(name).read_bytes()
    crlf, lf = raw.find(b"\r\n\r\n"), raw.find(b"\n\n")
    if crlf != -1 and (lf == -1 or crlf < lf):
        head, body = raw[:crlf], raw[crlf + 4 :]
    elif lf != -1:
        head, body = raw[:lf], raw[lf + 2 :]
    else:
        head, body = raw, b""
    lines = head.decode("iso-8859-1").replace("\r\n", "\n").split("\n")
    version, _, rest = lines[0].partition(" ")
    if not version.startswith("HTTP/"):
        raise ValueError(f"{name}: not an HTTP response (first line {lines[0]!r})")
    code, _, reason = rest.partition(" ")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        if not colon:
            raise ValueError(f"{name}: bad header line {line!r}")
        headers.append((key.strip(), value.strip()))
    return SourceResponse(
        source=name, status=int(code), reason=reason.strip(), headers=tuple(headers), body=body
    )


def json_body(
    name: str,
    *,
    status: int = 200,
    reason: str = "OK",
    content_type: str = "application/json",
) -> SourceResponse:
    """The bare JSON body ``name`` (pkgcloud's fixture format), as a response.

    The body is kept byte for byte (and must parse as JSON). Status, reason and the
    ``Content-Type`` header are the caller's assumptions and are listed in
    :attr:`SourceResponse.synthesized`.
    """
    body = source_path(name).read_bytes()
    json.loads(body)  # a fixture that is not JSON is the wrong file
    return SourceResponse(
        source=name,
        status=status,
        reason=reason,
        headers=(("Content-Type", content_type),),
        body=body,
        synthesized=(f"status {status} {reason}".rstrip(), f"header Content-Type: {content_type}"),
    )
