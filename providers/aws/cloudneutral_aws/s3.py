"""Blobs on S3: the :class:`cloudneutral.driver.BlobDriver` of the AWS adapter.

Only translation happens here; the portable layer validates, splits parts, retries and
verifies MD5. ``checksums["md5"]`` is reported only where S3's ETag is the MD5 of the
content: a single-request upload without SSE-KMS. Listings report no checksums, since
they do not say how an object is encrypted.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cloudneutral.driver import UploadedPart, WriteOptions
from cloudneutral.errors import AlreadyExists, NotFound
from cloudneutral.models import BlobInfo, BlobPrefix, Bucket, Page

from ._clients import Clients
from .errors import translate

if TYPE_CHECKING:
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

__all__ = ["MAX_PARTS", "MIN_PART_SIZE", "S3Blobs"]

PROVIDER = "aws"
MIN_PART_SIZE = 5 * 1024 * 1024
MAX_PARTS = 10_000
_READ_CHUNK = 1024 * 1024
_MAX_KEYS = 1000
_PLAIN_MD5 = re.compile(r"^[0-9a-f]{32}$")
_KMS = ("aws:kms", "aws:kms:dsse")
_CONTENT_RANGE_TOTAL = re.compile(r"/(\d+)$")


def _etag(raw: str | None) -> str | None:
    return raw.strip('"') if raw else None


def _checksums(etag: str | None, encryption: str | None) -> dict[str, str]:
    """``{"md5": etag}`` when the ETag can only be the content's MD5."""
    if etag and _PLAIN_MD5.match(etag) and encryption not in _KMS:
        return {"md5": etag}
    return {}


def _info(bucket: str, key: str, response: Mapping[str, Any], size: int) -> BlobInfo:
    """A BlobInfo from a HeadObject/GetObject answer."""
    etag = _etag(response.get("ETag"))
    return BlobInfo(
        bucket=bucket,
        key=key,
        size=size,
        etag=etag,
        content_type=response.get("ContentType"),
        metadata={k.lower(): v for k, v in (response.get("Metadata") or {}).items()},
        modified=response.get("LastModified"),
        checksums=_checksums(etag, response.get("ServerSideEncryption")),
        provider=PROVIDER,
        native=response,
    )


class _Body(Iterator[bytes]):
    """The chunks of a GetObject body; closing it (or running out) releases the connection.

    A class rather than a generator: closing a generator that never started would skip
    its ``finally`` and leak the connection.
    """

    def __init__(self, body: Any) -> None:
        self._body = body
        self._chunks: Iterator[bytes] = body.iter_chunks(_READ_CHUNK)

    def __next__(self) -> bytes:
        try:
            return next(self._chunks)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self._body.close()


