"""Edits an assembly script may make to a source response, each describing itself.

An edit changes a :class:`Draft` (the response being assembled) and returns a one-line
description; the assembler lists every description in the interaction's ``X-Cn-Edits``
header, so a reader of the cassette sees exactly what differs from the source. An edit
that finds nothing to change raises :class:`EditError`: a script that edits nothing is
out of step with its source and must be fixed, not silently kept.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = [
    "DropHeader",
    "Draft",
    "Edit",
    "EditError",
    "JsonSet",
    "Replace",
    "SetBody",
    "SetHeader",
    "SetStatus",
    "SetTokenExpiry",
]


class EditError(ValueError):
    """An edit did not apply to the response it was given."""


@dataclass
class Draft:
    """A response under assembly: mutable copy of a source or synthesized response."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def set_header(self, name: str, value: str) -> str | None:
        """Set ``name`` to ``value`` (in place of the first value, dropping any others).

        Returns the old first value, or None when the header was absent (then it is added).
        """
        old = self.header(name)
        out: list[tuple[str, str]] = []
        placed = False
        for key, current in self.headers:
            if key.lower() != name.lower():
                out.append((key, current))
            elif not placed:
                out.append((key, value))
                placed = True
        if not placed:
            out.append((name, value))
        self.headers = out
        return old


class Edit(Protocol):
    """One change to a :class:`Draft`; returns what it did, in one line."""

    def apply(self, draft: Draft) -> str: ...


@dataclass(frozen=True)
class Replace:
    """Replace text ``old`` by ``new`` in the body (all occurrences, at least one).

    The usual edit for keeping a sequence consistent, such as giving a server the id
    that an earlier interaction of the script returned.
    """

    old: str
    new: str

    def apply(self, draft: Draft) -> str:
        text = draft.body.decode("utf-8")
        count = text.count(self.old)
        if not count:
            raise EditError(f"body has no {self.old!r} to replace")
        draft.body = text.replace(self.old, self.new).encode("utf-8")
        return f"replaced {self.old!r} by {self.new!r} ({count}x)"


def _walk(doc: Any, pointer: str) -> tuple[Any, str | int]:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    if not parts:
        raise EditError("JSON pointer must name a member, not the whole document")
    node = doc
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    return node, int(last) if isinstance(node, list) else last


@dataclass(frozen=True)
class JsonSet:
    """Set the JSON member at ``pointer`` (RFC 6901, e.g. ``/server/status``) to ``value``.

    The body is parsed and serialized again (compact separators as json.dumps writes
    them), so its formatting changes; the member must already exist.
    """

    pointer: str
    value: Any

    def apply(self, draft: Draft) -> str:
        doc = json.loads(draft.body)
        try:
            parent, key = _walk(doc, self.pointer)
            old = parent[key]
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise EditError(f"no JSON member {self.pointer}") from exc
        parent[key] = self.value
        draft.body = json.dumps(doc).encode("utf-8")
        return f"set {self.pointer} from {json.dumps(old)} to {json.dumps(self.value)}"


_EXPIRES = re.compile(rb'("expires"\s*:\s*")([^"]*)(")')


@dataclass(frozen=True)
class SetTokenExpiry:
    """Move the Keystone v2 token's ``expires`` to ``value`` (text edit, formatting kept).

    keystoneauth re-authenticates before every request when the token it holds has
    expired, so a replayed login must expire in the far future.
    """

    value: str

    def apply(self, draft: Draft) -> str:
        match = _EXPIRES.search(draft.body)
        if match is None:
            raise EditError('body has no "expires" member')
        draft.body = _EXPIRES.sub(lambda m: m.group(1) + self.value.encode() + m.group(3), draft.body, 1)
        return f"token expires moved from {match.group(2).decode()} to {self.value}"


@dataclass(frozen=True)
class SetHeader:
    """Set header ``name`` to ``value`` (added if absent)."""

    name: str
    value: str

    def apply(self, draft: Draft) -> str:
        old = draft.set_header(self.name, self.value)
        return (
            f"header {self.name}: {old!r} -> {self.value!r}"
            if old is not None
            else (f"header {self.name}: {self.value!r} added")
        )


@dataclass(frozen=True)
class DropHeader:
    """Remove header ``name`` (every value); it must be present."""

    name: str

    def apply(self, draft: Draft) -> str:
        kept = [(k, v) for k, v in draft.headers if k.lower() != self.name.lower()]
        if len(kept) == len(draft.headers):
            raise EditError(f"no header {self.name} to drop")
        draft.headers = kept
        return f"header {self.name} dropped"


@dataclass(frozen=True)
class SetStatus:
    """Change the status code (and reason)."""

    code: int
    reason: str = ""

    def apply(self, draft: Draft) -> str:
        old = draft.status
        draft.status, draft.reason = self.code, self.reason
        return f"status {old} -> {self.code}"


@dataclass(frozen=True)
class SetBody:
    """Replace the whole body (``Content-Length`` is then fixed by the assembler)."""

    body: bytes
    why: str

    def apply(self, draft: Draft) -> str:
        old = len(draft.body)
        draft.body = self.body
        return f"body replaced ({old} -> {len(self.body)} bytes: {self.why})"
