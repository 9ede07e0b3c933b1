"""What of a recorded interaction counts for drift, with the run-to-run noise taken out.

An :class:`Exchange` is one request's identity (method, path with ids replaced by ``{id}``,
sorted query parameter names plus the values of the few that name an operation, and for a
form body its ``Action``) and its answer (status, the headers that matter, the body's
shape). Consecutive exchanges of the same request collapse into the last one when they are
reads (GET, HEAD) or got the same status (EC2 polls by POST): how often a wait polled, and
through which passing states (a server's build ``progress``, a volume still there on the
first poll), is timing, not behaviour; where it ended counts.

A body's shape: for JSON and XML the structure (keys, element names) and value types, not
values; list items merged into one shape, so lengths do not count; ``null``, an empty
list and an empty XML element agree with anything (what a listing holds depends on what
the peer holds). Other bodies: a length class.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree

import attrs

__all__ = ["Exchange", "Shape", "body_shape", "exchanges", "load", "normalise"]

#: A JSON/XML shape: a type name, ``{key: shape}`` or ``["list", shape | None]``.
Shape = Any

_ID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|(?<![A-Za-z0-9])(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{8,}(?![A-Za-z0-9])"
    r"|(?<![A-Za-z0-9])[0-9]{6,}(?![A-Za-z0-9])"
)
#: Query parameters whose value names the operation (Azure's ``comp`` and ``restype``).
_OPERATION_PARAMS = frozenset({"comp", "restype", "action"})
#: Response headers compared by value (lower case) ...
_VALUE_HEADERS = frozenset({"content-range", "x-ms-blob-type", "x-ms-copy-status", "x-ms-error-code"})
#: ... and by presence only.
_PRESENT_HEADERS = frozenset({"etag", "location", "azure-asyncoperation", "last-modified"})


def normalise(text: str) -> str:
    """``text`` with ids (UUIDs, long alphanumeric tokens with digits, long numbers) as ``{id}``."""
    return _ID.sub("{id}", text)


@attrs.frozen
class Exchange:
    """One request and its answer, as far as drift is concerned."""

    request: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: Shape = attrs.field(eq=False)
    body_key: str = ""

    def __str__(self) -> str:
        return self.request


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _bytes(value: Any) -> bytes:
    if hasattr(value, "read"):
        value = value.read()
    if isinstance(value, str):
        return value.encode("utf-8")
    return bytes(value or b"")


def _request_key(request: Any) -> str:
    parts = urlsplit(request.uri)
    query = sorted(
        {
            f"{k}={v}" if k.lower() in _OPERATION_PARAMS else k
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        }
    )
    headers = {k.lower(): _text(v) for k, v in request.headers.items()}
    if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        form = dict(parse_qsl(_bytes(request.body).decode("latin-1"), keep_blank_values=True))
        if "Action" in form:
            query.insert(0, f"Action={form['Action']}")
    path = normalise(parts.path or "/")
    return f"{str(request.method).upper()} {path}" + (f"?{'&'.join(query)}" if query else "")


def _length_class(size: int) -> str:
    if size == 0:
        return "empty"
    for limit, name in ((1024, "< 1 KiB"), (1024 * 1024, "< 1 MiB")):
        if size < limit:
            return f"{name} of bytes"
    return ">= 1 MiB of bytes"


def _json_shape(value: Any) -> Shape:
    if isinstance(value, dict):
        return {normalise(str(k)): _json_shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return ["list", _merge(_json_shape(v) for v in value)]
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "string"


def _xml_shape(element: ElementTree.Element) -> Shape:
    children: dict[str, list[Shape]] = {}
    for child in element:
        children.setdefault(normalise(child.tag.rsplit("}", 1)[-1]), []).append(_xml_shape(child))
    if not children:  # an empty element (an empty collection, say) agrees with anything
        return "text" if (element.text or "").strip() or element.attrib else "null"
    return {tag: _merge(shapes) for tag, shapes in sorted(children.items())}


def _merge(shapes: Iterable[Shape]) -> Shape:
    """One shape for the items of a list: dicts merged key by key, else the first."""
    merged: Shape = None
    for shape in shapes:
        if merged is None or merged == "null":
            merged = shape
        elif isinstance(merged, dict) and isinstance(shape, dict):
            merged = {k: _merge([merged.get(k), shape.get(k)]) for k in sorted(set(merged) | set(shape))}
    return merged


def body_shape(body: bytes, content_type: str) -> Shape:
    """The shape of a response body (see the module docstring)."""
    media = content_type.split(";", 1)[0].strip().lower()
    stripped = body.strip()
    if not stripped:
        return "empty"
    if media.endswith("json") or (not media and stripped[:1] in (b"{", b"[")):
        try:
            return {"json": _json_shape(json.loads(stripped))}
        except ValueError:
            pass
    if media.endswith("xml") or stripped.startswith(b"<?xml"):
        try:
            root = ElementTree.fromstring(stripped)
            return {"xml": {root.tag.rsplit("}", 1)[-1]: _xml_shape(root)}}
        except ElementTree.ParseError:
            pass
    return _length_class(len(body))


def _exchange(request: Any, response: Mapping[str, Any]) -> Exchange:
    headers = {k.lower(): _text(v) for k, v in (response.get("headers") or {}).items()}
    kept: list[tuple[str, str]] = []
    content_type = headers.get("content-type", "")
    if content_type:
        kept.append(("content-type", content_type.split(";", 1)[0].strip().lower()))
    for name, value in sorted(headers.items()):
        if name in _VALUE_HEADERS or (name.startswith(("x-amz-", "x-ms-")) and "error" in name):
            kept.append((name, value))
        elif name in _PRESENT_HEADERS:
            kept.append((name, "present"))
    body = (response.get("body") or {}).get("string", b"")
    shape = body_shape(_bytes(body), content_type)
    return Exchange(
        _request_key(request),
        int(response["status"]["code"]),
        tuple(sorted(set(kept))),
        shape,
        json.dumps(shape, sort_keys=True),
    )


def load(path: Path) -> list[tuple[Any, dict[str, Any]]]:
    """The (vcrpy request, response dict) pairs of a cassette file."""
    from vcr.serialize import deserialize  # type: ignore[import-untyped]
    from vcr.serializers import yamlserializer  # type: ignore[import-untyped]

    requests, responses = deserialize(path.read_text(encoding="utf-8"), yamlserializer)
    return list(zip(requests, responses, strict=True))


def exchanges(interactions: Iterable[tuple[Any, Mapping[str, Any]]]) -> list[Exchange]:
    """The exchanges of a cassette's interactions, polls collapsed (see the module docstring)."""
    out: list[Exchange] = []
    for request, response in interactions:
        exchange = _exchange(request, response)
        read = exchange.request.split(" ", 1)[0] in ("GET", "HEAD")
        if out and out[-1].request == exchange.request and (read or out[-1].status == exchange.status):
            out[-1] = exchange  # a poll: only where it ended counts
        else:
            out.append(exchange)
    return out
