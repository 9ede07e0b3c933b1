"""The driver interface: the small set of methods an adapter implements.

A driver only *translates*: portable arguments into SDK calls, SDK answers into the model
of :mod:`cloudneutral.models`. Everything two drivers would both need (validation, paging
loops, waiting, retries, streaming, splitting into parts, checksums, verification) lives in
the portable layer (:mod:`cloudneutral.blobs`, :mod:`cloudneutral.servers`,
:mod:`cloudneutral.volumes`), which calls these methods with arguments it has already
validated, through :class:`cloudneutral._runtime.Runtime` (the one place driver calls are
made, translated and retried).

Error contract, for every method: a driver either raises a :mod:`cloudneutral.errors`
class itself, or lets its SDK's exception escape; the portable layer passes the latter
through :meth:`ProviderDriver.translate_error` exactly once and raises the result ``from``
the native exception. The per-method notes below name the portable error each failure
must end up as, whichever way the driver chooses.

Lists: every method that lists returns one :class:`~cloudneutral.models.Page` of at most
``page_size`` items starting after ``token`` (``None`` for the first page); the portable
layer loops. Tokens are opaque to the core and must stay valid when items are added or
removed between pages (resume *after* an item, never at a numeric offset).

Writes: :meth:`BlobDriver.put_blob` writes a blob in one request;
:meth:`BlobDriver.open_upload` returns an :class:`Upload`, an object that takes parts and
makes them the blob on :meth:`Upload.commit` (S3 multipart, Azure staged blocks, Swift
segments and a manifest, local part files). Until ``commit`` returns, the blob at the key
is the one that was there before; after ``abort`` (or a failed ``commit``) it still is.

An adapter registers a :class:`~cloudneutral.registry.Opener` under the entry-point group
``cloudneutral.providers``; see :mod:`cloudneutral.registry`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, TypeVar, runtime_checkable

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
    "BlobStream",
    "PartLimits",
    "PartReceipt",
    "ProviderDriver",
    "ServerDriver",
    "ServerRequest",
    "Upload",
    "VolumeDriver",
    "VolumeRequest",
    "WriteOptions",
]

T = TypeVar("T")
GiB = 1024**3


@attrs.frozen
class WriteOptions:
    """How a blob is written. ``metadata`` keys are already lower case and validated;
    ``content_type`` is always set (the portable default is ``application/octet-stream``)."""

    content_type: str
    metadata: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class PartLimits:
    """What a provider accepts of a write in parts (an :class:`Upload`).

    Every part but the last must be at least ``min_part_size`` bytes; no part more than
    ``max_part_size``; at most ``max_parts`` parts, numbered from 1.
    """

    min_part_size: int = 1
    max_part_size: int = 5 * GiB
    max_parts: int = 10_000


@attrs.frozen
class PartReceipt:
    """What the provider confirmed of one stored part.

    ``md5`` is the lower-case hex MD5 of the part *as stored*, as the provider reported it
    (S3's part ETag, a Swift segment's ETag) or as it verified it against the ``md5`` the
    driver sent (a Content-MD5 check); ``None`` when the provider can vouch for neither.
    """

    number: int
    size: int
    md5: str | None


class Upload(Protocol):
    """A blob being written in parts; nothing is visible at the key until :meth:`commit`.

    ``put_part`` may be called from several threads at once for different numbers. An
    upload that is neither committed nor aborted is an orphan the provider (or
    ``BlobDriver.abort_upload``) reclaims; ``id`` names it, so a later process can resume
    it with :meth:`BlobDriver.resume_upload`.
    """

    @property
    def id(self) -> str:
        """An opaque name of this upload, stable across processes (e.g. S3's UploadId)."""

    @property
    def limits(self) -> PartLimits:
        """What the provider accepts of this upload's parts."""

    def put_part(self, number: int, data: bytes, md5: str) -> PartReceipt:
        """Store part ``number`` (1 to ``limits.max_parts``), replacing a part of that number.

        ``md5`` is the hex MD5 of ``data``, computed by the portable layer from these very
        bytes: send it for the provider to check (Content-MD5) where its API allows (an
        in-process store records it). A part the provider finds damaged -> ``IntegrityError``.
        Idempotent: the portable layer retries transient failures.
        """

    def parts(self) -> Sequence[PartReceipt]:
        """The parts stored so far, by number (what a resumed upload need not send again)."""

    def commit(self, metadata: Mapping[str, str]) -> BlobInfo:
        """Make parts ``1..n``, in order, the blob at the key, atomically replacing any blob
        there; return what was stored (size, etag, content type and the final metadata).

        ``metadata`` is the blob's final user metadata: what the upload was opened with,
        plus keys known only at the end (such as ``cn-sha256``). Missing or non-contiguous
        parts -> ``InvalidArgument``. May be retried after a transient failure: a commit
        that already took effect returns the committed blob.
        """

    def abort(self) -> None:
        """Discard the upload and its parts; the previous blob stays. Idempotent."""


class BlobStream(Protocol):
    """The bytes of a blob being read: an iterator of chunks that can be closed early."""

    def __iter__(self) -> BlobStream: ...

    def __next__(self) -> bytes: ...

    def close(self) -> None:
        """Release the connection. Idempotent."""


@attrs.frozen
class ServerRequest:
    """A server to create, with size and image already resolved by the portable layer."""

    name: str
    size: Size
    image: Image
    zone: str | None = None
    tags: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class VolumeRequest:
    """A volume to create (from ``snapshot_id`` when given), already validated."""

    name: str
    size_gib: int
    zone: str | None = None
    snapshot_id: str | None = None
    tags: Mapping[str, str] = attrs.field(factory=dict)


class BlobDriver(Protocol):
    """Buckets and blobs. Keys and bucket names arrive validated; keys are full keys."""

    def natives(self) -> Sequence[object]:
        """The SDK objects behind blobs (e.g. the S3 client), for ``as_native``."""

    def list_buckets(self, page_size: int, token: str | None) -> Page[Bucket]:
        """One page of the buckets the credentials can see."""

    def create_bucket(self, name: str) -> Bucket:
        """Create a bucket. Taken name -> ``AlreadyExists``."""

    def head_bucket(self, name: str) -> Bucket:
        """Missing -> ``NotFound``."""

    def delete_bucket(self, name: str) -> None:
        """Missing -> ``NotFound``; holds blobs -> ``Conflict``."""

    def list_blobs(
        self, bucket: str, prefix: str, delimiter: str | None, page_size: int, token: str | None
    ) -> Page[BlobInfo | BlobPrefix]:
        """One page of items in key order (UTF-8 bytes) under ``prefix``.

        With a ``delimiter`` (any non-empty string), keys sharing ``prefix`` + segment +
        delimiter collapse into one :class:`BlobPrefix`. Missing bucket -> ``NotFound``.
        ``BlobInfo.metadata`` may be empty in listings (providers rarely return it there).
        """

    def head_blob(self, bucket: str, key: str) -> BlobInfo:
        """Missing bucket or key -> ``NotFound``. ``checksums`` holds only digests the
        provider vouches for: ``md5`` where the ETag is the content's MD5, ``md5-parts``
        (``HEX-N``, the MD5 of the concatenated binary MD5s of N parts) where it is that."""

    def part_sizes(self, bucket: str, key: str, info: BlobInfo) -> Sequence[int] | None:
        """The sizes of the parts behind ``info.checksums["md5-parts"]``, so a read can be
        checked against it; ``None`` when the provider cannot tell."""

    def read_blob(
        self, bucket: str, key: str, offset: int, length: int | None
    ) -> tuple[BlobInfo, BlobStream]:
        """Open ``length`` bytes (all when ``None``) from ``offset`` (>= 0).

        ``offset == 0 and length is None`` is a plain read of the whole blob (no range
        request, so empty blobs read fine). For a range, ``offset`` at or past the end of a
        blob -> ``InvalidArgument``; a range running past the end is cut at the end.
        ``BlobInfo.size`` is the size of the whole blob, never of the range. Missing ->
        ``NotFound``.
        """

    def put_blob(self, bucket: str, key: str, data: bytes, options: WriteOptions, md5: str) -> BlobInfo:
        """Write a whole blob in one request, replacing any blob at ``key``.

        ``md5`` is the hex MD5 of ``data``: send it for the provider to check where its API
        allows; report in ``checksums["md5"]`` only an MD5 the provider computed or checked.
        Either the whole blob becomes visible or, on failure, the previous one stays.
        Missing bucket -> ``NotFound``; damaged in transit -> ``IntegrityError``.
        """

    def open_upload(self, bucket: str, key: str, options: WriteOptions) -> Upload:
        """Begin writing ``key`` in parts. Missing bucket -> ``NotFound``. Not retried."""

    def resume_upload(self, bucket: str, key: str, upload_id: str, options: WriteOptions) -> Upload:
        """The unfinished upload ``upload_id`` of ``key`` (opened by any process), to add
        parts to and commit. ``options`` are those it was opened with. Gone -> ``NotFound``."""

    def list_uploads(
        self, bucket: str, prefix: str, page_size: int, token: str | None
    ) -> Page[tuple[str, str]]:
        """One page of the unfinished uploads of keys under ``prefix``: ``(key, upload id)``
        pairs in key order (what a crashed writer may have left; ``resume_upload`` reaches
        each, to abort it). A provider whose unfinished uploads cost nothing and cannot be
        aborted (they expire by themselves) lists none. Missing bucket -> ``NotFound``."""

    def copy_blob(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str) -> BlobInfo:
        """Copy server-side, replacing the destination with the source's content, content
        type and metadata. Missing source -> ``NotFound``."""

    def delete_blob(self, bucket: str, key: str, if_match: str | None) -> None:
        """Delete a blob. Missing bucket or key -> ``NotFound``. With ``if_match`` (an
        ETag), delete only that version: another one -> ``Conflict``. Only called with
        ``if_match`` when the driver declares ``Capability.BLOB_IF_MATCH``."""


class ServerDriver(Protocol):
    """Servers, and the catalogues a portable spec is resolved against."""

    def natives(self) -> Sequence[object]:
        """The SDK objects behind servers (e.g. the EC2 client), for ``as_native``."""

    def list_sizes(self, page_size: int, token: str | None) -> Page[Size]:
        """One page of the sizes available to create servers with."""

    def list_images(self, os: str | None, page_size: int, token: str | None) -> Page[Image]:
        """One page of images, only those of the ``os`` family when it is given."""

    def get_image(self, image_id: str) -> Image:
        """Missing -> ``NotFound``."""

    def list_regions(self, page_size: int, token: str | None) -> Page[Region]:
        """One page of the regions (with their zones) the account can use."""

    def create_server(self, request: ServerRequest) -> Server:
        """Start creating a server; it may come back ``PENDING``. Quota -> ``QuotaExceeded``;
        unknown zone -> ``NotFound``. Not retried."""

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
        """Begin deleting a server; its volumes are detached. Missing -> ``NotFound``."""


class VolumeDriver(Protocol):
    """Block volumes and their snapshots."""

    def natives(self) -> Sequence[object]:
        """The SDK objects behind volumes, for ``as_native``."""

    def create_volume(self, request: VolumeRequest) -> Volume:
        """Start creating a volume. Missing snapshot or zone -> ``NotFound``. Not retried."""

    def get_volume(self, volume_id: str) -> Volume:
        """Missing -> ``NotFound``."""

    def list_volumes(self, page_size: int, token: str | None) -> Page[Volume]:
        """One page of volumes."""

    def delete_volume(self, volume_id: str) -> None:
        """Missing -> ``NotFound``; attached -> ``Conflict``."""

    def attach_volume(self, volume_id: str, server_id: str, device: str | None) -> None:
        """Begin attaching. Either missing -> ``NotFound``; in use -> ``Conflict``. Not retried."""

    def detach_volume(self, volume_id: str, server_id: str, device: str | None) -> None:
        """Begin detaching. Missing -> ``NotFound``; not attached -> ``Conflict``."""

    def create_snapshot(self, volume_id: str, name: str) -> Snapshot:
        """Start a snapshot of a volume. Missing volume -> ``NotFound``. Not retried."""

    def get_snapshot(self, snapshot_id: str) -> Snapshot:
        """Missing -> ``NotFound``."""

    def list_snapshots(self, page_size: int, token: str | None) -> Page[Snapshot]:
        """One page of the account's own snapshots (never other accounts' public ones)."""

    def delete_snapshot(self, snapshot_id: str) -> None:
        """Missing -> ``NotFound``."""


@runtime_checkable
class ProviderDriver(Protocol):
    """What an adapter's opener returns: one connection to one provider."""

    @property
    def name(self) -> str:
        """The URL scheme, e.g. ``"aws"``; stamped on every model object."""

    @property
    def capabilities(self) -> frozenset[Capability]:
        """What works. The portable layer refuses (``Unsupported``) what is not declared."""

    @property
    def blobs(self) -> BlobDriver | None:
        """Buckets and blobs, or ``None`` when the provider has no blob storage."""

    @property
    def servers(self) -> ServerDriver | None:
        """Servers, or ``None``."""

    @property
    def volumes(self) -> VolumeDriver | None:
        """Volumes and snapshots, or ``None``."""

    def natives(self) -> Sequence[object]:
        """The SDK objects behind the connection as a whole (a session, a connection
        object), for the ``as_native`` escape hatch."""

    def translate_error(self, exc: Exception) -> CloudError:
        """Map a native exception to the portable class that describes it.

        Called once per escaping exception; never raises. Throttling, 5xx answers and
        dropped connections map to ``TransientError``; anything unknown to
        ``ProviderError``. The message must not contain credentials.
        """

    def close(self) -> None:
        """Release connections. Idempotent."""
