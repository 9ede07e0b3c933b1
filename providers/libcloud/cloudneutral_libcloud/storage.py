"""Buckets and blobs over a libcloud ``StorageDriver``: a :class:`cloudneutral.driver.BlobDriver`.

Translation only. libcloud's generic API is what is used (``iterate_containers``,
``iterate_container_objects``, ``get_object``, ``upload_object_via_stream``,
``download_object_as_stream``, ``download_object_range_as_stream``, ``delete_object``),
so any storage driver works as far as it implements them. libcloud exposes no upload in
parts, no server-side copy and no conditional delete: :meth:`LibcloudBlobDriver.open_upload`
and friends raise ``Unsupported`` and the adapter declares none of those capabilities.

Where libcloud loses what the contract needs, one extra request restores it: a failed
write or listing asks whether the container exists (``NotFound`` rather than a bare
status), and a delete looks the object up first (S3 answers 204 for a missing key).
``checksums["md5"]`` is reported only when the ETag is a plain MD5 (S3 single-part).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from cloudneutral.driver import Upload, WriteOptions
from cloudneutral.errors import InvalidArgument, Unsupported
from cloudneutral.models import BlobInfo, BlobPrefix, Bucket, Page

from ._paging import blob_page, named_page
from .errors import PROVIDER

__all__ = ["READ_CHUNK", "LibcloudBlobDriver", "LibcloudStream"]

READ_CHUNK = 1024 * 1024
RESERVED, RESERVED_STORED = "cn-", "cn_"
_PLAIN_MD5 = re.compile(r"^[0-9a-f]{32}$")


def _modified(raw: object) -> dt.datetime | None:
    """libcloud keeps times as the service wrote them: RFC 1123 (headers) or ISO 8601 (XML)."""
    if isinstance(raw, dt.datetime):
        return raw
    if not isinstance(raw, str) or not raw:
        return None
    try:
        return email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        pass
    try:
        return dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None


class LibcloudStream:
    """The chunks of a libcloud download; :meth:`close` stops it (idempotent)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks

    def __iter__(self) -> LibcloudStream:
        return self

    def __next__(self) -> bytes:
        try:
            return bytes(next(self._chunks))
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if callable(close):
            close()


