"""The driver interface: the small set of methods an adapter implements.

A driver only *translates*: portable arguments into SDK calls, SDK answers into the model
of :mod:`cloudneutral.models`. Everything two drivers would both need (validation, paging
loops, waiting, retries, streaming, multipart splitting, checksums) lives in the portable
layer (:mod:`cloudneutral.blobs`, :mod:`cloudneutral.compute`, :mod:`cloudneutral.storage`),
which calls these methods with arguments it has already validated.

Error contract, for every method: a driver either raises a :mod:`cloudneutral.errors`
class itself, or lets its SDK's exception escape; the portable layer passes the latter
through :meth:`ProviderDriver.translate_error` exactly once and raises the result ``from``
the native exception. The per-method notes below name the portable error each failure
must end up as, whichever way the driver chooses.

An adapter registers a callable ``open(url: ConnectionURL) -> ProviderDriver`` under the
entry-point group ``cloudneutral.providers``; see :mod:`cloudneutral.registry`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Protocol, runtime_checkable

import attrs

from .errors import CloudError
from .models import (
    BlobInfo,
    BlobPrefix,
    Bucket,
    Capability,
    Image,
    Page,
    Region,
    Server,
    Size,
    Snapshot,
    Volume,
)

__all__ = [
    "BlobDriver",
    "ComputeDriver",
    "ProviderDriver",
    "ServerRequest",
    "UploadedPart",
    "VolumeDriver",
    "WriteOptions",
]


@attrs.frozen
class WriteOptions:
    """How a blob is written. ``metadata`` keys are already lower case and validated;
    ``content_type`` is always set (the portable default is ``application/octet-stream``)."""

    content_type: str
    metadata: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class UploadedPart:
    """One part of a multipart upload, as the driver reported it."""

    number: int
    etag: str
    size: int


@attrs.frozen
class ServerRequest:
    """A server to create, with size and image already resolved by the portable layer."""

    name: str
    size: Size
    image: Image
    zone: str | None = None
    tags: Mapping[str, str] = attrs.field(factory=dict)


class BlobDriver(Protocol):
    """Buckets and blobs. Keys and bucket names arrive validated; keys are full keys."""

    #: The smallest size of a non-final multipart part the service accepts, in bytes.
    min_part_size: int
    #: The largest number of parts one multipart upload may have.
    max_parts: int

    def list_buckets(self) -> Iterable[Bucket]:
        """Every bucket the credentials can see."""

    def create_bucket(self, name: str) -> Bucket:
        """Create a bucket. Taken name -> ``AlreadyExists``."""

    def head_bucket(self, name: str) -> Bucket:
        """Missing -> ``NotFound``."""

    def delete_bucket(self, name: str) -> None:
        """Missing -> ``NotFound``; holds blobs -> ``Conflict``."""

    def list_blobs(
        self, bucket: str, prefix: str, delimiter: str | None, page_size: int, token: str | None
    ) -> Page[BlobInfo | BlobPrefix]:
        """One page of at most ``page_size`` items in key order, starting after ``token``.

        With a delimiter, keys sharing ``prefix`` + segment + delimiter collapse into one
        :class:`BlobPrefix`. Missing bucket -> ``NotFound``. ``BlobInfo.metadata`` may be
        empty in listings (providers rarely return it there).
        """

    def head_blob(self, bucket: str, key: str) -> BlobInfo:
        """Missing bucket or key -> ``NotFound``."""

    def read_blob(
        self, bucket: str, key: str, offset: int, length: int | None
    ) -> tuple[BlobInfo, Iterator[bytes]]:
        """Open ``length`` bytes (all when ``None``) from ``offset`` (>= 0).

        ``offset == 0 and length is None`` is a plain read of the whole blob (no range
        request, so empty blobs read fine). For a range, ``offset`` at or past the end of a
        blob -> ``InvalidArgument``; a range running past the end is cut at the end. The
        returned iterator releases its connection when exhausted or closed. Missing ->
        ``NotFound``.
        """

    def put_blob(self, bucket: str, key: str, data: bytes, options: WriteOptions) -> BlobInfo:
        """Write a whole blob in one request, replacing any blob at ``key``.

        Either the whole blob becomes visible or, on failure, the previous one stays.
        Missing bucket -> ``NotFound``.
        """

    def start_upload(self, bucket: str, key: str, options: WriteOptions) -> str:
        """Begin a multipart upload and return its id. Missing bucket -> ``NotFound``."""

    def upload_part(self, bucket: str, key: str, upload_id: str, number: int, data: bytes) -> UploadedPart:
        """Upload part ``number`` (from 1). Nothing is visible until completion."""

    def complete_upload(
        self, bucket: str, key: str, upload_id: str, parts: Sequence[UploadedPart]
    ) -> BlobInfo:
        """Make the uploaded parts, in order, the blob at ``key`` atomically."""

    def abort_upload(self, bucket: str, key: str, upload_id: str) -> None:
        """Discard an unfinished upload and its parts. Unknown upload -> ``NotFound``."""

    def copy_blob(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str) -> BlobInfo:
        """Copy server-side, content type and metadata included. Missing source -> ``NotFound``."""

    def delete_blob(self, bucket: str, key: str) -> None:
        """Delete a blob. Missing bucket or key -> ``NotFound``."""


class ComputeDriver(Protocol):
    """Servers, and the catalogues a portable spec is resolved against."""

    def list_sizes(self) -> Sequence[Size]:
        """Every size available to create servers with."""

    def list_images(self, os: str | None) -> Sequence[Image]:
        """Images, only those of the ``os`` family when it is given."""

    def get_image(self, image_id: str) -> Image:
        """Missing -> ``NotFound``."""

    def list_regions(self) -> Sequence[Region]:
        """The regions (with their zones) the account can use."""

    def create_server(self, request: ServerRequest) -> Server:
        """Start creating a server; it may come back ``PENDING``. Quota -> ``QuotaExceeded``."""

    def get_server(self, server_id: str) -> Server:
        """Missing -> ``NotFound``. A deleted server may be returned as ``TERMINATED`` while
        the provider still reports it."""

    def list_servers(self, page_size: int, token: str | None) -> Page[Server]:
        """One page of servers, terminated ones included where the provider lists them."""

    def start_server(self, server_id: str) -> None:
        """Start a stopped server. Missing -> ``NotFound``; wrong state -> ``Conflict``."""

    def stop_server(self, server_id: str) -> None:
        """Stop a running server. Missing -> ``NotFound``; wrong state -> ``Conflict``."""

    def reboot_server(self, server_id: str) -> None:
        """Reboot a running server. Missing -> ``NotFound``; wrong state -> ``Conflict``."""

    def delete_server(self, server_id: str) -> None:
        """Begin deleting a server. Missing -> ``NotFound``."""


class VolumeDriver(Protocol):
    """Block volumes and their snapshots."""

    def create_volume(
        self,
        name: str,
        size_gib: int,
        zone: str | None,
        snapshot_id: str | None,
        tags: Mapping[str, str],
    ) -> Volume:
        """Start creating a volume (from a snapshot when ``snapshot_id`` is given).
        Missing snapshot -> ``NotFound``."""

    def get_volume(self, volume_id: str) -> Volume:
        """Missing -> ``NotFound``."""

    def list_volumes(self, page_size: int, token: str | None) -> Page[Volume]:
        """One page of volumes."""

    def delete_volume(self, volume_id: str) -> None:
        """Missing -> ``NotFound``; attached -> ``Conflict``."""

    def attach_volume(self, volume_id: str, server_id: str, device: str | None) -> None:
        """Begin attaching. Either missing -> ``NotFound``; in use -> ``Conflict``."""

    def detach_volume(self, volume_id: str, server_id: str, device: str | None) -> None:
        """Begin detaching. Missing -> ``NotFound``; not attached -> ``Conflict``."""

    def create_snapshot(self, volume_id: str, name: str) -> Snapshot:
        """Start a snapshot of a volume. Missing volume -> ``NotFound``."""

    def get_snapshot(self, snapshot_id: str) -> Snapshot:
        """Missing -> ``NotFound``."""

    def list_snapshots(self, page_size: int, token: str | None) -> Page[Snapshot]:
        """One page of the account's own snapshots."""

    def delete_snapshot(self, snapshot_id: str) -> None:
        """Missing -> ``NotFound``."""


@runtime_checkable
class ProviderDriver(Protocol):
    """What an adapter's ``open(url)`` returns: one connection to one provider."""

    #: The URL scheme, e.g. ``"aws"``; stamped on every model object.
    name: str
    capabilities: frozenset[Capability]
    blobs: BlobDriver | None
    compute: ComputeDriver | None
    volumes: VolumeDriver | None

    def translate_error(self, exc: Exception) -> CloudError:
        """Map a native exception to the portable class that describes it.

        Called once per escaping exception; never raises. Throttling, 5xx answers and
        dropped connections map to ``TransientError``; anything unknown to
        ``ProviderError``. The message must not contain credentials.
        """

    def close(self) -> None:
        """Release connections. Idempotent."""
