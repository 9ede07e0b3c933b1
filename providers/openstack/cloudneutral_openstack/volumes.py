"""Volumes and snapshots on Cinder, attachments through Nova: the
:class:`cloudneutral.driver.VolumeDriver` of the OpenStack adapter.

Cinder is spoken as plain JSON through the block-storage adapter, so the same code reads
Cinder v3 (``name``) and Rackspace's Cinder v1 (``display_name``, which openstacksdk's
volume classes drop). Attach and detach go through Nova's ``os-volume_attachments``
(the server is passed as an object, so openstacksdk does not GET it to guess the
argument order). Snapshots are taken with ``force`` (Cinder refuses to snapshot an
attached volume otherwise; the portable contract, like EBS, allows it) and listed for
the project only. Cinder and Nova answer 400 where a volume's state is the problem and
Nova 404 to detaching what is not attached: :mod:`~cloudneutral_openstack.errors` makes
both ``Conflict``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from keystoneauth1.adapter import Adapter
from openstack import exceptions as ox
from openstack.compute.v2.server import Server as NovaServer

from cloudneutral.driver import VolumeRequest
from cloudneutral.models import Attachment, Page, Snapshot, SnapshotState, Volume, VolumeState

from ._session import Session
from ._swift import check

__all__ = ["SNAPSHOT_STATES", "VOLUME_STATES", "CinderVolumeDriver"]

VOLUME_STATES: dict[str, VolumeState] = {
    "creating": VolumeState.CREATING,
    "available": VolumeState.AVAILABLE,
    "in-use": VolumeState.IN_USE,
    "deleting": VolumeState.DELETING,
    "error": VolumeState.ERROR,
    "error_deleting": VolumeState.ERROR,
    "error_restoring": VolumeState.ERROR,
    "error_extending": VolumeState.ERROR,
    "error_managing": VolumeState.ERROR,
}
SNAPSHOT_STATES: dict[str, SnapshotState] = {
    "creating": SnapshotState.PENDING,
    "available": SnapshotState.AVAILABLE,
    "deleting": SnapshotState.DELETING,
    "error": SnapshotState.ERROR,
    "error_deleting": SnapshotState.ERROR,
}


def _created(value: object) -> dt.datetime | None:
    """Cinder's ``created_at`` (ISO 8601, UTC, usually without a zone)."""
    if not value:
        return None
    try:
        created = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return created if created.tzinfo else created.replace(tzinfo=dt.timezone.utc)


def _name(item: Mapping[str, Any]) -> str:
    return str(item.get("name") or item.get("display_name") or "")