class LibcloudBlobDriver:
    """Containers and objects of one libcloud storage driver.

    Contracts: :class:`cloudneutral.driver.BlobDriver`.
    """

    def __init__(self, storage: Any, provider: str = PROVIDER, *, underscore_reserved: bool = False) -> None:
        self.storage = storage
        self._provider = provider
        self._underscore = underscore_reserved

    def _stored_metadata(self, metadata: Mapping[str, str]) -> dict[str, str]:
        """Reserved keys (``cn-sha256``) as the service can keep them: Azure metadata names
        are C# identifiers, so ``cn-*`` is stored as ``cn_*`` (as the Azure adapter does)."""
        if not self._underscore:
            return dict(metadata)
        return {
            RESERVED_STORED + k[len(RESERVED) :] if k.startswith(RESERVED) else k: v
            for k, v in metadata.items()
        }

    def _portable_metadata(self, metadata: Mapping[str, Any]) -> dict[str, str]:
        found = {str(k).lower(): str(v) for k, v in metadata.items()}
        if not self._underscore:
            return found
        return {
            RESERVED + k[len(RESERVED_STORED) :] if k.startswith(RESERVED_STORED) else k: v
            for k, v in found.items()
        }

    def natives(self) -> Sequence[object]:
        return (self.storage,)

    # -- model -----------------------------------------------------------------------------
    def _container(self, name: str) -> Any:
        """A libcloud ``Container`` by name, without a request."""
        from libcloud.storage.base import Container

        return Container(name=name, extra={}, driver=self.storage)

    def _info(
        self,
        bucket: str,
        obj: Any,
        options: WriteOptions | None = None,
        size: int | None = None,
        listed: bool = False,
    ) -> BlobInfo:
        """A BlobInfo from a libcloud ``Object``; after a write, ``options`` and the bytes sent
        say what was stored (libcloud's ``Object`` of an upload carries neither). ``listed``:
        no metadata (libcloud's S3 listing fills ``meta_data`` with the owner, not user metadata)."""
        extra: Mapping[str, Any] = obj.extra or {}
        etag = str(obj.hash).strip('"') if obj.hash else None
        metadata = {} if listed else obj.meta_data if options is None else options.metadata
        content_type = extra.get("content_type") if options is None else options.content_type
        return BlobInfo(
            bucket=bucket,
            key=obj.name,
            size=int(obj.size or 0) if size is None else size,
            etag=etag,
            content_type=content_type,
            metadata=self._portable_metadata(metadata or {}),
            modified=_modified(extra.get("last_modified")),
            checksums={"md5": etag} if etag and _PLAIN_MD5.match(etag) else {},
            provider=self._provider,
            native=obj,
        )

    def _bucket(self, container: Any) -> Bucket:
        extra: Mapping[str, Any] = container.extra or {}
        created = extra.get("creation_date") or extra.get("last_modified")
        return Bucket(
            name=container.name, created=_modified(created), provider=self._provider, native=container
        )

    def _or_missing_bucket(self, bucket: str, exc: BaseException) -> BaseException:
        """``exc``, or libcloud's ``ContainerDoesNotExistError`` when the container is gone
        (libcloud often reports a missing container as a bare status)."""
        from libcloud.storage.types import ContainerDoesNotExistError

        if isinstance(exc, ContainerDoesNotExistError):
            return exc
        try:
            self.storage.get_container(bucket)
        except ContainerDoesNotExistError as missing:
            return missing
        except Exception:
            return exc
        return exc

    # -- buckets ---------------------------------------------------------------------------
    def list_buckets(self, page_size: int, token: str | None) -> Page[Bucket]:
        containers = list(self.storage.iterate_containers())
        page = named_page(containers, lambda c: str(c.name), page_size, token)
        return Page(tuple(self._bucket(c) for c in page.items), page.next_token)

    def create_bucket(self, name: str) -> Bucket:
        return self._bucket(self.storage.create_container(name))

    def head_bucket(self, name: str) -> Bucket:
        return self._bucket(self.storage.get_container(name))

    def delete_bucket(self, name: str) -> None:
        self.storage.delete_container(self._container(name))

    # -- listing ---------------------------------------------------------------------------
    def list_blobs(
        self, bucket: str, prefix: str, delimiter: str | None, page_size: int, token: str | None
    ) -> Page[BlobInfo | BlobPrefix]:
        objects = self.storage.iterate_container_objects(self._container(bucket), prefix=prefix or None)
        try:
            return blob_page(
                bucket,
                objects,
                lambda o: str(o.name),
                lambda o: self._info(bucket, o, listed=True),
                prefix,
                delimiter,
                page_size,
                token,
            )
        except InvalidArgument:
            raise
        except Exception as exc:
            raise self._or_missing_bucket(bucket, exc) from exc

    # -- reading ---------------------------------------------------------------------------
    def head_blob(self, bucket: str, key: str) -> BlobInfo:
        return self._info(bucket, self.storage.get_object(bucket, key))

    def part_sizes(self, bucket: str, key: str, info: BlobInfo) -> Sequence[int] | None:
        return None  # md5-parts is never reported

    def read_blob(
        self, bucket: str, key: str, offset: int, length: int | None
    ) -> tuple[BlobInfo, LibcloudStream]:
        obj = self.storage.get_object(bucket, key)
        info = self._info(bucket, obj)
        if offset == 0 and length is None:
            return info, LibcloudStream(self.storage.download_object_as_stream(obj, chunk_size=READ_CHUNK))
        if offset >= info.size:
            raise InvalidArgument(f"range start {offset} is at or past the end ({info.size} bytes)")
        end = None if length is None else min(info.size, offset + length)
        chunks = self.storage.download_object_range_as_stream(obj, offset, end, chunk_size=READ_CHUNK)
        return info, LibcloudStream(chunks)

    # -- writing ---------------------------------------------------------------------------
    def put_blob(self, bucket: str, key: str, data: bytes, options: WriteOptions, md5: str) -> BlobInfo:
        extra = {"content_type": options.content_type, "meta_data": self._stored_metadata(options.metadata)}
        try:
            obj = self.storage.upload_object_via_stream(
                iter([bytes(data)]), self._container(bucket), key, extra=extra
            )
        except Exception as exc:
            raise self._or_missing_bucket(bucket, exc) from exc
        return self._info(bucket, obj, options, size=len(data))

    def open_upload(self, bucket: str, key: str, options: WriteOptions) -> Upload:
        raise Unsupported("libcloud exposes no upload in parts", provider=self._provider)

    def resume_upload(self, bucket: str, key: str, upload_id: str, options: WriteOptions) -> Upload:
        raise Unsupported("libcloud exposes no upload in parts", provider=self._provider)

    def list_uploads(
        self, bucket: str, prefix: str, page_size: int, token: str | None
    ) -> Page[tuple[str, str]]:
        return Page(())  # no uploads in parts are ever opened through libcloud

    def copy_blob(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str) -> BlobInfo:
        raise Unsupported("libcloud storage drivers have no server-side copy", provider=self._provider)

    def delete_blob(self, bucket: str, key: str, if_match: str | None) -> None:
        if if_match is not None:
            raise Unsupported("libcloud has no conditional delete", provider=self._provider)
        self.storage.delete_object(self.storage.get_object(bucket, key))
