"""The local provider's state: typed records of servers, volumes and snapshots.

One :class:`State` holds them all; the state stores keep it in memory or as
``state.json`` (:meth:`State.to_json` / :meth:`State.from_json`). Every record carries
its life-cycle position (see :mod:`.lifecycle`): ``state``, the states still to come in
``next``, and ``seen``, how often the current state has been observed.
"""

from __future__ import annotations

from typing import Any, TypeVar

import attrs

__all__ = ["AttachmentRecord", "Record", "ServerRecord", "SnapshotRecord", "State", "VolumeRecord"]

R = TypeVar("R", bound="Record")


@attrs.define
class Record:
    """What every record has: identity, creation order and life-cycle position."""

    id: str
    seq: int
    name: str
    created: str  # ISO 8601, UTC
    state: str = ""
    next: list[str] = attrs.field(factory=list)
    seen: int = 0


@attrs.define
class ServerRecord(Record):
    size: str = ""
    image: str = ""
    zone: str = ""
    private_ip: str = ""
    public_ip: str = ""
    tags: dict[str, str] = attrs.field(factory=dict)


@attrs.define
class AttachmentRecord:
    server: str
    device: str


@attrs.define
class VolumeRecord(Record):
    size_gib: int = 1
    zone: str = ""
    attachment: AttachmentRecord | None = None
    snapshot_id: str | None = None
    tags: dict[str, str] = attrs.field(factory=dict)


@attrs.define
class SnapshotRecord(Record):
    volume_id: str = ""
    size_gib: int = 1


def _load(kind: type[R], docs: dict[str, dict[str, Any]]) -> dict[str, R]:
    records: dict[str, R] = {}
    for record_id, doc in docs.items():
        fields = dict(doc)
        if kind is VolumeRecord and fields.get("attachment"):
            fields["attachment"] = AttachmentRecord(**fields["attachment"])
        records[record_id] = kind(**fields)
    return records


@attrs.define
class State:
    """Every server, volume and snapshot of one local provider, and the id sequence."""

    seq: int = 0
    servers: dict[str, ServerRecord] = attrs.field(factory=dict)
    volumes: dict[str, VolumeRecord] = attrs.field(factory=dict)
    snapshots: dict[str, SnapshotRecord] = attrs.field(factory=dict)

    def to_json(self) -> dict[str, Any]:
        return attrs.asdict(self)

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> State:
        """Raises ``TypeError``/``KeyError`` for a document of another layout."""
        return cls(
            seq=int(doc["seq"]),
            servers=_load(ServerRecord, doc["servers"]),
            volumes=_load(VolumeRecord, doc["volumes"]),
            snapshots=_load(SnapshotRecord, doc["snapshots"]),
        )

    def volumes_of(self, server_id: str) -> list[VolumeRecord]:
        """The volumes attached to server ``server_id``."""
        return [
            v for v in self.volumes.values() if v.attachment is not None and v.attachment.server == server_id
        ]
