"""Blobs on S3: the :class:`cloudneutral.driver.BlobDriver` of the AWS adapter.

Only translation happens here; the portable layer validates, splits parts, retries and
verifies. ``checksums["md5"]`` is reported only where S3's ETag is the MD5 of the content
(a single-request upload without SSE-KMS), ``md5-parts`` where it is the MD5 of the part
MD5s (a multipart upload). Every part and single upload carries ``Content-MD5``, so S3
itself refuses bytes damaged in transit (``BadDigest``).
"""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cloudneutral.driver import PartLimits, PartReceipt, WriteOptions
from cloudneutral.errors import AlreadyExists, NotFound
from cloudneutral.models import BlobInfo, BlobPrefix, Bucket, Page

from ._clients import Clients
from .errors import translate

if TYPE_CHECKING:
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

__all__ = ["MIN_PART_SIZE", "S3BlobDriver", "S3Upload"]

PROVIDER = "aws"
MIN_PART_SIZE = 5 * 1024 * 1024
MAX_PART_SIZE = 5 * 1024**3
MAX_PARTS = 10_000
#: The largest object CopyObject copies in one request.
MAX_COPY = 5 * 1024**3
_READ_CHUNK = 1024 * 1024
_MAX_KEYS = 1000
_PLAIN_MD5 = re.compile(r"^[0-9a-f]{32}$")
_PARTS_MD5 = re.compile(r"^[0-9a-f]{32}-\d+$")
_KMS = ("aws:kms", "aws:kms:dsse")
_CONTENT_RANGE_TOTAL = re.compile(r"/(\d+)$")


def _etag(raw: str | None) -> str | None:
    return raw.strip('"') if raw else None


def _content_md5(md5: str) -> str:
    return base64.b64encode(bytes.fromhex(md5)).decode()


def _checksums(etag: str | None, encryption: str | None) -> dict[str, str]:
    """``md5`` when the ETag can only be the content's MD5; ``md5-parts`` when it is the
    MD5 of the part MD5s (SSE-KMS ETags are neither)."""
    if not etag or encryption in _KMS:
        return {}
    if _PLAIN_MD5.match(etag):
        return {"md5": etag}
    if _PARTS_MD5.match(etag):
        return {"md5-parts": etag}
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


class _Body:
    """The chunks of a GetObject body; closing it (or running out) releases the connection."""

    def __init__(self, body: Any) -> None:
        self._body = body
        self._chunks = body.iter_chunks(_READ_CHUNK)

    def __iter__(self) -> _Body:
        return self

    def __next__(self) -> bytes:
        try:
            chunk: bytes = next(self._chunks)
        except BaseException:
            self.close()
            raise
        return chunk

    def close(self) -> None:
        self._body.close()


