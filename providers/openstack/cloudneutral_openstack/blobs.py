"""Blobs on Swift: the :class:`cloudneutral.driver.BlobDriver` of the OpenStack adapter.

Containers are buckets; objects are blobs, written in one PUT (with ``ETag`` = the MD5, so
Swift refuses damaged bytes) or as segments and a static large object manifest
(:mod:`~cloudneutral_openstack._slo`). Requests go through openstacksdk's object-store
adapter with paths quoted here (:mod:`~cloudneutral_openstack._swift`). Segment containers
(``BUCKET_segments``) are hidden from bucket listings and removed with their bucket when
empty. ``checksums["md5"]`` is Swift's ETag of a plain object; a large object reports none.

Swift evaluates no ``If-Match`` on DELETE (the object is deleted whatever the ETag), so
conditional deletes are not offered. Replacing a large object by a plain PUT or a copy
leaves the old segments in ``BUCKET_segments`` (deleting the blob removes them).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import requests

from cloudneutral.driver import WriteOptions
from cloudneutral.errors import AlreadyExists, NotFound, ProviderError
from cloudneutral.models import BlobInfo, BlobPrefix, Bucket, Page

from . import _slo
from ._session import Session
from ._swift import (
    SEGMENTS,
    blob_info,
    check,
    is_large,
    listed_info,
    meta_headers,
    object_path,
    parse_listing_time,
    ranged_size,
    segments_container,
)

__all__ = ["SwiftBlobDriver"]

_READ_CHUNK = 1024 * 1024
_MAX_LIMIT = 10_000


class _Body:
    """The chunks of a GET answer; closing it (or running out) releases the connection."""

    def __init__(self, response: requests.Response) -> None:
        self._response = response
        self._chunks: Iterator[bytes] = response.iter_content(_READ_CHUNK)

    def __iter__(self) -> _Body:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._chunks)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self._response.close()


class SwiftBlobDriver:
    """Containers and objects of one project (account) and region."""

    def __init__(self, session: Session, provider: str) -> None:
        self._session = session
        self._provider = provider

    @property
    def _store(self) -> Any:
        return self._session.object_store

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        response: requests.Response = self._store.request(path, method, **kwargs)
        return check(response)

    def natives(self) -> Sequence[object]:
        return (self._store,)

    # -- buckets ------------------------------------------------------------------------
    def list_buckets(self, page_size: int, token: str | None) -> Page[Bucket]:
        limit = min(page_size, _MAX_LIMIT)
        params = {"format": "json", "limit": str(limit)}
        if token is not None:
            params["marker"] = token
        items = self._request("GET", "", params=params).json()
        buckets = tuple(
            Bucket(
                name=str(item["name"]),
                created=parse_listing_time(item.get("last_modified")),
                region=self._session.region,
                provider=self._provider,
                native=item,
            )
            for item in items
            if not str(item["name"]).endswith(SEGMENTS)
        )
        return Page(buckets, str(items[-1]["name"]) if len(items) == limit else None)

    def create_bucket(self, name: str) -> Bucket:
        # Swift answers 202 to a PUT of an existing container: ask first.
        if self._store.request(f"/{name}", "HEAD").status_code < 300:
            raise AlreadyExists(f"bucket {name!r} already exists")
        self._request("PUT", f"/{name}")
        return Bucket(name=name, region=self._session.region, provider=self._provider)

    def head_bucket(self, name: str) -> Bucket:
        response = self._request("HEAD", f"/{name}")
        return Bucket(
            name=name, region=self._session.region, provider=self._provider, native=dict(response.headers)
        )

    def delete_bucket(self, name: str) -> None:
        self._request("DELETE", f"/{name}")
        # Its segments container goes too when empty (409 leaves what a crash left there).
        self._store.request(f"/{segments_container(name)}", "DELETE").close()

    # -- listing ------------------------------------------------------------------------
    def list_blobs(
        self, bucket: str, prefix: str, delimiter: str | None, page_size: int, token: str | None
    ) -> Page[BlobInfo | BlobPrefix]:
        limit = min(page_size, _MAX_LIMIT)
        params = {"format": "json", "prefix": prefix, "limit": str(limit)}
        if delimiter is not None:
            params["delimiter"] = delimiter
        if token is not None:
            params["marker"] = token
        items = self._request("GET", f"/{bucket}", params=params).json()
        found: list[BlobInfo | BlobPrefix] = [
            BlobPrefix(bucket, str(item["subdir"]))
            if "subdir" in item
            else listed_info(self._provider, bucket, item)
            for item in items
        ]
        if len(items) < limit:
            return Page(tuple(found))
        last = items[-1]
        return Page(tuple(found), str(last.get("subdir") or last["name"]))

    # -- reading ------------------------------------------------------------------------
    def head_blob(self, bucket: str, key: str) -> BlobInfo:
        response = self._request("HEAD", object_path(bucket, key))
        return blob_info(self._provider, bucket, key, response.headers)

    def part_sizes(self, bucket: str, key: str, info: BlobInfo) -> Sequence[int] | None:
        return None  # no md5-parts checksum is ever reported

    def read_blob(self, bucket: str, key: str, offset: int, length: int | None) -> tuple[BlobInfo, _Body]:
        headers: dict[str, str] = {}
        if not (offset == 0 and length is None):
            last = "" if length is None else str(offset + length - 1)
            headers["Range"] = f"bytes={offset}-{last}"
        response = self._request("GET", object_path(bucket, key), headers=headers, stream=True)
        size = ranged_size(response.headers) if response.status_code == 206 else None
        return blob_info(self._provider, bucket, key, response.headers, size), _Body(response)

    # -- writing ------------------------------------------------------------------------
    def put_blob(self, bucket: str, key: str, data: bytes, options: WriteOptions, md5: str) -> BlobInfo:
        headers = {"Content-Type": options.content_type, "ETag": md5, **meta_headers(options.metadata)}
        response = self._request("PUT", object_path(bucket, key), data=data, headers=headers)
        etag = (response.headers.get("Etag") or "").strip('"') or None
        return BlobInfo(
            bucket=bucket,
            key=key,
            size=len(data),
            etag=etag,
            content_type=options.content_type,
            metadata=options.metadata,
            modified=blob_info(self._provider, bucket, key, response.headers).modified,
            checksums={"md5": etag} if etag == md5 else {},
            provider=self._provider,
            native=dict(response.headers),
        )

    def open_upload(self, bucket: str, key: str, options: WriteOptions) -> _slo.SwiftUpload:
        response = self._request("HEAD", f"/{bucket}")  # missing bucket -> NotFound
        upload_id = _slo.new_upload_id(response.headers.get("X-Trans-Id"), uuid.uuid4().hex)
        self._request("PUT", f"/{segments_container(bucket)}")
        upload = _slo.SwiftUpload(self._store, self._provider, bucket, key, upload_id, options)
        upload.mark()
        return upload

    def resume_upload(self, bucket: str, key: str, upload_id: str, options: WriteOptions) -> _slo.SwiftUpload:
        upload = _slo.SwiftUpload(self._store, self._provider, bucket, key, upload_id, options)
        upload.parts()  # NotFound when gone; learns the parts stored
        return upload

    def list_uploads(
        self, bucket: str, prefix: str, page_size: int, token: str | None
    ) -> Page[tuple[str, str]]:
        return _slo.list_uploads(self._store, bucket, prefix, page_size, token)

    def copy_blob(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str) -> BlobInfo:
        headers = {"X-Copy-From": object_path(src_bucket, src_key), "Content-Length": "0"}
        self._request("PUT", object_path(dst_bucket, dst_key), headers=headers)
        return self.head_blob(dst_bucket, dst_key)

    def delete_blob(self, bucket: str, key: str, if_match: str | None) -> None:
        """A large object is deleted with its segments (``multipart-manifest=delete``),
        which needs a HEAD first: on a plain object that request deletes nothing."""
        path = object_path(bucket, key)
        head = self._request("HEAD", path)
        if not is_large(head.headers) or "X-Object-Manifest" in head.headers:
            self._request("DELETE", path)
            return
        response = self._request(
            "DELETE", path, params={"multipart-manifest": "delete"}, headers={"Accept": "application/json"}
        )
        outcome = response.json()
        if outcome.get("Number Not Found") and not outcome.get("Number Deleted"):
            raise NotFound(f"no blob {bucket}/{key}")
        if outcome.get("Errors"):
            raise ProviderError(
                f"deleting {bucket}/{key}: {outcome.get('Response Status')}: {outcome['Errors']}"
            )
