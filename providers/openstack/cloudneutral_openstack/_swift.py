"""Swift requests and answers: paths quoted here, headers and listings read into the model.

openstacksdk's object-store helpers do not quote object names (``what?x=1`` becomes the
object ``what``), drop ``content_type``, ignore ``delimiter`` and cannot copy; so the blob
driver sends plain requests through the SDK's object-store adapter (which carries the
token, the endpoint from the catalogue and keystoneauth's re-authentication) and
:func:`check` turns an error status into the SDK's own exception class, translated once
by :mod:`cloudneutral_openstack.errors`.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import requests
from openstack import exceptions as ox

from cloudneutral.models import BlobInfo

__all__ = [
    "META",
    "SEGMENTS",
    "blob_info",
    "check",
    "is_large",
    "listed_info",
    "meta_headers",
    "object_path",
    "parse_listing_time",
    "plain_md5",
    "ranged_size",
    "segments_container",
]

#: Prefix of the headers holding an object's user metadata.
META = "X-Object-Meta-"
#: Suffix of the container holding a bucket's large-object segments (as python-swiftclient).
SEGMENTS = "_segments"
_MD5 = re.compile(r"^[0-9a-f]{32}$")
_CONTENT_RANGE_TOTAL = re.compile(r"/(\d+)$")


def segments_container(bucket: str) -> str:
    """The container of ``bucket``'s segments (never a portable bucket name: ``_``)."""
    return bucket + SEGMENTS


def object_path(container: str, key: str) -> str:
    """``/container/key`` with the key percent-encoded (``/`` kept)."""
    return f"/{container}/{quote(key, safe='/')}"


def check(response: requests.Response) -> requests.Response:
    """``response`` when its status is below 400, else the SDK's exception for it."""
    if response.status_code >= 400:
        try:
            ox.raise_from_response(response)
        finally:
            response.close()
    return response


def meta_headers(metadata: Mapping[str, str]) -> dict[str, str]:
    """``X-Object-Meta-*`` headers for portable (lower-case) metadata."""
    return {META + key: value for key, value in metadata.items()}


def _metadata(headers: Mapping[str, str]) -> dict[str, str]:
    """User metadata from headers; Swift title-cases names (``X-Object-Meta-Cn-Sha256``),
    so names are lower-cased (``cn-sha256``)."""
    size = len(META)
    return {k[size:].lower(): v for k, v in headers.items() if k.lower().startswith(META.lower())}


def _modified(headers: Mapping[str, str]) -> dt.datetime | None:
    stamp = headers.get("X-Timestamp")
    if stamp:
        try:
            return dt.datetime.fromtimestamp(float(stamp), tz=dt.timezone.utc)
        except ValueError:
            pass
    text = headers.get("Last-Modified")
    return email.utils.parsedate_to_datetime(text) if text else None


def plain_md5(etag: str | None, large: bool) -> dict[str, str]:
    """``{"md5": etag}`` when the ETag is the content's MD5: a plain object's (a static or
    dynamic large object's ETag is the MD5 of its segments' MD5 *hex strings*, quoted)."""
    return {"md5": etag} if etag and not large and _MD5.match(etag) else {}


def is_large(headers: Mapping[str, str]) -> bool:
    """Whether the object is a static or dynamic large object (its ETag is no MD5)."""
    return headers.get("X-Static-Large-Object", "").lower() == "true" or "X-Object-Manifest" in headers


def blob_info(
    provider: str, bucket: str, key: str, headers: Mapping[str, str], size: int | None = None
) -> BlobInfo:
    """A BlobInfo from the headers of a HEAD, GET or PUT answer (``size`` when the
    headers' ``Content-Length`` is not the blob's: ranges, PUT answers)."""
    raw = headers.get("Etag") or headers.get("ETag")
    etag = raw.strip('"') if raw else None
    return BlobInfo(
        bucket=bucket,
        key=key,
        size=int(headers.get("Content-Length", 0)) if size is None else size,
        etag=etag,
        content_type=headers.get("Content-Type"),
        metadata=_metadata(headers),
        modified=_modified(headers),
        checksums=plain_md5(etag, is_large(headers)),
        provider=provider,
        native=dict(headers),
    )


def ranged_size(headers: Mapping[str, str]) -> int:
    """The whole blob's size from a 206 answer's ``Content-Range`` (else its length)."""
    total = _CONTENT_RANGE_TOTAL.search(headers.get("Content-Range", ""))
    return int(total.group(1)) if total else int(headers.get("Content-Length", 0))


def parse_listing_time(text: str | None) -> dt.datetime | None:
    """A listing's ``last_modified`` (ISO 8601, UTC, no zone) as an aware datetime."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def listed_info(provider: str, bucket: str, item: Mapping[str, Any]) -> BlobInfo:
    """A BlobInfo from one item of a JSON container listing (no metadata in listings; a
    large object's ``hash`` is its manifest's, so its ``slo_etag`` is the ETag)."""
    large = "slo_etag" in item
    etag = str(item["slo_etag"]).strip('"') if large else item.get("hash")
    return BlobInfo(
        bucket=bucket,
        key=str(item["name"]),
        size=int(item.get("bytes", 0)),
        etag=etag,
        content_type=item.get("content_type"),
        modified=parse_listing_time(item.get("last_modified")),
        checksums=plain_md5(etag, large),
        provider=provider,
        native=item,
    )
