"""Small helpers shared by the EC2 and EBS modules: tags, page sizes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["max_results", "name_of", "tag_spec", "tags_of"]

NAME = "Name"


def max_results(page_size: int, low: int = 5, high: int = 1000) -> int:
    """EC2 refuses ``MaxResults`` outside ``[low, high]``: clamp the portable page size."""
    return max(low, min(high, page_size))


def tag_spec(resource: str, name: str, tags: Mapping[str, str]) -> list[Any]:
    """A ``TagSpecifications`` value: the user's tags plus ``Name`` (the name wins)."""
    pairs = [{"Key": k, "Value": v} for k, v in tags.items() if k != NAME]
    return [{"ResourceType": resource, "Tags": [{"Key": NAME, "Value": name}, *pairs]}]


def tags_of(native: Mapping[str, Any]) -> dict[str, str]:
    """The user's tags of an EC2 object (``Name`` excluded: it is the object's name)."""
    return {t["Key"]: t.get("Value", "") for t in _tags(native) if t["Key"] != NAME}


def name_of(native: Mapping[str, Any], default: str = "") -> str:
    """The ``Name`` tag of an EC2 object, else ``default``."""
    for tag in _tags(native):
        if tag["Key"] == NAME:
            return str(tag.get("Value", ""))
    return default


def _tags(native: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    tags: Iterable[Mapping[str, Any]] = native.get("Tags") or ()
    return tags
