"""TinyBlob buckets and blobs: the :class:`cloudneutral.driver.BlobDriver` of this adapter.

Each method is one request plus a translation to :mod:`cloudneutral.models`; the portable
layer validates, loops over pages, retries, splits writes into parts and verifies. The
service's ETag is always the MD5 of the content (parts included), and it checks every
``Content-MD5`` it is sent, so ``checksums["md5"]`` is reported everywhere.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from cloudneutral.driver import PartLimits, PartReceipt, WriteOptions
from cloudneutral.models import BlobInfo, BlobPrefix, Bucket, Page

from .client import Answer, TinyBlobClient, TinyBlobError, blob_path

__all__ = ["TinyBlobDriver", "TinyUpload"]

PROVIDER = "tinyblob"
#: The service refuses to commit parts (but the last) smaller than this (see server.py).
MIN_PART_SIZE = 64 * 1024
LIMITS = PartLimits(min_part_size=MIN_PART_SIZE, max_part_size=64 * 1024 * 1024, max_parts=10_000)


def _content_md5(md5: str) -> str:
    return base64.b64encode(bytes.fromhex(md5)).decode()


def _time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def _info(bucket: str, item: Mapping[str, Any]) -> BlobInfo:
    """A BlobInfo from the service's JSON description of a blob."""
    etag = item.get("etag")
    return BlobInfo(
        bucket=bucket,
        key=item["key"],
        size=item["size"],
        etag=etag,
        content_type=item.get("content_type"),
        metadata=item.get("metadata") or {},
        modified=_time(item.get("modified")),
        checksums={"md5": etag} if etag else {},
        provider=PROVIDER,
        native=item,
    )


def _head_info(bucket: str, key: str, headers: Mapping[str, str], size: int) -> BlobInfo:
    """A BlobInfo from the headers of a HEAD or GET answer."""
    etag = headers.get("etag", "").strip('"') or None
    return BlobInfo(
        bucket=bucket,
        key=key,
        size=size,
        etag=etag,
        content_type=headers.get("content-type"),
        metadata=json.loads(headers.get("x-tb-metadata") or "{}"),
        modified=_time(headers.get("x-tb-modified")),
        checksums={"md5": etag} if etag else {},
        provider=PROVIDER,
        native=dict(headers),
    )


class _Chunks:
    """A :class:`cloudneutral.driver.BlobStream` over a streamed answer."""

    def __init__(self, answer: Answer) -> None:
        assert answer.stream is not None
        self._stream: Iterator[bytes] = answer.stream

    def __iter__(self) -> _Chunks:
        return self

    def __next__(self) -> bytes:
        return next(self._stream)

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class TinyUpload:
    """An upload in parts (:class:`cloudneutral.driver.Upload`); the service keeps the parts
    until commit or abort, so any process can resume it by id."""

    limits = LIMITS

    def __init__(self, client: TinyBlobClient, bucket: str, key: str, upload_id: str) -> None:
        self.id = upload_id
        self._client, self._bucket, self._key = client, bucket, key
        self._path = blob_path(bucket, key)

    def put_part(self, number: int, data: bytes, md5: str) -> PartReceipt:
        answer = self._client.request(
            "PUT", self._path, {"upload": self.id, "part": number}, {"Content-MD5": _content_md5(md5)}, data
        )
        stored = answer.json()
        return PartReceipt(stored["number"], stored["size"], stored["md5"])

    def parts(self) -> Sequence[PartReceipt]:
        answer = self._client.request("GET", self._path, {"upload": self.id})
        return [PartReceipt(p["number"], p["size"], p["md5"]) for p in answer.json()["parts"]]

    def commit(self, metadata: Mapping[str, str]) -> BlobInfo:
        body = json.dumps({"metadata": dict(metadata)}, sort_keys=True).encode()
        answer = self._client.request(
            "POST", self._path, {"upload": self.id}, {"Content-Type": "application/json"}, body
        )
        return _info(self._bucket, answer.json())

    def abort(self) -> None:
        try:
            self._client.request("DELETE", self._path, {"upload": self.id})
        except TinyBlobError as exc:
            if exc.status != 404:  # already gone: aborting is idempotent
                raise


