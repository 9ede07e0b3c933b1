"""The storage half of the Rackspace model: Cloud Block Storage (Cinder v1) and Cloud Files.

Volumes answer from pkgcloud's real ``createVolume.json`` and ``volumes.json`` bodies (Cinder
v1 fields: ``display_name``, ``created_at`` without a zone) with the test's values set;
snapshots, deletes and errors are synthesized in the shape of those bodies. Cloud Files
answers listings from pkgcloud's real ``getContainers.json``/``getFiles.json`` (their items'
shape), object HEAD and GET from php-opencloud's ``Object_Metadata.resp``/``Object.resp``
(Rackspace documentation examples) and every missing object or container from the real
DFW 404 of ``Object_Metadata_404.resp``; writes and deletes are synthesized (no kept
answer of any Cloud Files write exists). Write times come from the model's clock
(:meth:`~raxcassette.model.World.written`: one second per write), so an overwrite is
newer, as on Swift.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import unquote

from .edits import DropHeader, JsonSet, Replace, SetBody, SetHeader, SetStatus
from .model import PHP, PKG, TENANT, Exchange, World, http_date, nova_fault, synth
from .plans import PlanStep, Ref

__all__ = ["BlockStorage", "Files"]

REAL_VOLUME = "5fda9a41-2a18-4d4f-8804-205d31cddb06"
CREATED = Ref("json", f"{PKG}/createVolume.json", status=202, reason="Accepted")
GOT = Ref("json", f"{PKG}/createVolume.json")
_SNAPSHOT_BASIS = (
    "no source; Cinder v1 snapshot fields as the real volume bodies spell them "
    "(display_name, created_at without zone)"
)
_MISSING = "Cinder v1 itemNotFound (API reference); no 404 of Rackspace's Cinder is kept"


class BlockStorage:
    """Cloud Block Storage (Cinder v1 at the catalogue's URL) of one test."""

    def __init__(self, world: World) -> None:
        self.w = world

    def handle(self, ex: Exchange) -> PlanStep:
        parts = ex.path.removeprefix(f"/v1/{TENANT}").strip("/").split("/")
        if parts[0] == "volumes":
            if ex.method == "POST":
                return self._create(ex)
            if parts[1:] == ["detail"]:
                return self._list(ex)
            return self._delete(ex, parts[1]) if ex.method == "DELETE" else self._get(ex, parts[1])
        if parts[0] == "snapshots":
            if ex.method == "POST":
                return self._snap_create(ex)
            if parts[1:] == ["detail"]:
                return self._snap_list(ex)
            return self._snap_delete(ex, parts[1]) if ex.method == "DELETE" else self._snap_get(ex, parts[1])
        return ex.step(nova_fault(404, "itemNotFound", "Not found."), note=_MISSING)

    # -- volumes ----------------------------------------------------------------------------
    def _item(self, vid: str, volume: dict[str, Any]) -> dict[str, Any]:
        real: dict[str, Any] = GOT.load().json()["volume"]
        return {**real, **self._fields(volume), "id": vid}

    @staticmethod
    def _fields(volume: dict[str, Any]) -> dict[str, Any]:
        status = {"attaching": "attaching", "detaching": "detaching"}.get(
            volume.get("pending", ""), volume["status"]
        )
        return {
            "display_name": volume["name"],
            "size": volume["size"],
            "status": "creating" if volume.get("pending") == "create" else status,
            "metadata": volume["metadata"],
            "snapshot_id": volume["snapshot_id"],
            "attachments": volume["attachments"],
        }

    def _edits(self, vid: str, volume: dict[str, Any]) -> list[Any]:
        real = GOT.load().json()["volume"]
        edits: list[Any] = [Replace(REAL_VOLUME, vid)] if vid != REAL_VOLUME else []
        for name, value in self._fields(volume).items():
            if real.get(name) != value:
                edits.append(JsonSet(f"/volume/{name}", value))
        return edits

    def _create(self, ex: Exchange) -> PlanStep:
        request = ex.json()["volume"]
        snapshot = request.get("snapshot_id")
        if snapshot and snapshot not in self.w.snapshots:
            return ex.step(
                nova_fault(404, "itemNotFound", f"Snapshot {snapshot} could not be found."), note=_MISSING
            )
        vid = self.w.new_id("volume", REAL_VOLUME)
        volume = {
            "name": request.get("display_name", ""),
            "size": request["size"],
            "status": "available",
            "metadata": request.get("metadata") or {},
            "snapshot_id": snapshot,
            "attachments": [],
            "pending": "create",
        }
        self.w.volumes[vid] = volume
        step = ex.step(CREATED, *self._edits(vid, volume))
        return step

    def _get(self, ex: Exchange, vid: str) -> PlanStep:
        volume = self.w.volumes.get(vid)
        if volume is None:
            return ex.step(
                nova_fault(404, "itemNotFound", f"Volume {vid} could not be found."), note=_MISSING
            )
        if volume.get("pending") == "delete":
            del self.w.volumes[vid]
            deleting = {**volume, "status": "deleting", "pending": None}
            return ex.step(GOT, *self._edits(vid, deleting))
        step = ex.step(GOT, *self._edits(vid, volume))
        volume.pop("pending", None)
        return step

    def _list(self, ex: Exchange) -> PlanStep:
        params = ex.params()
        ids = list(reversed(self.w.volumes))
        if "marker" in params and params["marker"] in ids:
            ids = ids[ids.index(params["marker"]) + 1 :]
        items = [self._item(v, self.w.volumes[v]) for v in ids[: int(params.get("limit", "1000"))]]
        why = f"the volumes of this test ({len(items)}), each the real createVolume.json body with its values"
        return ex.step(
            Ref("json", f"{PKG}/volumes.json"), SetBody(json.dumps({"volumes": items}).encode(), why)
        )

    def _delete(self, ex: Exchange, vid: str) -> PlanStep:
        volume = self.w.volumes.get(vid)
        if volume is None:
            return ex.step(
                nova_fault(404, "itemNotFound", f"Volume {vid} could not be found."), note=_MISSING
            )
        if any(s["volume_id"] == vid for s in self.w.snapshots.values()):
            message = "Invalid volume: Volume still has 1 dependent snapshots."
            return ex.step(nova_fault(400, "badRequest", message))
        volume["pending"] = "delete"
        return ex.step(synth(202, b"", "Cinder v1 DELETE /volumes/{id}: 202 Accepted", "Accepted", ()))

    # -- snapshots --------------------------------------------------------------------------
    def _snap_body(self, sid: str, snap: dict[str, Any], status: str) -> dict[str, Any]:
        return {
            "id": sid,
            "display_name": snap["name"],
            "display_description": None,
            "volume_id": snap["volume_id"],
            "status": status,
            "size": snap["size"],
            "created_at": "2013-07-30T15:12:03.000000",
            "metadata": {},
        }

    def _snap_create(self, ex: Exchange) -> PlanStep:
        request = ex.json()["snapshot"]
        volume = self.w.volumes.get(request["volume_id"])
        if volume is None:
            vid = request["volume_id"]
            return ex.step(
                nova_fault(404, "itemNotFound", f"Volume {vid} could not be found."), note=_MISSING
            )
        sid = self.w.new_id("snapshot")
        snap = {
            "name": request.get("display_name", ""),
            "volume_id": request["volume_id"],
            "size": volume["size"],
        }
        self.w.snapshots[sid] = {**snap, "pending": "create"}
        return ex.step(
            synth(202, {"snapshot": self._snap_body(sid, snap, "creating")}, _SNAPSHOT_BASIS, "Accepted")
        )

    def _snap_get(self, ex: Exchange, sid: str) -> PlanStep:
        snap = self.w.snapshots.get(sid)
        if snap is None:
            return ex.step(
                nova_fault(404, "itemNotFound", f"Snapshot {sid} could not be found."), note=_MISSING
            )
        pending = snap.pop("pending", None)
        if pending == "delete":
            del self.w.snapshots[sid]
        status = {"create": "creating", "delete": "deleting"}.get(pending or "", "available")
        return ex.step(synth(200, {"snapshot": self._snap_body(sid, snap, status)}, _SNAPSHOT_BASIS, "OK"))

    def _snap_list(self, ex: Exchange) -> PlanStep:
        params = ex.params()
        ids = list(reversed(self.w.snapshots))
        if "marker" in params and params["marker"] in ids:
            ids = ids[ids.index(params["marker"]) + 1 :]
        ids = ids[: int(params.get("limit", "1000"))]
        items = [self._snap_body(s, self.w.snapshots[s], "available") for s in ids]
        return ex.step(synth(200, {"snapshots": items}, _SNAPSHOT_BASIS, "OK"))

    def _snap_delete(self, ex: Exchange, sid: str) -> PlanStep:
        snap = self.w.snapshots.get(sid)
        if snap is None:
            return ex.step(
                nova_fault(404, "itemNotFound", f"Snapshot {sid} could not be found."), note=_MISSING
            )
        snap["pending"] = "delete"
        return ex.step(synth(202, b"", "Cinder v1 DELETE /snapshots/{id}: 202 Accepted", "Accepted", ()))


# -- Cloud Files ----------------------------------------------------------------------------
NOT_FOUND = Ref("raw", f"{PHP}/ObjectStore/_response/Object_Metadata_404.resp")
OBJECT_HEAD = Ref("raw", f"{PHP}/ObjectStore/_response/Object_Metadata.resp")
OBJECT_GET = Ref("raw", f"{PHP}/ObjectStore/_response/Object.resp")
_DOC_META = ("X-Object-Meta-Meat", "X-Object-Meta-Fruit", "X-Object-Meta-Veggie", "X-Object-Meta-Dairy")
_SWIFT = "Swift API (Cloud Files developer guide)"


def _empty(status: int, reason: str, basis: str) -> Any:
    return synth(status, b"", basis, reason, (("Content-Type", "text/html; charset=UTF-8"),))


class Files:
    """Cloud Files (Swift) of one test."""

    def __init__(self, world: World) -> None:
        self.w = world

    def handle(self, ex: Exchange) -> PlanStep:
        rest = ex.path.removeprefix(f"/v1/MossoCloudFS_{TENANT}")
        container, _, key = rest.lstrip("/").partition("/")
        container, key = unquote(container), unquote(key)
        if not container:
            return self._account(ex)
        if not key:
            return self._container(ex, container)
        return self._object(ex, container, key)

    def _missing(self, ex: Exchange) -> PlanStep:
        return ex.step(NOT_FOUND, note="the real 404 of a missing object (DFW, 2014)")

    def _account(self, ex: Exchange) -> PlanStep:
        params = ex.params()
        names = sorted(self.w.containers, key=lambda n: n.encode())
        if "marker" in params:
            names = [n for n in names if n.encode() > params["marker"].encode()]
        names = names[: int(params.get("limit", "10000"))]
        items = [
            {"count": len(c), "bytes": sum(len(o["data"]) for o in c.values()), "name": n}
            for n, c in ((n, self.w.containers[n]) for n in names)
        ]
        why = (
            f"the containers of this test ({len(items)}) in the shape of the real items (count, bytes, name)"
        )
        source = Ref("json", f"{PKG}/getContainers.json", content_type="application/json; charset=utf-8")
        return ex.step(source, SetBody(json.dumps(items, indent=2).encode(), why))

    def _container(self, ex: Exchange, name: str) -> PlanStep:
        objects = self.w.containers.get(name)
        if ex.method == "PUT":
            created = objects is None
            self.w.containers.setdefault(name, {})
            code, reason = (201, "Created") if created else (202, "Accepted")
            return ex.step(_empty(code, reason, f"{_SWIFT}: PUT container answers 201, 202 when it exists"))
        if objects is None:
            return self._missing(ex)
        if ex.method == "HEAD":
            basis = f"{_SWIFT}: HEAD container, 204 with X-Container-Object-Count and X-Container-Bytes-Used"
            headers = (
                ("Content-Type", "text/plain; charset=utf-8"),
                ("X-Container-Object-Count", str(len(objects))),
                ("X-Container-Bytes-Used", str(sum(len(o["data"]) for o in objects.values()))),
            )
            return ex.step(synth(204, b"", basis, "No Content", headers))
        if ex.method == "DELETE":
            if objects:
                return ex.step(_empty(409, "Conflict", f"{_SWIFT}: DELETE of a container holding objects"))
            del self.w.containers[name]
            return ex.step(_empty(204, "No Content", f"{_SWIFT}: DELETE container, 204 No Content"))
        return self._listing(ex, objects)

    def _listing(self, ex: Exchange, objects: dict[str, dict[str, Any]]) -> PlanStep:
        params = ex.params()
        prefix, delimiter = params.get("prefix", ""), params.get("delimiter")
        marker, limit = params.get("marker", ""), int(params.get("limit", "10000"))
        items: list[dict[str, Any]] = []
        for key in sorted(objects, key=lambda k: k.encode()):
            if not key.startswith(prefix) or key.encode() <= marker.encode():
                continue
            if delimiter and delimiter in key[len(prefix) :]:
                subdir = prefix + key[len(prefix) :].split(delimiter, 1)[0] + delimiter
                if subdir.encode() > marker.encode() and (not items or items[-1].get("subdir") != subdir):
                    items.append({"subdir": subdir})
                continue
            o = objects[key]
            items.append(
                {
                    "hash": o["etag"],
                    "last_modified": o["modified"].strftime("%Y-%m-%dT%H:%M:%S.%f"),
                    "bytes": len(o["data"]),
                    "name": key,
                    "content_type": o["content_type"],
                }
            )
        items = items[:limit]
        why = f"the objects of this test ({len(items)}) in the shape of the real items"
        if any("last_modified" in item for item in items):
            why += ", last_modified from the model's clock"
        source = Ref("json", f"{PKG}/getFiles.json", content_type="application/json; charset=utf-8")
        return ex.step(source, SetBody(json.dumps(items, indent=2).encode(), why))

    def _object(self, ex: Exchange, container: str, key: str) -> PlanStep:
        objects = self.w.containers.get(container)
        if objects is None:
            return self._missing(ex)
        if ex.method == "PUT":
            return self._put(ex, objects, key)
        found = objects.get(key)
        if found is None:
            return self._missing(ex)
        if ex.method == "DELETE":
            del objects[key]
            return ex.step(_empty(204, "No Content", f"{_SWIFT}: DELETE object, 204 No Content"))
        return self._read(ex, found)

    def _put(self, ex: Exchange, objects: dict[str, dict[str, Any]], key: str) -> PlanStep:
        etag = hashlib.md5(ex.body).hexdigest()
        metadata = {  # as Swift answers them: title-cased (X-Object-Meta-Cn-Sha256)
            "X-Object-Meta-" + "-".join(p.capitalize() for p in k[14:].split("-")): v
            for k, v in ex.headers.items()
            if k.lower().startswith("x-object-meta-")
        }
        modified = self.w.written()
        objects[key] = {
            "data": ex.body,
            "etag": etag,
            "content_type": ex.headers.get("Content-Type", "application/octet-stream"),
            "metadata": metadata,
            "modified": modified,
        }
        headers = (
            ("Content-Type", "text/html; charset=UTF-8"),
            ("Etag", etag),
            ("Last-Modified", http_date(modified)),
        )
        basis = (
            f"{_SWIFT}: PUT object, 201 with ETag = MD5 of the body (unquoted, as the real HEADs show); "
            "Last-Modified from the model's clock (one second per write)"
        )
        return ex.step(synth(201, b"", basis, "Created", headers), note=f"{len(ex.body)} bytes sent")

    def _read(self, ex: Exchange, found: dict[str, Any]) -> PlanStep:
        source = OBJECT_HEAD if ex.method == "HEAD" else OBJECT_GET
        edits: list[Any] = [
            SetHeader("ETag", found["etag"]),
            SetHeader("Last-Modified", http_date(found["modified"])),
            SetHeader("Content-Type", found["content_type"]),
        ]
        if ex.method == "HEAD":
            edits += [DropHeader(name) for name in _DOC_META]
            edits.append(SetHeader("Content-Length", str(len(found["data"]))))
        else:
            edits.insert(0, SetBody(found["data"], "the bytes written to this object in this test"))
        edits += [SetHeader(name, value) for name, value in sorted(found["metadata"].items())]
        if ex.method == "GET" and "Range" in ex.headers:  # not declared: never asked
            edits.append(SetStatus(416, "Requested Range Not Satisfiable"))
        return ex.step(source, *edits, note="Rackspace documentation example, edited to this object")
