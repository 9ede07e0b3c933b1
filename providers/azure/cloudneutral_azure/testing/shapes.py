"""Compare JSON documents by shape: the same keys and value kinds, recursively; values ignored.

``shape_differences(real, peer)`` lists each place where ``peer`` differs from ``real``:
a key only one side has, or a value of another kind (object, array, string, number,
boolean, null). Arrays are compared by the peer's first element and Azure's element of the same ``name``
(else Azure's first), so
lengths and ids, names, timestamps never count.
"""

from __future__ import annotations

from typing import Any

__all__ = ["kind", "shape_differences"]


def kind(value: Any) -> str:
    """``object``, ``array``, ``string``, ``number``, ``boolean`` or ``null``."""
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if value is None:
        return "null"
    return "string"


def shape_differences(real: Any, peer: Any, path: str = "$") -> list[str]:
    """Where ``peer``'s shape differs from ``real``'s (empty when they agree)."""
    if kind(real) != kind(peer):
        return [f"{path}: {kind(real)} in Azure, {kind(peer)} in the peer"]
    if isinstance(real, dict):
        out = [f"{path}.{k}: only in Azure" for k in sorted(set(real) - set(peer))]
        out += [f"{path}.{k}: only in the peer" for k in sorted(set(peer) - set(real))]
        for key in sorted(set(real) & set(peer)):
            out += shape_differences(real[key], peer[key], f"{path}.{key}")
        return out
    if isinstance(real, list) and real and peer:
        match = real[0]
        if isinstance(peer[0], dict) and "name" in peer[0]:  # the same item when both lists name it
            match = next((r for r in real if isinstance(r, dict) and r.get("name") == peer[0]["name"]), match)
        return shape_differences(match, peer[0], f"{path}[0]")
    return []