class TinyBlobDriver:
    """Buckets and blobs of one TinyBlob endpoint. Contracts: :class:`cloudneutral.driver.BlobDriver`."""

    def __init__(self, client: TinyBlobClient) -> None:
        self.client = client

    def natives(self) -> Sequence[object]:
        return (self.client,)

    # -- buckets ------------------------------------------------------------------------------
    def list_buckets(self, page_size: int, token: str | None) -> Page[Bucket]:
        query: dict[str, str | int] = {"limit": page_size}
        if token is not None:
            query["after"] = token
        found = self.client.request("GET", "/", query).json()
        buckets = tuple(
            Bucket(name=b["name"], created=_time(b["created"]), provider=PROVIDER, native=b)
            for b in found["buckets"]
        )
        return Page(buckets, found["next"])

    def create_bucket(self, name: str) -> Bucket:
        self.client.request("PUT", "/" + quote(name, safe=""))
        return Bucket(name=name, provider=PROVIDER)

    def head_bucket(self, name: str) -> Bucket:
        answer = self.client.request("HEAD", "/" + quote(name, safe=""))
        created = _time(answer.headers.get("x-tb-created"))
        return Bucket(name=name, created=created, provider=PROVIDER, native=dict(answer.headers))

    def delete_bucket(self, name: str) -> None:
        self.client.request("DELETE", "/" + quote(name, safe=""))

    # -- listing ------------------------------------------------------------------------------
    def list_blobs(
        self, bucket: str, prefix: str, delimiter: str | None, page_size: int, token: str | None
    ) -> Page[BlobInfo | BlobPrefix]:
        query: dict[str, str | int] = {"prefix": prefix, "limit": page_size}
        if delimiter is not None:
            query["delimiter"] = delimiter
        if token is not None:
            query["after"] = token
        found = self.client.request("GET", "/" + quote(bucket, safe=""), query).json()
        items: list[BlobInfo | BlobPrefix] = [
            BlobPrefix(bucket, item["prefix"]) if "prefix" in item else _info(bucket, item)
            for item in found["items"]
        ]
        return Page(tuple(items), found["next"])

    # -- reading ------------------------------------------------------------------------------
    def head_blob(self, bucket: str, key: str) -> BlobInfo:
        answer = self.client.request("HEAD", blob_path(bucket, key))
        return _head_info(bucket, key, answer.headers, int(answer.headers["content-length"]))

    def part_sizes(self, bucket: str, key: str, info: BlobInfo) -> Sequence[int] | None:
        return None  # the ETag is the whole content's MD5, never a composite of parts

    def read_blob(self, bucket: str, key: str, offset: int, length: int | None) -> tuple[BlobInfo, _Chunks]:
        headers: dict[str, str] = {}
        if offset != 0 or length is not None:
            last = "" if length is None else str(offset + length - 1)
            headers["Range"] = f"bytes={offset}-{last}"
        answer = self.client.request("GET", blob_path(bucket, key), headers=headers, stream=True)
        size = int(answer.headers["content-length"])
        if "content-range" in answer.headers:  # "bytes A-B/TOTAL": the whole blob's size
            size = int(answer.headers["content-range"].rpartition("/")[2])
        return _head_info(bucket, key, answer.headers, size), _Chunks(answer)

    # -- writing ------------------------------------------------------------------------------
    def _write_headers(self, options: WriteOptions) -> dict[str, str]:
        return {
            "Content-Type": options.content_type,
            "X-Tb-Metadata": json.dumps(dict(options.metadata), sort_keys=True),
        }

    def put_blob(self, bucket: str, key: str, data: bytes, options: WriteOptions, md5: str) -> BlobInfo:
        headers = {**self._write_headers(options), "Content-MD5": _content_md5(md5)}
        answer = self.client.request("PUT", blob_path(bucket, key), headers=headers, body=data)
        return _info(bucket, answer.json())

    def open_upload(self, bucket: str, key: str, options: WriteOptions) -> TinyUpload:
        answer = self.client.request(
            "POST", blob_path(bucket, key), {"uploads": ""}, self._write_headers(options)
        )
        return TinyUpload(self.client, bucket, key, answer.json()["upload"])

    def resume_upload(self, bucket: str, key: str, upload_id: str, options: WriteOptions) -> TinyUpload:
        upload = TinyUpload(self.client, bucket, key, upload_id)
        upload.parts()  # a gone upload -> 404 NoSuchUpload -> NotFound
        return upload

    def list_uploads(
        self, bucket: str, prefix: str, page_size: int, token: str | None
    ) -> Page[tuple[str, str]]:
        query: dict[str, str | int] = {"uploads": "", "prefix": prefix, "limit": page_size}
        if token is not None:
            query["after"] = token
        found = self.client.request("GET", "/" + quote(bucket, safe=""), query).json()
        return Page(tuple((u["key"], u["upload"]) for u in found["uploads"]), found["next"])

    def copy_blob(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str) -> BlobInfo:
        headers = {"X-Tb-Copy-From": blob_path(src_bucket, src_key)}
        answer = self.client.request("PUT", blob_path(dst_bucket, dst_key), headers=headers)
        return _info(dst_bucket, answer.json())

    def delete_blob(self, bucket: str, key: str, if_match: str | None) -> None:
        headers = {} if if_match is None else {"If-Match": f'"{if_match.strip(chr(34))}"'}
        self.client.request("DELETE", blob_path(bucket, key), headers=headers)  # 412 -> Conflict
