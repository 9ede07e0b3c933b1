"""The typed core model: immutable attrs classes shared by every provider.

Every object names the ``provider`` it came from and keeps the provider's own object in
``native`` (excluded from equality and repr). :meth:`Native.as_native` is the read-only
escape hatch; the portable API never requires it.
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

import attrs

__all__ = [
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
]

T = TypeVar("T")


def _frozen_mapping(value: Mapping[str, str] | None) -> Mapping[str, str]:
    if isinstance(value, _FrozenDict):  # already frozen (attrs.evolve re-runs converters)
        return value
    return _FrozenDict(value) if value else _EMPTY


class _FrozenDict(dict[str, str]):
    """A dict that refuses mutation, so frozen models stay frozen all the way down."""

    def _refuse(self, *args: object, **kwargs: object) -> Any:
        raise TypeError("cloudneutral model mappings are read-only")

    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _refuse

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))


#: The one empty mapping every model without metadata, tags or checksums shares.
_EMPTY = _FrozenDict()


class ServerState(str, enum.Enum):
    """A server's life-cycle state, normalised across providers."""

    PENDING = "pending"
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"
    REBOOTING = "rebooting"
    TERMINATED = "terminated"
    ERROR = "error"
    UNKNOWN = "unknown"


class VolumeState(str, enum.Enum):
    """A volume's life-cycle state, normalised across providers."""

    CREATING = "creating"
    AVAILABLE = "available"
    IN_USE = "in-use"
    DELETING = "deleting"
    DELETED = "deleted"
    ERROR = "error"
    UNKNOWN = "unknown"


class SnapshotState(str, enum.Enum):
    """A snapshot's life-cycle state, normalised across providers."""

    PENDING = "pending"
    AVAILABLE = "available"
    DELETING = "deleting"
    ERROR = "error"
    UNKNOWN = "unknown"


class Capability(str, enum.Enum):
    """What an adapter can do; the conformance suite skips tests for missing ones."""

    BLOBS = "blobs"
    BLOB_RANGE = "blobs.range"
    BLOB_COPY = "blobs.copy"
    BLOB_METADATA = "blobs.metadata"
    BLOB_CONTENT_TYPE = "blobs.content-type"
    BLOB_MULTIPART = "blobs.multipart"
    BLOB_IF_MATCH = "blobs.if-match"
    SERVERS = "servers"
    SERVER_REBOOT = "servers.reboot"
    SERVER_STOP_START = "servers.stop-start"
    #: Regions name their zones, and a server is placed in the zone asked for.
    SERVER_ZONES = "servers.zones"
    VOLUMES = "volumes"
    VOLUME_ATTACH = "volumes.attach"
    SNAPSHOTS = "volumes.snapshots"


class Native:
    """Mixin: the read-only escape hatch to the provider's own object."""

    native: object

    def as_native(self, kind: type[T]) -> T:
        """Return the provider's object if it is a ``kind``; raise ``TypeError`` otherwise."""
        if isinstance(self.native, kind):
            return self.native
        raise TypeError(f"native object is {type(self.native).__name__}, not {kind.__name__}")


def _native() -> Any:
    return attrs.field(default=None, eq=False, repr=False, kw_only=True)


def _provider() -> Any:
    return attrs.field(default="", kw_only=True)


@attrs.frozen
class Size(Native):
    """A machine size (instance type / flavor). ``memory_mib`` in MiB, ``disk_gib`` in GiB;
    ``arch`` the CPU architecture (``x86_64``, ``arm64``) where the provider says."""

    name: str
    vcpus: int
    memory_mib: int
    disk_gib: int | None = None
    arch: str | None = None
    provider: str = _provider()
    native: object = _native()


@attrs.frozen
class Image(Native):
    """A bootable image. ``os`` is a lower-case family name (``ubuntu``, ``debian``, ``windows`` ...);
    ``arch`` the CPU architecture it boots on (``x86_64``, ``arm64``) where known."""

    id: str
    name: str
    os: str | None = None
    arch: str | None = None
    provider: str = _provider()
    native: object = _native()


@attrs.frozen
class Region(Native):
    """A region and the zones in it. Only the connected region lists its zones: the zones
    of another region cannot be used from this connection."""

    name: str
    zones: tuple[str, ...] = ()
    provider: str = _provider()
    native: object = _native()


@attrs.frozen
class Server(Native):
    """A virtual machine."""

    id: str
    name: str
    state: ServerState
    size: str
    image: str
    zone: str | None = None
    public_ips: tuple[str, ...] = ()
    private_ips: tuple[str, ...] = ()
    volumes: tuple[str, ...] = ()
    created: _dt.datetime | None = None
    tags: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_mapping)
    provider: str = _provider()
    native: object = _native()


@attrs.frozen
class Attachment:
    """A volume attached to a server at ``device`` (``None`` where the provider does not say)."""

    volume_id: str
    server_id: str
    device: str | None = None


@attrs.frozen
class Volume(Native):
    """A block storage volume; ``size_gib`` in GiB."""

    id: str
    name: str
    size_gib: int
    state: VolumeState
    zone: str | None = None
    attachments: tuple[Attachment, ...] = ()
    snapshot_id: str | None = None
    created: _dt.datetime | None = None
    tags: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_mapping)
    provider: str = _provider()
    native: object = _native()


@attrs.frozen
class Snapshot(Native):
    """A point-in-time copy of a volume."""

    id: str
    name: str
    volume_id: str
    size_gib: int
    state: SnapshotState
    created: _dt.datetime | None = None
    provider: str = _provider()
    native: object = _native()


@attrs.frozen
class Bucket(Native):
    """A container of blobs (S3 bucket, Azure container, Swift container)."""

    name: str
    created: _dt.datetime | None = None
    region: str | None = None
    provider: str = _provider()
    native: object = _native()


@attrs.frozen
class BlobInfo(Native):
    """What is known of a stored blob.

    ``metadata`` keys are lower case (the portable rule every provider can keep).
    ``checksums`` maps an algorithm (``md5``, ``sha256``) to a lower-case hex digest, for
    the digests the provider reports of the whole content; it may be empty.
    ``key`` is relative to the bucket handle's prefix when it comes from a handle.
    """

    bucket: str
    key: str
    size: int
    etag: str | None = None
    content_type: str | None = None
    metadata: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_mapping)
    modified: _dt.datetime | None = None
    checksums: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_mapping)
    provider: str = _provider()
    native: object = _native()


@attrs.frozen
class BlobPrefix:
    """A "directory" in a listing with a delimiter: every key under it shares ``prefix``."""

    bucket: str
    prefix: str


@attrs.frozen
class Page(Generic[T]):
    """One page of a listing. ``next_token`` is ``None`` on the last page."""

    items: tuple[T, ...]
    next_token: str | None = None
