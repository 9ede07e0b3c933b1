"""Writes in parts on Swift: segments, then a static large object (SLO) manifest.

An upload ``ID`` of key ``KEY`` in bucket ``B`` keeps its parts as objects of the
container ``B_segments`` (python-swiftclient's convention; ``_`` never occurs in a
portable bucket name), named ``KEY/ID/NNNNNNNN`` (part number, 8 digits), plus an empty
marker ``KEY/ID/00000000`` written when the upload opens and deleted when it commits or
aborts. So any process can find an unfinished upload (:func:`list_uploads`: a marker) and
resume it (:meth:`SwiftUpload.parts`: one listing). ``ID`` is ``cn`` and 20 hex digits
derived from the ``X-Trans-Id`` Swift gave the request that opened the upload: unique, and
the same when a recorded session is replayed.

Each part is a plain PUT carrying its MD5 as ``ETag``: Swift refuses other bytes (422 ->
``IntegrityError``) and answers the segment's MD5, which the receipt reports. ``commit``
PUTs the manifest (``?multipart-manifest=put``) with the blob's content type and its final
metadata: the blob appears at once, replacing the previous one. ``abort`` deletes the
segments. A committed blob's ETag is Swift's SLO ETag (MD5 of the segments' MD5 hex
strings), which is no checksum of the content: none is reported.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from cloudneutral.driver import PartLimits, PartReceipt, WriteOptions
from cloudneutral.errors import NotFound
from cloudneutral.models import BlobInfo, Page

from ._swift import check, meta_headers, object_path, plain_md5, segments_container

__all__ = ["LIMITS", "SwiftUpload", "list_uploads", "new_upload_id", "parse_segment"]

#: Swift's defaults: ``max_manifest_segments`` 1000, ``max_file_size`` 5 GiB, and
#: ``min_segment_size`` 1 byte (Swift >= 2.8; older clusters refuse parts under 1 MiB).
LIMITS = PartLimits(min_part_size=1, max_part_size=5 * 1024**3, max_parts=1000)
_MARKER = 0
#: Sorts after every part number: a listing marker that skips the rest of an upload.
_AFTER_PARTS = "~"


def new_upload_id(trans_id: str | None, fallback: str) -> str:
    """``cn`` + 20 hex digits of Swift's transaction id (``fallback`` when it sent none)."""
    return "cn" + hashlib.sha1((trans_id or fallback).encode()).hexdigest()[:20]


def segment_name(key: str, upload_id: str, number: int) -> str:
    return f"{key}/{upload_id}/{number:08d}"


def parse_segment(name: str) -> tuple[str, str, int] | None:
    """``(key, upload id, part number)`` of a segment name of ours, else ``None``."""
    parts = name.rsplit("/", 2)
    if len(parts) != 3 or not parts[1].startswith("cn") or len(parts[2]) != 8 or not parts[2].isdigit():
        return None
    return parts[0], parts[1], int(parts[2])


