"""Blobs on Azure Blob Storage: the :class:`cloudneutral.driver.BlobDriver` of the Azure adapter.

Buckets are containers; blobs are block blobs. Only translation happens here; the portable
layer validates, splits parts, retries and verifies.

* **Writes in parts** are staged blocks (:class:`AzureUpload`): the block id of part ``n``
  is the upload id followed by ``n`` (so another process resumes an upload by listing the
  blob's uncommitted blocks), each Put Block carries the part's ``Content-MD5`` for the
  service to check, and ``commit`` is one Put Block List with the final metadata and
  content type. Until then the blob at the key is the previous one. Azure has no call
  that drops uncommitted blocks of a blob (they are discarded by the blob's next commit or
  put, and expire after seven days), so ``abort`` stages a one-byte *tombstone* block
  (part number 99999, beyond Azure's 50,000 blocks): resuming an aborted upload raises
  ``NotFound``, and its blocks stay invisible.
* **Checksums**: ``md5`` is the blob's ``Content-MD5`` property, which the service computes
  on Put Blob (a whole blob sent at once, checked against the ``Content-MD5`` sent); a blob
  committed from blocks has none.
* **Metadata**: Azure metadata names must be C# identifiers. Portable keys (lower-case
  letters and digits) are kept as they are; the core's reserved ``cn-*`` keys
  (``cn-sha256``) are stored as ``cn_*`` (``cn_sha256``) and read back as ``cn-*``.
* **Copies** within the account use Copy Blob; a copy the service reports ``pending`` is
  polled (``copy_poll_interval`` seconds apart) until it ends.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from azure.core import MatchConditions
from azure.storage.blob import BlobBlock, BlobClient, BlobProperties, BlobServiceClient, ContentSettings
from azure.storage.blob import BlobPrefix as AzurePrefix

from cloudneutral.driver import PartLimits, PartReceipt, WriteOptions
from cloudneutral.errors import Conflict, InvalidArgument, NotFound, ProviderError
from cloudneutral.models import BlobInfo, BlobPrefix, Bucket, Page

__all__ = [
    "MAX_BLOCKS",
    "MAX_BLOCK_SIZE",
    "AzureBlobDriver",
    "AzureUpload",
    "metadata_from_azure",
    "metadata_to_azure",
    "upload_ids",
]

PROVIDER = "azure"
MiB = 1024 * 1024
#: Put Block takes at most 4000 MiB; a block blob has at most 50,000 committed blocks.
MAX_BLOCK_SIZE = 4000 * MiB
MAX_BLOCKS = 50_000
_ID_LENGTH = 32  # an upload id: 32 hex digits
_NUMBER_DIGITS = 5  # part numbers 1..50000 in the block id
_TOMBSTONE = 10**_NUMBER_DIGITS - 1  # the block that marks an upload aborted


def _random_ids() -> Iterator[str]:
    while True:
        yield uuid.uuid4().hex


#: Where a connection's upload ids come from: a factory of an iterator of 32-hex-digit
#: strings (random in production; the conformance harness installs a deterministic one so
#: that recorded block ids replay).
upload_ids: Callable[[], Iterator[str]] = _random_ids


def metadata_to_azure(metadata: Mapping[str, str]) -> dict[str, str]:
    """Portable metadata as Azure stores it (``cn-sha256`` -> ``cn_sha256``)."""
    return {(k.replace("-", "_") if k.startswith("cn-") else k): v for k, v in metadata.items()}


def metadata_from_azure(metadata: Mapping[str, str] | None) -> dict[str, str]:
    """Azure metadata as portable metadata: keys lower case, ``cn_*`` back to ``cn-*``."""
    out: dict[str, str] = {}
    for key, value in (metadata or {}).items():
        key = key.lower()
        out[key.replace("_", "-") if key.startswith("cn_") else key] = value
    return out


def _etag(raw: str | None) -> str | None:
    return raw.strip('"') if raw else None


def _quoted(etag: str) -> str:
    return etag if etag.startswith('"') else f'"{etag}"'


def _md5_hex(raw: bytes | bytearray | None) -> str | None:
    return bytes(raw).hex() if raw else None


def _info(bucket: str, key: str, props: BlobProperties, size: int | None = None) -> BlobInfo:
    settings = props.content_settings
    md5 = _md5_hex(settings.content_md5 if settings is not None else None)
    return BlobInfo(
        bucket=bucket,
        key=key,
        size=props.size if size is None else size,
        etag=_etag(props.etag),
        content_type=settings.content_type if settings is not None else None,
        metadata=metadata_from_azure(props.metadata),
        modified=props.last_modified,
        checksums={"md5": md5} if md5 else {},
        provider=PROVIDER,
        native=props,
    )


def _whole_size(props: BlobProperties) -> int:
    """The blob's size from a ranged answer's ``Content-Range: bytes a-b/TOTAL``."""
    content_range = getattr(props, "content_range", None) or ""
    total = content_range.rpartition("/")[2]
    return int(total) if total.isdigit() else int(props.size)


def _key(item: BlobInfo | BlobPrefix) -> bytes:
    return (item.key if isinstance(item, BlobInfo) else item.prefix).encode()


class _Stream:
    """The chunks of a download (the SDK fetches them range by range)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks: Iterator[bytes] | None = chunks

    def __iter__(self) -> _Stream:
        return self

    def __next__(self) -> bytes:
        if self._chunks is None:
            raise StopIteration
        return next(self._chunks)

    def close(self) -> None:
        self._chunks = None