class S3Blobs:
    """Buckets and objects of one account and region."""

    max_parts = MAX_PARTS

    def __init__(self, clients: Clients, min_part_size: int = MIN_PART_SIZE) -> None:
        self._clients = clients
        self.min_part_size = min_part_size
        self._uploads: dict[str, WriteOptions] = {}  # upload id -> options, until completed
        self._lock = threading.Lock()

    # -- buckets --------------------------------------------------------------------------
    def list_buckets(self) -> list[Bucket]:
        s3 = self._clients.s3
        buckets: list[Bucket] = []
        token: str | None = None
        while True:
            response = s3.list_buckets(ContinuationToken=token) if token else s3.list_buckets()
            buckets += [
                Bucket(
                    name=b["Name"],
                    created=b.get("CreationDate"),
                    region=b.get("BucketRegion"),
                    provider=PROVIDER,
                    native=b,
                )
                for b in response.get("Buckets", [])
            ]
            token = response.get("ContinuationToken")
            if not token:
                return buckets

    def create_bucket(self, name: str) -> Bucket:
        s3, region = self._clients.s3, self._clients.region
        if region == "us-east-1":
            # us-east-1 answers 200 when the caller already owns the bucket: ask first.
            if self._exists(name):
                raise AlreadyExists(f"bucket {name!r} already exists")
            s3.create_bucket(Bucket=name)
        else:
            s3.create_bucket(
                Bucket=name,
                CreateBucketConfiguration={"LocationConstraint": region},  # type: ignore[typeddict-item]
            )
        return Bucket(name=name, region=region, provider=PROVIDER)

    def _exists(self, name: str) -> bool:
        try:
            self.head_bucket(name)
        except ClientError as exc:
            if isinstance(translate(exc), NotFound):
                return False
            raise
        return True

    def head_bucket(self, name: str) -> Bucket:
        response = self._clients.s3.head_bucket(Bucket=name)
        region = response.get("BucketRegion") or self._clients.region
        return Bucket(name=name, region=region, provider=PROVIDER, native=response)

    def delete_bucket(self, name: str) -> None:
        self._clients.s3.delete_bucket(Bucket=name)

    # -- listing ----------------------------------------------------------------------------
    def list_blobs(
        self, bucket: str, prefix: str, delimiter: str | None, page_size: int, token: str | None
    ) -> Page[BlobInfo | BlobPrefix]:
        # botocore asks for EncodingType=url and decodes keys itself when we do not set it.
        params: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": min(page_size, _MAX_KEYS)}
        if delimiter is not None:
            params["Delimiter"] = delimiter
        if token is not None:
            params["ContinuationToken"] = token
        response = self._clients.s3.list_objects_v2(**params)
        items: list[BlobInfo | BlobPrefix] = [
            BlobInfo(
                bucket=bucket,
                key=o["Key"],
                size=o["Size"],
                etag=_etag(o.get("ETag")),
                modified=o.get("LastModified"),
                provider=PROVIDER,
                native=o,
            )
            for o in response.get("Contents", [])
        ]
        if "CommonPrefixes" in response:
            items += [BlobPrefix(bucket, p["Prefix"]) for p in response["CommonPrefixes"]]
            items.sort(key=lambda i: i.key if isinstance(i, BlobInfo) else i.prefix)
        truncated = response.get("IsTruncated", False)
        return Page(tuple(items), response.get("NextContinuationToken") if truncated else None)

    # -- reading ------------------------------------------------------------------------------
    def head_blob(self, bucket: str, key: str) -> BlobInfo:
        response = self._clients.s3.head_object(Bucket=bucket, Key=key)
        return _info(bucket, key, response, response["ContentLength"])

    def read_blob(
        self, bucket: str, key: str, offset: int, length: int | None
    ) -> tuple[BlobInfo, Iterator[bytes]]:
        s3 = self._clients.s3
        if offset == 0 and length is None:
            response: Any = s3.get_object(Bucket=bucket, Key=key)
            size = response["ContentLength"]
        else:
            last = "" if length is None else str(offset + length - 1)
            response = s3.get_object(Bucket=bucket, Key=key, Range=f"bytes={offset}-{last}")
            total = _CONTENT_RANGE_TOTAL.search(response.get("ContentRange") or "")
            size = int(total.group(1)) if total else response["ContentLength"]
        body = response.pop("Body")
        return _info(bucket, key, response, size), _Body(body)

    # -- writing ------------------------------------------------------------------------------
    def put_blob(self, bucket: str, key: str, data: bytes, options: WriteOptions) -> BlobInfo:
        response = self._clients.s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=data,
            ContentType=options.content_type,
            Metadata=dict(options.metadata),
        )
        return self._written(bucket, key, len(data), options, response, response.get("ServerSideEncryption"))

    def _written(
        self,
        bucket: str,
        key: str,
        size: int,
        options: WriteOptions | None,
        response: Mapping[str, Any],
        encryption: str | None,
    ) -> BlobInfo:
        """What was just written; content type and metadata as sent (unknown for an upload
        this driver did not start)."""
        etag = _etag(response.get("ETag"))
        return BlobInfo(
            bucket=bucket,
            key=key,
            size=size,
            etag=etag,
            content_type=options.content_type if options else None,
            metadata=options.metadata if options else {},
            checksums=_checksums(etag, encryption),
            provider=PROVIDER,
            native=response,
        )

    def start_upload(self, bucket: str, key: str, options: WriteOptions) -> str:
        response = self._clients.s3.create_multipart_upload(
            Bucket=bucket, Key=key, ContentType=options.content_type, Metadata=dict(options.metadata)
        )
        upload_id = response["UploadId"]
        with self._lock:
            self._uploads[upload_id] = options
        return upload_id

    def upload_part(self, bucket: str, key: str, upload_id: str, number: int, data: bytes) -> UploadedPart:
        response = self._clients.s3.upload_part(
            Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data
        )
        return UploadedPart(number=number, etag=response["ETag"], size=len(data))

    def complete_upload(
        self, bucket: str, key: str, upload_id: str, parts: Sequence[UploadedPart]
    ) -> BlobInfo:
        completed: list[CompletedPartTypeDef] = [{"ETag": p.etag, "PartNumber": p.number} for p in parts]
        response = self._clients.s3.complete_multipart_upload(
            Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": completed}
        )
        with self._lock:
            options = self._uploads.pop(upload_id, None)
        size = sum(p.size for p in parts)
        return self._written(bucket, key, size, options, response, response.get("ServerSideEncryption"))

    def abort_upload(self, bucket: str, key: str, upload_id: str) -> None:
        with self._lock:
            self._uploads.pop(upload_id, None)
        self._clients.s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)

    def copy_blob(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str) -> BlobInfo:
        self._clients.s3.copy_object(
            Bucket=dst_bucket,
            Key=dst_key,
            CopySource={"Bucket": src_bucket, "Key": src_key},
            MetadataDirective="COPY",
        )
        return self.head_blob(dst_bucket, dst_key)

    def delete_blob(self, bucket: str, key: str) -> None:
        # S3 answers 204 for a missing key; the contract wants NotFound, so look first.
        self._clients.s3.head_object(Bucket=bucket, Key=key)
        self._clients.s3.delete_object(Bucket=bucket, Key=key)
