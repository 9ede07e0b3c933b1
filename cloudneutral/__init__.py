"""cloudneutral: one typed API over AWS, Azure, OpenStack and a local provider.

    >>> import cloudneutral
    >>> cloud = cloudneutral.connect("local://")
    >>> _ = cloud.blobs.create_bucket("photos")
    >>> info = cloud.blobs.bucket("photos").put("hello.txt", b"hi")
    >>> cloud.blobs.bucket("photos").get("hello.txt")
    b'hi'

This module imports no vendor SDK: adapters load only when ``connect`` meets their scheme.
"""

from __future__ import annotations

from . import errors
from ._runtime import Clock, FakeClock, RetryPolicy, SystemClock
from .blobs import BlobReader, BlobService, BucketHandle, PartUpload
from .cloud import Cloud, connect
from .errors import (
    AlreadyExists,
    AuthenticationError,
    CloudError,
    ConfigurationError,
    Conflict,
    IntegrityError,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ProviderError,
    QuotaExceeded,
    Timeout,
    TransientError,
    Unsupported,
)
from .models import (
    Attachment,
    BlobInfo,
    BlobPrefix,
    Bucket,
    Capability,
    Image,
    Page,
    Region,
    Server,
    ServerState,
    Size,
    Snapshot,
    SnapshotState,
    Volume,
    VolumeState,
)
from .registry import ConnectionURL, Opener, Option, available_providers, parse_url
from .servers import ServerService
from .transfer import Cancel, Copied, Failed, TransferResult, copy_blob, copy_many
from .volumes import VolumeService

__version__ = "0.1.0"

__all__ = [
    "AlreadyExists",
    "Attachment",
    "AuthenticationError",
    "BlobInfo",
    "BlobPrefix",
    "BlobReader",
    "BlobService",
    "Bucket",
    "BucketHandle",
    "Cancel",
    "Capability",
    "Clock",
    "Cloud",
    "CloudError",
    "ConfigurationError",
    "Conflict",
    "ConnectionURL",
    "Copied",
    "Failed",
    "FakeClock",
    "Image",
    "IntegrityError",
    "InvalidArgument",
    "NotFound",
    "Opener",
    "Option",
    "Page",
    "PartUpload",
    "PermissionDenied",
    "ProviderError",
    "QuotaExceeded",
    "Region",
    "RetryPolicy",
    "Server",
    "ServerService",
    "ServerState",
    "Size",
    "Snapshot",
    "SnapshotState",
    "SystemClock",
    "Timeout",
    "TransferResult",
    "TransientError",
    "Unsupported",
    "Volume",
    "VolumeService",
    "VolumeState",
    "__version__",
    "available_providers",
    "connect",
    "copy_blob",
    "copy_many",
    "errors",
    "parse_url",
]