class AzureUpload:
    """A blob written as staged blocks; nothing is visible until :meth:`commit`."""

    def __init__(self, driver: AzureBlobDriver, bucket: str, key: str, upload_id: str, options: WriteOptions):
        self.id = upload_id
        self.limits = driver.limits
        self._blob = driver.blob_client(bucket, key)
        self._bucket, self._key = bucket, key
        self._options = options
        self._lock = threading.Lock()
        self._sizes: dict[int, int] = {}

    def block_id(self, number: int) -> str:
        """The (unencoded) block id of part ``number``: the upload id, then the number."""
        return f"{self.id}{number:0{_NUMBER_DIGITS}d}"

    def put_part(self, number: int, data: bytes, md5: str) -> PartReceipt:
        response = self._blob.stage_block(
            self.block_id(number), data, length=len(data), transactional_content_md5=bytes.fromhex(md5)
        )
        with self._lock:
            self._sizes[number] = len(data)
        # Azure answers the MD5 it computed; Azurite answers none but checked the one sent.
        return PartReceipt(number, len(data), _md5_hex(response.get("content_md5")) or md5)

    def parts(self) -> Sequence[PartReceipt]:
        """The staged parts; ``NotFound`` when the upload was aborted."""
        _, uncommitted = self._blob.get_block_list("uncommitted")
        receipts: list[PartReceipt] = []
        for block in uncommitted:
            block_id = str(block.id)
            if len(block_id) == _ID_LENGTH + _NUMBER_DIGITS and block_id.startswith(self.id):
                number = int(block_id[_ID_LENGTH:])
                if number == _TOMBSTONE:
                    raise NotFound(f"upload {self.id} of {self._bucket}/{self._key} was aborted")
                receipts.append(PartReceipt(number, int(block.size or 0), None))
        with self._lock:
            self._sizes.update({r.number: r.size for r in receipts})
        return sorted(receipts, key=lambda r: r.number)

    def commit(self, metadata: Mapping[str, str]) -> BlobInfo:
        with self._lock:
            numbers = sorted(self._sizes)
        response = self._blob.commit_block_list(
            [BlobBlock(block_id=self.block_id(n)) for n in numbers],
            content_settings=ContentSettings(content_type=self._options.content_type),
            metadata=metadata_to_azure(metadata),
        )
        props = self._blob.get_blob_properties(
            etag=str(response["etag"]), match_condition=MatchConditions.IfNotModified
        )
        return _info(self._bucket, self._key, props)

    def abort(self) -> None:
        """Stage the tombstone block (see the module docstring): the upload's blocks stay
        invisible until the key's next commit discards them or they expire, and the upload
        can no longer be resumed. Idempotent."""
        self._blob.stage_block(self.block_id(_TOMBSTONE), b"\0", length=1)