class S3Upload:
    """A multipart upload. S3 keeps the parts until CompleteMultipartUpload or Abort."""

    def __init__(self, driver: S3BlobDriver, bucket: str, key: str, upload_id: str, options: WriteOptions):
        self.id = upload_id
        self.limits = driver.limits
        self._s3 = driver.clients.s3
        self._bucket, self._key = bucket, key
        self._options = options
        self._lock = threading.Lock()
        self._etags: dict[int, str] = {}
        self._committed: BlobInfo | None = None

    def put_part(self, number: int, data: bytes, md5: str) -> PartReceipt:
        response = self._s3.upload_part(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self.id,
            PartNumber=number,
            Body=data,
            ContentMD5=_content_md5(md5),
        )
        etag = response["ETag"]
        with self._lock:
            self._etags[number] = etag
        stored = _etag(etag)
        return PartReceipt(number, len(data), stored if stored and _PLAIN_MD5.match(stored) else None)

    def parts(self) -> Sequence[PartReceipt]:
        receipts: list[PartReceipt] = []
        params: dict[str, Any] = {"Bucket": self._bucket, "Key": self._key, "UploadId": self.id}
        while True:
            response = self._s3.list_parts(**params)
            for part in response.get("Parts", []):
                with self._lock:
                    self._etags[part["PartNumber"]] = part["ETag"]
                stored = _etag(part["ETag"])
                md5 = stored if stored and _PLAIN_MD5.match(stored) else None
                receipts.append(PartReceipt(part["PartNumber"], part["Size"], md5))
            if not response.get("IsTruncated"):
                return receipts
            params["PartNumberMarker"] = response["NextPartNumberMarker"]

    def commit(self, metadata: Mapping[str, str]) -> BlobInfo:
        with self._lock:
            if self._committed is not None:
                return self._committed
            completed: list[CompletedPartTypeDef] = [
                {"ETag": etag, "PartNumber": number} for number, etag in sorted(self._etags.items())
            ]
        try:
            response: Any = self._s3.complete_multipart_upload(
                Bucket=self._bucket, Key=self._key, UploadId=self.id, MultipartUpload={"Parts": completed}
            )
        except ClientError as exc:
            if not isinstance(translate(exc), NotFound):
                raise
            response = self._already_completed(exc)
        head = self._s3.head_object(Bucket=self._bucket, Key=self._key, IfMatch=response["ETag"])
        if dict(metadata) != dict(self._options.metadata) and head["ContentLength"] <= MAX_COPY:
            head = self._replace_metadata(response["ETag"], metadata)
        info = _info(self._bucket, self._key, head, head["ContentLength"])
        with self._lock:
            self._committed = info
        return info

    def _already_completed(self, exc: ClientError) -> Any:
        """After a retried commit S3 no longer knows the upload: the object there is ours
        only if its ETag is the one our parts make."""
        head = self._s3.head_object(Bucket=self._bucket, Key=self._key)
        count = head.get("ETag", "").strip('"').rpartition("-")[2]
        if count != str(len(self._etags)):
            raise exc
        return head

    def _replace_metadata(self, etag: str, metadata: Mapping[str, str]) -> Any:
        """Metadata known only at the end (``cn-sha256``): S3 fixed it when the upload
        began, so copy the object onto itself with the final metadata, if still ours."""
        self._s3.copy_object(
            Bucket=self._bucket,
            Key=self._key,
            CopySource={"Bucket": self._bucket, "Key": self._key},
            CopySourceIfMatch=etag,
            MetadataDirective="REPLACE",
            ContentType=self._options.content_type,
            Metadata=dict(metadata),
        )
        return self._s3.head_object(Bucket=self._bucket, Key=self._key)

    def abort(self) -> None:
        try:
            self._s3.abort_multipart_upload(Bucket=self._bucket, Key=self._key, UploadId=self.id)
        except ClientError as exc:
            if not isinstance(translate(exc), NotFound):
                raise


