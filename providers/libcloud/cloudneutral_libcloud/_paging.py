"""Pages of a listing that libcloud only gives whole (an iterator over every item).

Tokens name the last item returned (``k`` + key, or ``p`` + a rolled-up prefix), never an
offset, so they stay valid when items come and go between pages. libcloud offers no marker
and services differ in the order they list (Azurite does not list in byte order), so each
page reads the whole listing under the prefix and sorts it by UTF-8 bytes: correct for any
driver, at the cost of one full listing per page (see the adapter's README).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

from cloudneutral.errors import InvalidArgument
from cloudneutral.models import BlobInfo, BlobPrefix, Page

__all__ = ["blob_page", "index_page", "named_page"]

T = TypeVar("T")
N = TypeVar("N")


def _order(key: str) -> bytes:
    return key.encode("utf-8", "surrogatepass")


def blob_page(
    bucket: str,
    names: Iterable[N],
    name_of: Callable[[N], str],
    make: Callable[[N], BlobInfo],
    prefix: str,
    delimiter: str | None,
    page_size: int,
    token: str | None,
) -> Page[BlobInfo | BlobPrefix]:
    """One page of ``names`` (in key order, all starting with ``prefix``) after ``token``."""
    after: bytes | None = None
    skip: str | None = None
    if token is not None:
        if token[:1] not in ("k", "p"):
            raise InvalidArgument(f"invalid page token {token!r}")
        after = _order(token[1:])
        skip = token[1:] if token[0] == "p" else None
    items: list[BlobInfo | BlobPrefix] = []
    last = ""
    iterator: Iterator[N] = iter(names)
    try:
        listed = sorted(((name_of(n), n) for n in iterator), key=lambda pair: _order(pair[0]))
    finally:
        close = getattr(iterator, "close", None)
        if callable(close):
            close()
    for key, native in listed:
        if not key.startswith(prefix) or (after is not None and _order(key) <= after):
            continue
        if skip is not None and key.startswith(skip):
            continue
        item: BlobInfo | BlobPrefix
        cut = key.find(delimiter, len(prefix)) if delimiter else -1
        if delimiter and cut >= 0:
            skip = key[: cut + len(delimiter)]
            item, mark = BlobPrefix(bucket, skip), "p" + skip
        else:
            item, mark = make(native), "k" + key
        if len(items) == page_size:
            return Page(tuple(items), last)
        items.append(item)
        last = mark
    return Page(tuple(items), None)


def named_page(items: Sequence[T], name_of: Callable[[T], str], page_size: int, token: str | None) -> Page[T]:
    """A page of ``items`` sorted by name, resuming after the item named ``token``."""
    ordered = sorted(items, key=lambda i: _order(name_of(i)))
    names = [_order(name_of(i)) for i in ordered]
    start = bisect.bisect_right(names, _order(token)) if token is not None else 0
    chosen = ordered[start : start + page_size]
    more = start + page_size < len(ordered)
    return Page(tuple(chosen), name_of(chosen[-1]) if more and chosen else None)


def index_page(items: Sequence[T], page_size: int, token: str | None) -> Page[T]:
    """A page of a fixed catalogue (sizes, images, regions): tokens are indexes."""
    start = int(token) if token and token.isdigit() else 0
    end = start + page_size
    return Page(tuple(items[start:end]), str(end) if end < len(items) else None)
