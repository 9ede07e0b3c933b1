"""Plans: assembly scripts as data, so a capture can write them and the assembler rebuild them.

A plan is the JSON form of a :class:`~raxcassette.assemble.Script`: for every step the
request (method, URL at the real Rackspace host, the text body the SDK sent), the
*reference* to the kept source answering it (:class:`Ref`: a fog interaction, a raw
php-opencloud response, a pkgcloud body) or a :class:`~raxcassette.assemble.Synthesized`
answer with its basis, and the edits, each a named edit of :mod:`raxcassette.edits` with
its arguments. Nothing of the sources' content is copied into a plan: ``build_cassettes.py``
reads the sources again and re-applies the edits, and ``--check`` fails when a committed
cassette differs from what its plan assembles.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from .assemble import Script, Step, Synthesized
from .edits import DropHeader, Edit, JsonSet, Replace, SetBody, SetHeader, SetStatus, SetTokenExpiry
from .sources import SourceResponse, fog_interaction, json_body, raw_response

__all__ = ["PLANS", "PlanStep", "Ref", "load_plan", "plan_scripts", "write_plan"]

#: ``scripts/rackspace/plans``: one plan per captured conformance test.
PLANS = Path(__file__).resolve().parents[1] / "plans"

_EDITS: dict[str, type[Any]] = {
    cls.__name__: cls for cls in (Replace, JsonSet, SetHeader, DropHeader, SetStatus, SetBody, SetTokenExpiry)
}


@dataclass(frozen=True)
class Ref:
    """A kept source answer, by reference: ``fog`` (interaction ``index``), ``raw``, or
    ``json`` (a bare body; ``status``, ``reason`` and ``content_type`` are assumed)."""

    kind: Literal["fog", "raw", "json"]
    name: str
    index: int = 0
    status: int = 200
    reason: str = "OK"
    content_type: str = "application/json"

    def load(self) -> SourceResponse:
        """The source answer (read once per process: sources never change while it runs)."""
        return _load(self)


@functools.cache
def _load(ref: Ref) -> SourceResponse:
    if ref.kind == "fog":
        return fog_interaction(ref.name, ref.index)
    if ref.kind == "raw":
        return raw_response(ref.name)
    return json_body(ref.name, status=ref.status, reason=ref.reason, content_type=ref.content_type)


@dataclass(frozen=True)
class PlanStep:
    """One step of a plan: what :class:`~raxcassette.assemble.Step` is made of, by reference."""

    method: str
    url: str
    response: Ref | Synthesized
    edits: tuple[Edit, ...] = ()
    request_body: str | bytes = ""
    request_headers: tuple[tuple[str, str], ...] = ()
    note: str = ""

    def step(self) -> Step:
        response = self.response.load() if isinstance(self.response, Ref) else self.response
        return Step(
            self.method, self.url, response, self.edits, self.request_body, self.request_headers, self.note
        )


def _bytes_out(value: bytes) -> dict[str, str]:
    try:
        return {"text": value.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(value).decode("ascii")}


def _bytes_in(value: Mapping[str, str]) -> bytes:
    return value["text"].encode("utf-8") if "text" in value else base64.b64decode(value["base64"])


def _edit_out(edit: Edit) -> dict[str, Any]:
    fields = asdict(edit)  # type: ignore[call-overload]
    if isinstance(edit, SetBody):
        fields["body"] = _bytes_out(edit.body)
    return {"edit": type(edit).__name__, **fields}


def _edit_in(data: Mapping[str, Any]) -> Edit:
    fields = {k: v for k, v in data.items() if k != "edit"}
    if data["edit"] == "SetBody":
        fields["body"] = _bytes_in(fields["body"])
    edit: Edit = _EDITS[data["edit"]](**fields)
    return edit


def _response_out(response: Ref | Synthesized) -> dict[str, Any]:
    if isinstance(response, Ref):
        return {"ref": asdict(response)}
    body = response.body
    shown: Any = (
        _bytes_out(body)
        if isinstance(body, bytes)
        else {"json": body}
        if not isinstance(body, str)
        else {"text": body}
    )
    return {
        "synthesized": {
            "status": response.status,
            "reason": response.reason,
            "basis": response.basis,
            "headers": [list(h) for h in response.headers],
            "body": shown,
        }
    }


def _response_in(data: Mapping[str, Any]) -> Ref | Synthesized:
    if "ref" in data:
        return Ref(**data["ref"])
    synth = data["synthesized"]
    shown = synth["body"]
    body: Any = shown["json"] if "json" in shown else _bytes_in(shown)
    return Synthesized(
        status=synth["status"],
        body=body,
        basis=synth["basis"],
        reason=synth["reason"],
        headers=tuple((str(k), str(v)) for k, v in synth["headers"]),
    )


def dump(name: str, description: str, steps: list[PlanStep]) -> str:
    """The JSON text of a plan (stable: sorted step fields, two-space indentation)."""
    doc = {
        "name": name,
        "description": description,
        "steps": [
            {
                "method": s.method,
                "url": s.url,
                "response": _response_out(s.response),
                "edits": [_edit_out(e) for e in s.edits],
                "request_body": s.request_body
                if isinstance(s.request_body, str)
                else _bytes_out(s.request_body),
                "request_headers": [list(h) for h in s.request_headers],
                "note": s.note,
            }
            for s in steps
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=True) + "\n"


def write_plan(name: str, description: str, steps: list[PlanStep], root: Path = PLANS) -> Path:
    """Write a plan to ``root/<name>.json``; return its path."""
    path = root / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump(name, description, steps), encoding="utf-8")
    return path


def load_plan(path: Path) -> Script:
    """The :class:`~raxcassette.assemble.Script` of the plan at ``path``."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    steps = tuple(
        PlanStep(
            method=s["method"],
            url=s["url"],
            response=_response_in(s["response"]),
            edits=tuple(_edit_in(e) for e in s["edits"]),
            request_body=s["request_body"]
            if isinstance(s["request_body"], str)
            else _bytes_in(s["request_body"]),
            request_headers=tuple((str(k), str(v)) for k, v in s["request_headers"]),
            note=s["note"],
        ).step()
        for s in doc["steps"]
    )
    return Script(name=doc["name"], description=doc["description"], steps=steps)


def plan_scripts(root: Path = PLANS) -> tuple[Script, ...]:
    """Every plan under ``root`` as a Script, sorted by file name."""
    return tuple(load_plan(p) for p in sorted(root.glob("*.json")))