class S3BlobDriver:
    """Buckets and objects of one account and region."""

    def __init__(self, clients: Clients, min_part_size: int = MIN_PART_SIZE) -> None:
        self.clients = clients
        self.limits = PartLimits(
            min_part_size=min_part_size, max_part_size=MAX_PART_SIZE, max_parts=MAX_PARTS
        )

    def natives(self) -> Sequence[object]:
        return (self.clients.s3,)

    # -- buckets --------------------------------------------------------------------------
    def list_buckets(self, page_size: int, token: str | None) -> Page[Bucket]:
        params: dict[str, Any] = {"MaxBuckets": min(page_size, 10_000)}
        if token is not None:
            params["ContinuationToken"] = token
        response = self.clients.s3.list_buckets(**params)
        buckets = tuple(
            Bucket(
                name=b["Name"],
                created=b.get("CreationDate"),
                region=b.get("BucketRegion"),
                provider=PROVIDER,
                native=b,
            )
            for b in response.get("Buckets", [])
        )
        return Page(buckets, response.get("ContinuationToken") or None)

    def create_bucket(self, name: str) -> Bucket:
        s3, region = self.clients.s3, self.clients.region
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
        response = self.clients.s3.head_bucket(Bucket=name)
        region = response.get("BucketRegion") or self.clients.region
        return Bucket(name=name, region=region, provider=PROVIDER, native=response)

    def delete_bucket(self, name: str) -> None:
        self.clients.s3.delete_bucket(Bucket=name)

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
        response = self.clients.s3.list_objects_v2(**params)
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
            items.sort(key=lambda i: (i.key if isinstance(i, BlobInfo) else i.prefix).encode())
        truncated = response.get("IsTruncated", False)
        return Page(tuple(items), response.get("NextContinuationToken") if truncated else None)

    # -- reading ------------------------------------------------------------------------------
    def head_blob(self, bucket: str, key: str) -> BlobInfo:
        response = self.clients.s3.head_object(Bucket=bucket, Key=key)
        return _info(bucket, key, response, response["ContentLength"])

    def part_sizes(self, bucket: str, key: str, info: BlobInfo) -> Sequence[int] | None:
        """From a HEAD of part 1 (S3 answers its size and the part count; an endpoint that
        answers neither, like moto, leaves the composite unchecked: ``None``)."""
        response = self.clients.s3.head_object(Bucket=bucket, Key=key, PartNumber=1)
        count, first = response.get("PartsCount"), response["ContentLength"]
        if not count or count < 1 or first * (count - 1) >= info.size:
            return None
        return [first] * (count - 1) + [info.size - first * (count - 1)]

    def read_blob(self, bucket: str, key: str, offset: int, length: int | None) -> tuple[BlobInfo, _Body]:
        s3 = self.clients.s3
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
    def put_blob(self, bucket: str, key: str, data: bytes, options: WriteOptions, md5: str) -> BlobInfo:
        response = self.clients.s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=data,
            ContentMD5=_content_md5(md5),
            ContentType=options.content_type,
            Metadata=dict(options.metadata),
        )
        etag = _etag(response.get("ETag"))
        checksums = _checksums(etag, response.get("ServerSideEncryption"))
        if response.get("ServerSideEncryption") in _KMS:
            checksums = {"md5": md5}  # S3 checked the Content-MD5 sent; a KMS ETag says nothing
        return BlobInfo(
            bucket=bucket,
            key=key,
            size=len(data),
            etag=etag,
            content_type=options.content_type,
            metadata=options.metadata,
            checksums=checksums,
            provider=PROVIDER,
            native=response,
        )

    def open_upload(self, bucket: str, key: str, options: WriteOptions) -> S3Upload:
        response = self.clients.s3.create_multipart_upload(
            Bucket=bucket, Key=key, ContentType=options.content_type, Metadata=dict(options.metadata)
        )
        return S3Upload(self, bucket, key, response["UploadId"], options)

    def resume_upload(self, bucket: str, key: str, upload_id: str, options: WriteOptions) -> S3Upload:
        upload = S3Upload(self, bucket, key, upload_id, options)
        upload.parts()  # NoSuchUpload -> NotFound; learns the ETags of the parts stored
        return upload

    def list_uploads(
        self, bucket: str, prefix: str, page_size: int, token: str | None
    ) -> Page[tuple[str, str]]:
        params: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxUploads": min(page_size, 1000)}
        if token is not None:
            params["KeyMarker"], params["UploadIdMarker"] = token.split("\n", 1)
        response = self.clients.s3.list_multipart_uploads(**params)
        found = tuple((u["Key"], u["UploadId"]) for u in response.get("Uploads", []))
        more = response.get("IsTruncated") and response.get("NextKeyMarker") is not None
        return Page(
            found, f"{response['NextKeyMarker']}\n{response.get('NextUploadIdMarker', '')}" if more else None
        )

    def copy_blob(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str) -> BlobInfo:
        self.clients.s3.copy_object(
            Bucket=dst_bucket,
            Key=dst_key,
            CopySource={"Bucket": src_bucket, "Key": src_key},
            MetadataDirective="COPY",
        )
        return self.head_blob(dst_bucket, dst_key)

    def delete_blob(self, bucket: str, key: str, if_match: str | None) -> None:
        # S3 answers 204 for a missing key; the contract wants NotFound, so look first.
        self.clients.s3.head_object(Bucket=bucket, Key=key)
        if if_match is None:
            self.clients.s3.delete_object(Bucket=bucket, Key=key)
        else:
            self.clients.s3.delete_object(Bucket=bucket, Key=key, IfMatch=f'"{if_match.strip(chr(34))}"')
