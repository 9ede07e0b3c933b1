"""The portable naming rules: what every provider can store, checked before any request.

Each check raises :class:`~cloudneutral.errors.InvalidArgument` with a message that names
the rule broken, so code that passes here runs unchanged on every provider.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .errors import InvalidArgument

__all__ = [
    "MAX_KEY_BYTES",
    "check_bucket_name",
    "check_key",
    "check_metadata",
    "check_range",
    "check_resource_name",
    "check_tags",
]

MAX_KEY_BYTES = 1024
MAX_METADATA_BYTES = 2048
_BUCKET = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$")
_RESOURCE = re.compile(r"^[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")
_METADATA_KEY = re.compile(r"^[a-z][a-z0-9]*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PRINTABLE_ASCII = re.compile(r"^[\x20-\x7e]*$")


def check_bucket_name(name: str) -> str:
    """Bucket names: 3-63 characters of lower-case letters, digits and single hyphens,
    starting and ending with a letter or digit (the rules S3, Azure and Swift all accept)."""
    if not isinstance(name, str) or not 3 <= len(name) <= 63:
        raise InvalidArgument(f"bucket name {name!r} must be 3 to 63 characters long")
    if not _BUCKET.match(name):
        raise InvalidArgument(
            f"bucket name {name!r} may hold only lower-case letters, digits and single "
            "hyphens, and must start and end with a letter or digit"
        )
    return name


def check_key(key: str) -> str:
    """Blob keys: 1 to 1024 bytes of UTF-8, no control characters, no leading ``/``, and no
    ``.`` or ``..`` path segment (HTTP stacks and some providers collapse those)."""
    if not isinstance(key, str) or not key:
        raise InvalidArgument("blob key must be a non-empty string")
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise InvalidArgument(f"blob key {key!r} is not valid UTF-8") from exc
    if size > MAX_KEY_BYTES:
        raise InvalidArgument(f"blob key is {size} bytes; the limit is {MAX_KEY_BYTES} bytes of UTF-8")
    if _CONTROL.search(key):
        raise InvalidArgument(f"blob key {key!r} may not contain control characters")
    if key.startswith("/"):
        raise InvalidArgument(f"blob key {key!r} may not start with '/'")
    if any(segment in (".", "..") for segment in key.split("/")):
        raise InvalidArgument(f"blob key {key!r} may not have a '.' or '..' path segment")
    return key


def check_prefix(prefix: str) -> str:
    """A listing prefix: empty, or a key-like string (a trailing ``/`` allowed)."""
    if prefix:
        check_key(prefix)
    return prefix


def check_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    """User metadata: keys are case-insensitive and stored lower case; they must be ASCII
    letters and digits starting with a letter (Azure, S3 and Swift all keep those intact);
    values printable ASCII; 2 KiB in all. Returns the normalised mapping."""
    result: dict[str, str] = {}
    total = 0
    for raw_key, value in (metadata or {}).items():
        if not isinstance(raw_key, str) or not isinstance(value, str):
            raise InvalidArgument("metadata keys and values must be strings")
        key = raw_key.lower()
        if not _METADATA_KEY.match(key):
            raise InvalidArgument(
                f"metadata key {raw_key!r} must be ASCII letters and digits, starting with a letter"
            )
        if key in result:
            raise InvalidArgument(f"metadata keys {raw_key!r} differ only by case from another key")
        if not _PRINTABLE_ASCII.match(value) or value != value.strip():
            raise InvalidArgument(
                f"metadata value of {raw_key!r} must be printable ASCII without leading or trailing spaces"
            )
        result[key] = value
        total += len(key) + len(value)
    if total > MAX_METADATA_BYTES:
        raise InvalidArgument(f"metadata is {total} bytes; the limit is {MAX_METADATA_BYTES}")
    return result


def check_resource_name(kind: str, name: str) -> str:
    """Server and volume names: 1-63 ASCII letters, digits and hyphens, starting with a
    letter and not ending with a hyphen (a DNS label, valid on every provider)."""
    if not isinstance(name, str) or not 1 <= len(name) <= 63:
        raise InvalidArgument(f"{kind} name {name!r} must be 1 to 63 characters long")
    if not _RESOURCE.match(name):
        raise InvalidArgument(
            f"{kind} name {name!r} may hold only ASCII letters, digits and hyphens, must "
            "start with a letter and may not end with a hyphen"
        )
    return name


def check_tags(tags: Mapping[str, str] | None) -> dict[str, str]:
    """Tags: keys 1-128 and values 0-256 printable characters; at most 40 tags."""
    result = dict(tags or {})
    if len(result) > 40:
        raise InvalidArgument(f"{len(result)} tags given; the limit is 40")
    for key, value in result.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise InvalidArgument("tag keys and values must be strings")
        if not 1 <= len(key) <= 128 or _CONTROL.search(key):
            raise InvalidArgument(f"tag key {key!r} must be 1 to 128 printable characters")
        if len(value) > 256 or _CONTROL.search(value):
            raise InvalidArgument(f"tag value of {key!r} must be at most 256 printable characters")
    return result


def check_range(start: int, end: int | None) -> None:
    """A byte range ``[start, end)``: ``0 <= start``, and ``start <= end`` when ``end`` is given."""
    if not isinstance(start, int) or start < 0:
        raise InvalidArgument(f"range start must be an integer >= 0, not {start!r}")
    if end is not None and (not isinstance(end, int) or end < start):
        raise InvalidArgument(f"range end must be an integer >= start ({start}), not {end!r}")


def check_positive(what: str, value: int) -> int:
    """``value`` must be an integer > 0."""
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise InvalidArgument(f"{what} must be an integer > 0, not {value!r}")
    return value