class AzureBlobDriver:
    """Containers and block blobs of one storage account."""

    def __init__(self, service: Callable[[], BlobServiceClient], copy_poll_interval: float = 1.0) -> None:
        self._service = service
        self._copy_poll_interval = copy_poll_interval
        self._ids = upload_ids()
        self._ids_lock = threading.Lock()
        self.limits = PartLimits(min_part_size=1, max_part_size=MAX_BLOCK_SIZE, max_parts=MAX_BLOCKS)

    @property
    def service(self) -> BlobServiceClient:
        return self._service()

    def natives(self) -> Sequence[object]:
        return (self.service,)

    # -- containers ---------------------------------------------------------------------
    def list_buckets(self, page_size: int, token: str | None) -> Page[Bucket]:
        pages: Any = self.service.list_containers(results_per_page=min(page_size, 5000)).by_page(token)
        buckets = tuple(
            Bucket(name=c.name, created=c.last_modified, provider=PROVIDER, native=c) for c in next(pages)
        )
        return Page(buckets, pages.continuation_token or None)

    def create_bucket(self, name: str) -> Bucket:
        container = self.service.create_container(name)
        return Bucket(name=name, provider=PROVIDER, native=container)

    def head_bucket(self, name: str) -> Bucket:
        props = self.service.get_container_client(name).get_container_properties()
        return Bucket(name=name, created=props.last_modified, provider=PROVIDER, native=props)

    def delete_bucket(self, name: str) -> None:
        # Azure deletes a container with its blobs; the contract wants Conflict: look first.
        container = self.service.get_container_client(name)
        if next(iter(next(container.list_blobs(results_per_page=1).by_page())), None) is not None:
            raise Conflict(f"container {name!r} is not empty")
        container.delete_container()

    # -- listing ------------------------------------------------------------------------
    def list_blobs(
        self, bucket: str, prefix: str, delimiter: str | None, page_size: int, token: str | None
    ) -> Page[BlobInfo | BlobPrefix]:
        container = self.service.get_container_client(bucket)
        size = min(page_size, 5000)
        if delimiter is None:
            pager: Any = container.list_blobs(name_starts_with=prefix or None, results_per_page=size)
        else:
            pager = container.walk_blobs(
                name_starts_with=prefix or None, delimiter=delimiter, results_per_page=size
            )
        pages = pager.by_page(token)
        items: list[BlobInfo | BlobPrefix] = []
        for item in next(pages):
            if isinstance(item, AzurePrefix):
                items.append(BlobPrefix(bucket, item.name))
            else:
                items.append(_info(bucket, item.name, item))
        items.sort(key=_key)  # the SDK hands prefixes and blobs back in two runs
        return Page(tuple(items), pages.continuation_token or None)

    def list_uploads(
        self, bucket: str, prefix: str, page_size: int, token: str | None
    ) -> Page[tuple[str, str]]:
        """None, always: Azure has no call that drops a blob's uncommitted blocks (an
        :meth:`AzureUpload.abort` only marks them aborted), so an unfinished upload needs no
        cleaning up; its blocks stay invisible, the key's next commit discards them, and
        they expire after seven days. The container must exist (``NotFound``)."""
        self.service.get_container_client(bucket).get_container_properties()
        return Page(())

    # -- reading ------------------------------------------------------------------------
    def head_blob(self, bucket: str, key: str) -> BlobInfo:
        return _info(bucket, key, self.blob_client(bucket, key).get_blob_properties())

    def part_sizes(self, bucket: str, key: str, info: BlobInfo) -> Sequence[int] | None:
        return None  # Azure keeps no checksum of a blob's blocks

    def read_blob(self, bucket: str, key: str, offset: int, length: int | None) -> tuple[BlobInfo, _Stream]:
        blob = self.blob_client(bucket, key)
        if offset == 0 and length is None:
            downloader = blob.download_blob()
            info = _info(bucket, key, downloader.properties)
        else:
            downloader = blob.download_blob(offset=offset, length=length)
            info = _info(bucket, key, downloader.properties, _whole_size(downloader.properties))
            if offset >= info.size:  # Azure answers 416; Azurite an empty 206 when offset == size
                raise InvalidArgument(f"range start {offset} is at or past the end of {bucket}/{key}")
        return info, _Stream(iter(downloader.chunks()))

    # -- writing ------------------------------------------------------------------------
    def put_blob(self, bucket: str, key: str, data: bytes, options: WriteOptions, md5: str) -> BlobInfo:
        response = self.blob_client(bucket, key).upload_blob(
            data,
            length=len(data),
            overwrite=True,
            content_settings=ContentSettings(content_type=options.content_type),
            metadata=metadata_to_azure(options.metadata),
            transactional_content_md5=bytes.fromhex(md5),
        )
        stored = _md5_hex(response.get("content_md5")) or md5  # the service checked the one sent
        return BlobInfo(
            bucket=bucket,
            key=key,
            size=len(data),
            etag=_etag(response.get("etag")),
            content_type=options.content_type,
            metadata=options.metadata,
            modified=response.get("last_modified"),
            checksums={"md5": stored},
            provider=PROVIDER,
            native=response,
        )

    def blob_client(self, bucket: str, key: str) -> BlobClient:
        """The SDK's client of one blob. Azure stores a ``\\`` in a blob name as ``/``, so
        ``a\\b`` would silently become (and overwrite) ``a/b``: such keys are refused
        (``InvalidArgument``) rather than aliased."""
        if "\\" in key:
            raise InvalidArgument(
                f"azure: blob names cannot hold a backslash (Azure stores it as '/'): {key!r}"
            )
        return self.service.get_blob_client(bucket, key)

    def _new_id(self) -> str:
        with self._ids_lock:
            return next(self._ids)

    def open_upload(self, bucket: str, key: str, options: WriteOptions) -> AzureUpload:
        self.service.get_container_client(bucket).get_container_properties()  # missing -> NotFound
        return AzureUpload(self, bucket, key, self._new_id(), options)

    def resume_upload(self, bucket: str, key: str, upload_id: str, options: WriteOptions) -> AzureUpload:
        upload = AzureUpload(self, bucket, key, upload_id, options)
        upload.parts()  # a blob with no block at all -> BlobNotFound -> NotFound
        return upload

    def copy_blob(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str) -> BlobInfo:
        source = self.blob_client(src_bucket, src_key)
        target = self.blob_client(dst_bucket, dst_key)
        status = target.start_copy_from_url(source.url).get("copy_status")
        while status == "pending":
            time.sleep(self._copy_poll_interval)
            copy = target.get_blob_properties().copy
            status, description = copy.status, copy.status_description
            if status not in ("pending", "success"):
                raise ProviderError(f"copy of {src_bucket}/{src_key} {status}: {description}")
        return self.head_blob(dst_bucket, dst_key)

    def delete_blob(self, bucket: str, key: str, if_match: str | None) -> None:
        blob = self.blob_client(bucket, key)
        if if_match is None:
            blob.delete_blob(delete_snapshots="include")
        else:
            blob.delete_blob(
                delete_snapshots="include",
                etag=_quoted(if_match),
                match_condition=MatchConditions.IfNotModified,
            )