class CinderVolumeDriver:
    """Volumes, attachments and the project's own snapshots in one region."""

    def __init__(self, session: Session, provider: str) -> None:
        self._session = session
        self._provider = provider

    @property
    def _cinder(self) -> Adapter:
        return self._session.volume

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = check(self._cinder.request(path, method, raise_exc=False, **kwargs))
        return response.json() if response.content else {}

    def natives(self) -> Sequence[object]:
        return (self._cinder, self._session.compute)

    def _volume(self, item: Mapping[str, Any]) -> Volume:
        attachments = tuple(
            Attachment(volume_id=str(item["id"]), server_id=str(a["server_id"]), device=a.get("device"))
            for a in item.get("attachments") or ()
            if a.get("server_id")
        )
        return Volume(
            id=str(item["id"]),
            name=_name(item),
            size_gib=int(item.get("size") or 0),
            state=VOLUME_STATES.get(str(item.get("status", "")).lower(), VolumeState.UNKNOWN),
            zone=item.get("availability_zone"),
            attachments=attachments,
            snapshot_id=item.get("snapshot_id") or None,
            created=_created(item.get("created_at")),
            tags=dict(item.get("metadata") or {}),
            provider=self._provider,
            native=item,
        )

    def _snapshot(self, item: Mapping[str, Any]) -> Snapshot:
        return Snapshot(
            id=str(item["id"]),
            name=_name(item),
            volume_id=str(item.get("volume_id") or ""),
            size_gib=int(item.get("size") or 0),
            state=SNAPSHOT_STATES.get(str(item.get("status", "")).lower(), SnapshotState.UNKNOWN),
            created=_created(item.get("created_at")),
            provider=self._provider,
            native=item,
        )

    def _named(self, name: str) -> dict[str, str]:
        return {"display_name" if self._session.profile.cinder_v1 else "name": name}

    # -- volumes --------------------------------------------------------------------------
    def create_volume(self, request: VolumeRequest) -> Volume:
        body: dict[str, Any] = {"size": request.size_gib, **self._named(request.name)}
        if request.tags:
            body["metadata"] = dict(request.tags)
        if request.zone:
            body["availability_zone"] = request.zone
        if request.snapshot_id:
            body["snapshot_id"] = request.snapshot_id
        return self._volume(self._json("POST", "/volumes", json={"volume": body})["volume"])

    def get_volume(self, volume_id: str) -> Volume:
        return self._volume(self._json("GET", f"/volumes/{volume_id}")["volume"])

    def list_volumes(self, page_size: int, token: str | None) -> Page[Volume]:
        items = self._page("/volumes/detail", "volumes", page_size, token)
        return Page(tuple(self._volume(v) for v in items), _next(items, page_size))

    def _page(self, path: str, member: str, page_size: int, token: str | None) -> list[Any]:
        """One page in Cinder's order (newest first: ``created_at``, then ``id``, both
        descending). The token is the last item's ``id`` and ``created_at``: Cinder pages by
        the id (``marker``) and answers 404 once that item is deleted, in which case the page
        is found again from the start, after the token's place in that order."""
        params: dict[str, Any] = {"limit": page_size}
        if token is None:
            return self._fetch(path, member, params)
        marker, _, created = token.partition(" ")
        place = (created, marker)
        try:
            return self._fetch(path, member, {**params, "marker": marker})
        except ox.NotFoundException:  # the marker was deleted between the pages
            after: list[Any] = []
            params["limit"] = max(page_size, 100)
            while len(after) < page_size:
                items = self._fetch(path, member, params)
                after += [i for i in items if (str(i.get("created_at") or ""), str(i["id"])) < place]
                if len(items) < params["limit"]:
                    break
                params["marker"] = items[-1]["id"]
            return after[:page_size]

    def _fetch(self, path: str, member: str, params: Mapping[str, Any]) -> list[Any]:
        found: list[Any] = self._json("GET", path, params=dict(params)).get(member) or []
        return found

    def delete_volume(self, volume_id: str) -> None:
        self._json("DELETE", f"/volumes/{volume_id}")

    def attach_volume(self, volume_id: str, server_id: str, device: str | None) -> None:
        extra = {"device": device} if device else {}
        self._session.compute.create_volume_attachment(NovaServer(id=server_id), volume_id, **extra)

    def detach_volume(self, volume_id: str, server_id: str, device: str | None) -> None:
        self._session.compute.delete_volume_attachment(
            NovaServer(id=server_id), volume_id, ignore_missing=False
        )

    # -- snapshots ------------------------------------------------------------------------
    def create_snapshot(self, volume_id: str, name: str) -> Snapshot:
        body = {"volume_id": volume_id, "force": True, **self._named(name)}
        return self._snapshot(self._json("POST", "/snapshots", json={"snapshot": body})["snapshot"])

    def get_snapshot(self, snapshot_id: str) -> Snapshot:
        return self._snapshot(self._json("GET", f"/snapshots/{snapshot_id}")["snapshot"])

    def list_snapshots(self, page_size: int, token: str | None) -> Page[Snapshot]:
        items = self._page("/snapshots/detail", "snapshots", page_size, token)
        return Page(tuple(self._snapshot(s) for s in items), _next(items, page_size))

    def delete_snapshot(self, snapshot_id: str) -> None:
        self._json("DELETE", f"/snapshots/{snapshot_id}")


def _next(items: Sequence[Any], page_size: int) -> str | None:
    """The token after a full page (the last item's id and creation time, see
    ``CinderDriver._page``), ``None`` after a short one."""
    if len(items) < page_size:
        return None
    return f"{items[-1]['id']} {items[-1].get('created_at') or ''}"
