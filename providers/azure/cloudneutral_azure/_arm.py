"""Helpers the ARM modules share: resource references, REST documents, one page of a list.

Resources are named in one resource group (the connection's ``resource_group``): a
server's, volume's or snapshot's id is its ARM resource *name*. A full ARM resource id is
accepted wherever an id is (its resource group is then used). Bodies are sent and read as
ARM's REST JSON (the SDK's models are mappings over it), which is also what the real
recordings and the test peer hold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from azure.core.exceptions import HttpResponseError

from cloudneutral.errors import NotFound
from cloudneutral.models import Page

__all__ = [
    "JSON",
    "arm_id",
    "doc",
    "is_group_missing",
    "name_of",
    "page_after",
    "parse_time",
    "split_ref",
    "status_code",
    "zone_of",
    "zones_for",
]

JSON = dict[str, Any]
T = TypeVar("T")


def doc(model: Any) -> JSON:
    """The REST JSON of an SDK model (a mapping over it), or of a plain dict."""
    if model is None:
        return {}
    if hasattr(model, "as_dict"):
        result: JSON = model.as_dict()
        return result
    return dict(model)


def split_ref(ref: str, default_group: str) -> tuple[str, str]:
    """(resource group, name) of an id: a bare name in ``default_group``, or a full ARM id."""
    if "/" not in ref:
        return default_group, ref
    parts = [p for p in ref.split("/") if p]
    lower = [p.lower() for p in parts]
    if "resourcegroups" in lower and len(parts) >= 2:
        return parts[lower.index("resourcegroups") + 1], parts[-1]
    return default_group, parts[-1]


def name_of(resource_id: str | None) -> str:
    """The last segment of an ARM resource id (its name); ``""`` for ``None``."""
    return (resource_id or "").rstrip("/").rpartition("/")[2]


def arm_id(subscription: str, group: str, kind: str, name: str) -> str:
    """``/subscriptions/S/resourceGroups/G/providers/KIND/NAME`` (``kind`` like
    ``Microsoft.Compute/disks``)."""
    return f"/subscriptions/{subscription}/resourceGroups/{group}/providers/{kind}/{name}"


def parse_time(value: Any) -> dt.datetime | None:
    """ARM's timestamps (``2021-10-09T06:24:32.6603342+00:00``, seven fractional digits)."""
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not value:
        return None
    text = value.replace("Z", "+00:00")
    head, dot, rest = text.partition(".")
    if dot:
        digits = "".join(c for c in rest if c.isdigit())
        tail = rest[len(digits) :]
        text = f"{head}.{digits[:6]}{tail}"
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def zone_of(location: str, zones: Iterable[str] | None) -> str | None:
    """The portable zone name (``eastus-1``) of an ARM resource's ``zones``."""
    for zone in zones or ():
        return f"{location}-{zone}"
    return None


def zones_for(location: str, zone: str | None) -> list[str] | None:
    """ARM's ``zones`` for a portable zone name of ``location``; ``NotFound`` for another."""
    if zone is None:
        return None
    prefix = f"{location.lower()}-"
    if not zone.lower().startswith(prefix) or not zone[len(prefix) :]:
        raise NotFound(f"no zone {zone!r} in location {location} (zones are named {location}-N)")
    return [zone[len(prefix) :]]


def status_code(response: Any, _deserialized: Any, _headers: Any) -> int:
    """``cls`` callback of an LRO: the status of the answer to its first request."""
    return int(response.http_response.status_code)


def is_group_missing(exc: BaseException) -> bool:
    """Whether ``exc`` says the resource group does not exist (ARM ``ResourceGroupNotFound``)."""
    if not isinstance(exc, HttpResponseError):
        return False
    error = getattr(exc, "error", None)
    code = getattr(error, "code", None) or ""
    return code == "ResourceGroupNotFound" or "ResourceGroupNotFound" in str(exc.message or "")


def page_after(
    fetch: Callable[[str | None], tuple[list[T], str | None]],
    key: Callable[[T], str],
    page_size: int,
    token: str | None,
) -> Page[T]:
    """One page of at most ``page_size`` items of an ARM list, which pages by its own size.

    ``fetch(link)`` returns one ARM page (the first when ``link`` is ``None``) and its
    ``nextLink``. The token is ``LINK`` + newline + the key of the last item handed out, so
    the next page resumes *after* that item (by key order within the ARM page), whatever was
    added or removed meanwhile.
    """
    link, _, after = (token or "").partition("\n")
    items, next_link = fetch(link or None)
    rest = sorted((i for i in items if not after or key(i) > after), key=key)
    page = rest[:page_size]
    if len(rest) > page_size:
        return Page(tuple(page), f"{link}\n{key(page[-1])}")
    return Page(tuple(page), f"{next_link}\n" if next_link else None)


def first_page(pager: Any, link: str | None) -> tuple[list[Any], str | None]:
    """The items of one page of an SDK ``ItemPaged`` (from ``link``) and its next link."""
    pages = pager.by_page(link)
    items = list(next(pages))
    return items, pages.continuation_token or None


def values(mapping: Mapping[str, Any] | None, *path: str) -> Any:
    """``mapping[path[0]][path[1]]...``, ``None`` where any step is missing."""
    current: Any = mapping
    for step in path:
        if not isinstance(current, Mapping):
            return None
        current = current.get(step)
    return current


__all__ += ["first_page", "values"]