class SwiftUpload:
    """One upload's segments; committed as a static large object manifest."""

    limits = LIMITS

    def __init__(
        self, store: Any, provider: str, bucket: str, key: str, upload_id: str, options: WriteOptions
    ):
        self.id = upload_id
        self._store = store
        self._provider = provider
        self._bucket, self._key = bucket, key
        self._segments = segments_container(bucket)
        self._options = options
        self._lock = threading.Lock()
        self._parts: dict[int, tuple[int, str | None]] = {}
        self._committed: BlobInfo | None = None

    def _path(self, number: int) -> str:
        return object_path(self._segments, segment_name(self._key, self.id, number))

    def mark(self) -> None:
        """Write the marker that makes the upload findable (when it opens)."""
        check(self._store.request(self._path(_MARKER), "PUT", data=b"", headers={"Content-Length": "0"}))

    def put_part(self, number: int, data: bytes, md5: str) -> PartReceipt:
        headers = {"ETag": md5, "Content-Type": "application/octet-stream"}
        response = check(self._store.request(self._path(number), "PUT", data=data, headers=headers))
        etag = (response.headers.get("Etag") or "").strip('"') or None
        with self._lock:
            self._parts[number] = (len(data), etag)
        stored = plain_md5(etag, large=False).get("md5")
        return PartReceipt(number, len(data), stored)

    def parts(self) -> Sequence[PartReceipt]:
        """From one listing of the upload's segments (at most 1001 names). ``NotFound`` when
        the marker is gone (aborted, committed, or never opened)."""
        params = {"format": "json", "prefix": f"{self._key}/{self.id}/", "limit": "10000"}
        items = check(self._store.request(f"/{self._segments}", "GET", params=params)).json()
        found = {parsed[2]: item for item in items if (parsed := parse_segment(str(item["name"])))}
        if _MARKER not in found:
            raise NotFound(f"no unfinished upload {self.id} of {self._bucket}/{self._key}")
        receipts = []
        for number in sorted(n for n in found if n != _MARKER):
            size, etag = int(found[number].get("bytes", 0)), found[number].get("hash")
            with self._lock:
                self._parts[number] = (size, etag)
            receipts.append(PartReceipt(number, size, plain_md5(etag, large=False).get("md5")))
        return receipts

    def commit(self, metadata: Mapping[str, str]) -> BlobInfo:
        with self._lock:
            if self._committed is not None:
                return self._committed
            parts = sorted(self._parts.items())
        manifest = [
            {
                "path": f"/{self._segments}/{segment_name(self._key, self.id, n)}",
                "etag": etag,
                "size_bytes": size,
            }
            for n, (size, etag) in parts
        ]
        headers = {"Content-Type": self._options.content_type, **meta_headers(metadata)}
        response = check(
            self._store.request(
                object_path(self._bucket, self._key),
                "PUT",
                params={"multipart-manifest": "put"},
                data=json.dumps(manifest).encode(),
                headers=headers,
            )
        )
        self._drop_marker()
        etag = (response.headers.get("Etag") or "").strip('"') or None
        modified = response.headers.get("Last-Modified")
        info = BlobInfo(
            bucket=self._bucket,
            key=self._key,
            size=sum(size for _, (size, _) in parts),
            etag=etag,
            content_type=self._options.content_type,
            metadata=dict(metadata),
            modified=email.utils.parsedate_to_datetime(modified) if modified else None,
            provider=self._provider,
            native=dict(response.headers),
        )
        with self._lock:
            self._committed = info
        return info

    def _drop_marker(self) -> None:
        response = self._store.request(self._path(_MARKER), "DELETE")
        if response.status_code != 404:
            check(response)

    def abort(self) -> None:
        """Delete the marker and every segment (one listing, one bulk delete). Idempotent."""
        params = {"format": "json", "prefix": f"{self._key}/{self.id}/", "limit": "10000"}
        response = self._store.request(f"/{self._segments}", "GET", params=params)
        if response.status_code == 404:
            return
        names = [str(item["name"]) for item in check(response).json()]
        if not names:
            return
        body = "\n".join(object_path(self._segments, name) for name in names).encode()
        headers = {"Content-Type": "text/plain", "Accept": "application/json"}
        check(self._store.request("", "POST", params={"bulk-delete": "true"}, data=body, headers=headers))


def list_uploads(
    store: Any, bucket: str, prefix: str, page_size: int, token: str | None
) -> Page[tuple[str, str]]:
    """One page of the unfinished uploads (those with a marker) of keys under ``prefix``,
    from one listing of the segments container; the token skips the last upload's parts."""
    limit = min(page_size, 10_000)
    params = {"format": "json", "prefix": prefix, "limit": str(limit)}
    if token is not None:
        params["marker"] = token
    response = store.request(f"/{segments_container(bucket)}", "GET", params=params)
    if response.status_code == 404:  # no upload ever: the bucket must exist still
        response.close()
        check(store.request(f"/{bucket}", "HEAD"))
        return Page(())
    items = check(response).json()
    found: list[tuple[str, str]] = []
    last: tuple[str, str] | None = None
    for item in items:
        parsed = parse_segment(str(item["name"]))
        if parsed is None:
            continue
        key, upload, number = parsed
        if (key, upload) != last and number == _MARKER:
            found.append((key, upload))
        last = (key, upload)
    if len(items) < limit:
        return Page(tuple(found))
    if last is None:
        return Page(tuple(found), str(items[-1]["name"]))
    return Page(tuple(found), f"{last[0]}/{last[1]}/{_AFTER_PARTS}")
