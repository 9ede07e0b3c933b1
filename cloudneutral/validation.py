"""The portable naming rules: what every provider can store, checked before any request.

Each check raises :class:`~cloudneutral.errors.InvalidArgument` with a message that names
the rule broken, so code that passes here runs unchanged on every provider.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .errors import InvalidArgument

__all__ = [
    "DEFAULT_CONTENT_TYPE",
    "MAX_CONTENT_TYPE",
    "MAX_KEY_BYTES",
    "MAX_VOLUME_GIB",
    "check_bucket_name",
    "check_content_type",
    "check_instance",
    "check_key",
    "check_metadata",
    "check_positive",
    "check_prefix",
    "check_range",
    "check_resource_name",
    "check_tags",
    "check_volume_size",
]

MAX_KEY_BYTES = 1024
MAX_METADATA_BYTES = 2048
#: The longest content type accepted, in characters.
MAX_CONTENT_TYPE = 256
#: The largest volume, in GiB: 16 TiB, the limit of EBS, Azure managed disks and Cinder defaults.
MAX_VOLUME_GIB = 16384
DEFAULT_CONTENT_TYPE = "application/octet-stream"
_BUCKET = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$")
_RESOURCE = re.compile(r"^[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")
_METADATA_KEY = re.compile(r"^[a-z][a-z0-9]*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PRINTABLE_ASCII = re.compile(r"^[\x20-\x7e]*$")
_MIME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+(\s*;[\x20-\x7e]*)?$")


def check_instance(what: str, value: object, kind: type | tuple[type, ...], expected: str) -> None:
    """``value`` must be a ``kind`` (``bool`` never counts as an ``int``); else
    ``InvalidArgument`` naming the argument ``what`` and the ``expected`` type."""
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
        raise InvalidArgument(f"{what} must be {expected}, not {type(value).__name__}")


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def check_content_type(value: str | None) -> str:
    """A MIME type such as ``text/plain; charset=utf-8``: printable ASCII (no CR, LF or NUL),
    at most :data:`MAX_CONTENT_TYPE` characters. ``None`` means the portable default."""
    if value is None:
        return DEFAULT_CONTENT_TYPE
    check_instance("content_type", value, str, "a str such as 'text/plain'")
    if len(value) > MAX_CONTENT_TYPE:
        raise InvalidArgument(f"content type is {len(value)} characters; the limit is {MAX_CONTENT_TYPE}")
    if not _MIME.match(value):
        raise InvalidArgument(
            f"content type {value!r} must be a MIME type such as 'text/plain' (printable ASCII, no "
            "control characters)"
        )
    return value


def check_bucket_name(name: str) -> str:
    """Bucket names: 3-63 characters of lower-case letters, digits and single hyphens,
    starting and ending with a letter or digit (the rules S3, Azure and Swift all accept)."""
    check_instance("bucket name", name, str, "a str")
    if not 3 <= len(name) <= 63:
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
    check_instance("blob key", key, str, "a str")
    if not key:
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
    check_instance("prefix", prefix, str, "a str")
    if prefix:
        check_key(prefix)
    return prefix


def check_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    """User metadata: keys are case-insensitive and stored lower case; they must be ASCII
    letters and digits starting with a letter (Azure, S3 and Swift all keep those intact);
    values printable ASCII; 2 KiB in all. Returns the normalised mapping."""
    if metadata is not None:
        check_instance("metadata", metadata, Mapping, "a mapping of str to str")
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


def check_volume_size(size_gib: int) -> int:
    """A volume size: a whole number of GiB from 1 to :data:`MAX_VOLUME_GIB`."""
    check_positive("size_gib", size_gib)
    if size_gib > MAX_VOLUME_GIB:
        raise InvalidArgument(f"size_gib {size_gib} is over the portable limit of {MAX_VOLUME_GIB} GiB")
    return size_gib


def check_resource_name(kind: str, name: str) -> str:
    """Server and volume names: 1-63 ASCII letters, digits and hyphens, starting with a
    letter and not ending with a hyphen (a DNS label, valid on every provider)."""
    check_instance(f"{kind} name", name, str, "a str")
    if not 1 <= len(name) <= 63:
        raise InvalidArgument(f"{kind} name {name!r} must be 1 to 63 characters long")
    if not _RESOURCE.match(name):
        raise InvalidArgument(
            f"{kind} name {name!r} may hold only ASCII letters, digits and hyphens, must "
            "start with a letter and may not end with a hyphen"
        )
    return name


def check_tags(tags: Mapping[str, str] | None) -> dict[str, str]:
    """Tags: keys 1-128 and values 0-256 printable characters; at most 40 tags."""
    if tags is not None:
        check_instance("tags", tags, Mapping, "a mapping of str to str")
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
    if not isinstance(start, int) or isinstance(start, bool) or start < 0:
        raise InvalidArgument(f"range start must be an integer >= 0, not {start!r}")
    if end is not None and (not isinstance(end, int) or isinstance(end, bool) or end < start):
        raise InvalidArgument(f"range end must be an integer >= start ({start}), not {end!r}")


def check_positive(what: str, value: int) -> int:
    """``value`` must be an integer > 0."""
    return check_at_least(what, value, 1, "an integer > 0")


def check_at_least(what: str, value: int, minimum: int, expected: str | None = None) -> int:
    """``value`` must be an integer >= ``minimum``; else ``InvalidArgument``."""
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise InvalidArgument(f"{what} must be {expected or f'an integer >= {minimum}'}, not {value!r}")
    return value
