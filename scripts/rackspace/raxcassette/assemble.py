"""Assemble a vcrpy cassette from a script of steps, marking where every answer came from.

A :class:`Script` is an ordered list of :class:`Step` values: the request an SDK will send
(method and full URL at the real Rackspace host, query included, since the conformance
replay matches on method, scheme, host, port, path and query) and the response to play
back: a :class:`~raxcassette.sources.SourceResponse` read from a kept source, optionally
edited (:mod:`raxcassette.edits`), or a :class:`Synthesized` one where no source exists.

Every assembled response carries the marker header ``X-Cn-Provenance``:

``recorded:<source>``
    the source recorded this very request, and status, headers and body are played back
    exactly as recorded;
``assembled:<source>``
    a real response from ``<source>``, placed under a request the script chose and/or
    edited; ``X-Cn-Edits`` lists every difference from the source (status or headers the
    source lacked, edits, a corrected ``Content-Length``);
``synthesized``
    no source; ``X-Cn-Basis`` says what its shape rests on.

Requests are scrubbed with the project's own rules
(:mod:`cloudneutral.conformance.scrub`): credential headers with a value become
``REDACTED``, and so do credential members of request bodies (the login's ``apiKey``).

The markers are ordinary response headers, so they survive vcrpy loading, replay and
re-serialization unchanged, and an SDK ignores them. The cassette's top-level
``metadata`` (loaded and kept by vcrpy 9; older versions ignore it) names the script
and counts each kind.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from cloudneutral.conformance.scrub import REDACTED, SECRET_HEADERS, scrub_text

from .edits import Draft, Edit
from .sources import SourceResponse

__all__ = [
    "BASIS_HEADER",
    "CASSETTES",
    "EDITS_HEADER",
    "PROVENANCE_HEADER",
    "Script",
    "Step",
    "Synthesized",
    "assemble",
    "delete",
    "get",
    "head",
    "load_script",
    "post",
    "preview",
    "put",
    "render",
    "write",
]

PROVENANCE_HEADER = "X-Cn-Provenance"
EDITS_HEADER = "X-Cn-Edits"
BASIS_HEADER = "X-Cn-Basis"

#: ``cassettes/rackspace`` of this checkout: where assembled cassettes are written.
CASSETTES = Path(__file__).resolve().parents[3] / "cassettes" / "rackspace"

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "COPY", "OPTIONS"})


def _as_bytes(body: bytes | str | Mapping[str, Any] | Sequence[Any]) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body, indent=2).encode("utf-8")


@dataclass(frozen=True)
class Synthesized:
    """A response no source holds, written by the script author.

    ``basis`` is required: one line on what the shape rests on (an API reference, the
    neighbouring real response it mirrors), so a reviewer can judge it. ``body`` may be
    bytes, text, or a JSON-serializable value (written with two-space indentation).
    """

    status: int
    body: bytes | str | Mapping[str, Any] | Sequence[Any]
    basis: str
    reason: str = ""
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)

    def __post_init__(self) -> None:
        if not self.basis.strip():
            raise ValueError("a synthesized response needs a basis")


@dataclass(frozen=True)
class Step:
    """One interaction: the request (as matched in replay) and the response to play back.

    ``request_body`` and ``request_headers`` are written into the cassette (what the SDK
    sends, e.g. a server action; text is scrubbed, bytes are kept as sent); today's replay
    matcher does not compare them, a stricter one may.
    """

    method: str
    url: str
    response: SourceResponse | Synthesized
    edits: tuple[Edit, ...] = ()
    request_body: str | bytes = ""
    request_headers: tuple[tuple[str, str], ...] = ()
    note: str = ""

    def __post_init__(self) -> None:
        if self.method.upper() != self.method or self.method not in _METHODS:
            raise ValueError(f"method must be one of {sorted(_METHODS)}, not {self.method!r}")
        parts = urlsplit(self.url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"step URL must be absolute: {self.url!r}")


def _step(
    method: str,
    url: str,
    response: SourceResponse | Synthesized,
    edits: Iterable[Edit],
    body: str | Mapping[str, Any] | None,
    headers: Mapping[str, str] | None,
    note: str,
) -> Step:
    text = "" if body is None else body if isinstance(body, str) else json.dumps(body)
    return Step(
        method,
        url,
        response,
        tuple(edits),
        text,
        tuple((headers or {}).items()),
        note,
    )


def get(
    url: str,
    response: SourceResponse | Synthesized,
    *edits: Edit,
    headers: Mapping[str, str] | None = None,
    note: str = "",
) -> Step:
    """A GET step (``edits`` apply to ``response`` in order)."""
    return _step("GET", url, response, edits, None, headers, note)


def head(
    url: str,
    response: SourceResponse | Synthesized,
    *edits: Edit,
    headers: Mapping[str, str] | None = None,
    note: str = "",
) -> Step:
    """A HEAD step."""
    return _step("HEAD", url, response, edits, None, headers, note)


def delete(
    url: str,
    response: SourceResponse | Synthesized,
    *edits: Edit,
    headers: Mapping[str, str] | None = None,
    note: str = "",
) -> Step:
    """A DELETE step."""
    return _step("DELETE", url, response, edits, None, headers, note)


def post(
    url: str,
    response: SourceResponse | Synthesized,
    *edits: Edit,
    body: str | Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    note: str = "",
) -> Step:
    """A POST step; ``body`` (text or JSON value) documents what the SDK sends."""
    return _step("POST", url, response, edits, body, headers, note)


def put(
    url: str,
    response: SourceResponse | Synthesized,
    *edits: Edit,
    body: str | Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    note: str = "",
) -> Step:
    """A PUT step; ``body`` documents what the SDK sends."""
    return _step("PUT", url, response, edits, body, headers, note)


@dataclass(frozen=True)
class Script:
    """An assembly script: the steps of one cassette, in the order the SDK sends them.

    ``name`` is the cassette's path under ``cassettes/rackspace`` without ``.yaml`` (for a
    conformance test, the test key as the conformance suite spells it).
    """

    name: str
    description: str
    steps: tuple[Step, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not self.name or self.name.startswith("/") or ".." in Path(self.name).parts:
            raise ValueError(f"bad cassette name {self.name!r}")
        if not self.steps:
            raise ValueError("a script needs at least one step")

    def output(self, root: Path = CASSETTES) -> Path:
        """Where the cassette goes: ``root / (name + '.yaml')``."""
        return root / f"{self.name}.yaml"


def _header_value(text: str) -> str:
    flat = " ".join(text.split())
    return flat.encode("ascii", "backslashreplace").decode("ascii")


def _build(step: Step) -> tuple[Draft, str, list[str], str]:
    """(response draft, provenance, edit notes, basis) of one step."""
    src = step.response
    draft = Draft(src.status, src.reason, list(src.headers), _as_bytes(src.body))
    notes: list[str] = []
    basis = ""
    if isinstance(src, Synthesized):
        basis = src.basis
    else:
        notes.extend(src.synthesized)
        if src.request is not None and (src.request.method, src.request.uri) != (step.method, step.url):
            notes.append(f"request moved from {src.request.method} {src.request.uri}")
    notes.extend(edit.apply(draft) for edit in step.edits)
    declared = draft.header("Content-Length")
    if step.method != "HEAD" and declared is not None and declared.strip() != str(len(draft.body)):
        draft.set_header("Content-Length", str(len(draft.body)))
        notes.append(f"Content-Length {declared} -> {len(draft.body)} (to match the body)")
    if isinstance(src, Synthesized):
        provenance = "synthesized"
    elif src.request is not None and not notes:
        provenance = f"recorded:{src.source}"
    else:
        provenance = f"assembled:{src.source}"
    return draft, provenance, notes, basis


def preview(step: Step) -> Draft:
    """The response ``step`` will play back, with its edits applied (markers not added)."""
    return _build(step)[0]


def _headers_dict(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out


def _request_headers(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    return _headers_dict(
        (name, REDACTED if value and name.lower() in SECRET_HEADERS else value) for name, value in pairs
    )


def _body_field(body: bytes) -> str | bytes:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body


def _request_body(body: str | bytes) -> str | bytes | None:
    if isinstance(body, bytes):
        return body or None
    return scrub_text(body) or None


def assemble(script: Script) -> dict[str, Any]:
    """The cassette of ``script`` as the dictionary vcrpy serializes (format version 1).

    Raises :class:`~raxcassette.edits.EditError` when an edit does not apply.
    """
    interactions: list[dict[str, Any]] = []
    counts = {"recorded": 0, "assembled": 0, "synthesized": 0}
    sources: set[str] = set()
    for step in script.steps:
        draft, provenance, notes, basis = _build(step)
        kind, _, source = provenance.partition(":")
        counts[kind] += 1
        if source:
            sources.add(source.split("#", 1)[0])
        marks = [(PROVENANCE_HEADER, provenance)]
        if notes:
            marks.append((EDITS_HEADER, _header_value("; ".join(notes))))
        if basis:
            marks.append((BASIS_HEADER, _header_value(basis)))
        if step.note:
            marks.append(("X-Cn-Note", _header_value(step.note)))
        interactions.append(
            {
                "request": {
                    "method": step.method,
                    "uri": step.url,
                    "body": _request_body(step.request_body),
                    "headers": _request_headers(step.request_headers),
                },
                "response": {
                    "status": {"code": draft.status, "message": draft.reason},
                    "headers": _headers_dict([*draft.headers, *marks]),
                    "body": {"string": _body_field(draft.body)},
                },
            }
        )
    metadata = {
        "cn_assembly": {
            "script": script.name,
            "description": script.description,
            "generator": "scripts/rackspace/raxcassette (see cassettes/rackspace/sources/README.md)",
            "provenance_header": PROVENANCE_HEADER,
            "counts": counts,
            "sources": sorted(sources),
        }
    }
    return {"version": 1, "metadata": metadata, "interactions": interactions}


class _Dumper(yaml.SafeDumper):
    """Safe YAML with multi-line text as literal blocks (readable JSON bodies)."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def render(script: Script) -> str:
    """The cassette of ``script`` as YAML text (deterministic: same script, same text)."""
    return yaml.dump(assemble(script), Dumper=_Dumper, sort_keys=False, allow_unicode=False, width=4096)


def write(script: Script, root: Path = CASSETTES) -> Path:
    """Write the cassette of ``script`` under ``root``; return its path."""
    path = script.output(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(script), encoding="utf-8")
    return path


def load_script(path: Path) -> Script:
    """The ``SCRIPT`` of the assembly module at ``path`` (a Python file)."""
    spec = importlib.util.spec_from_file_location(f"_cn_assembly_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    script = getattr(module, "SCRIPT", None)
    if not isinstance(script, Script):
        raise TypeError(f"{path} defines no SCRIPT = Script(...)")
    return script
