"""cloudneutral: one typed API over AWS, Azure, OpenStack and a local provider.

    >>> import cloudneutral
    >>> cloud = cloudneutral.connect("local://")
    >>> _ = cloud.blobs.create_bucket("photos")
    >>> info = cloud.blobs.bucket("photos").put("hello.txt", b"hi")
    >>> cloud.blobs.bucket("photos").get("hello.txt")
    b'hi'

This module imports no vendor SDK: adapters load only when ``connect`` meets their scheme.
Only the error classes load with ``import cloudneutral``; every other name loads with its
module on first use (PEP 562), so importing the package costs a few milliseconds.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import errors
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

if TYPE_CHECKING:
    from ._runtime import Clock, FakeClock, RetryPolicy, SystemClock
    from .blobs import BlobReader, BlobService, BucketHandle, PartUpload
    from .cloud import Cloud, connect
    from .migration import apply_servers, migrate, plan, plan_servers, verify
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

#: Where each lazily loaded name lives.
_LAZY = {
    **dict.fromkeys(("Clock", "FakeClock", "RetryPolicy", "SystemClock"), "_runtime"),
    **dict.fromkeys(("BlobReader", "BlobService", "BucketHandle", "PartUpload"), "blobs"),
    **dict.fromkeys(("Cloud", "connect"), "cloud"),
    **dict.fromkeys(
        (
            "Attachment",
            "BlobInfo",
            "BlobPrefix",
            "Bucket",
            "Capability",
            "Image",
            "Page",
            "Region",
            "Server",
            "ServerState",
            "Size",
            "Snapshot",
            "SnapshotState",
            "Volume",
            "VolumeState",
        ),
        "models",
    ),
    **dict.fromkeys(("ConnectionURL", "Opener", "Option", "available_providers", "parse_url"), "registry"),
    "ServerService": "servers",
    **dict.fromkeys(("Cancel", "Copied", "Failed", "TransferResult", "copy_blob", "copy_many"), "transfer"),
    "VolumeService": "volumes",
    **dict.fromkeys(("apply_servers", "migrate", "plan", "plan_servers", "verify"), "migration"),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # loaded once
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


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
    "apply_servers",
    "available_providers",
    "connect",
    "copy_blob",
    "copy_many",
    "migrate",
    "plan",
    "plan_servers",
    "verify",
    "errors",
    "parse_url",
]
