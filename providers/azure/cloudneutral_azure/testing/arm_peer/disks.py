"""Managed disks and snapshots: PUT/PATCH/GET/DELETE, creationData Empty or Copy, ``managedBy``.

As in the recordings: PUT and PATCH answer 202 with ``Azure-AsyncOperation`` and ``Location``
(``DiskOperations`` URLs) and a body echoing the request with ``provisioningState:
Updating``; the finished operation's status carries the resource in
``properties.output``. DELETE answers 202 the same way. Synthesized (in no recording): 409
``OperationNotAllowed`` when deleting an attached disk, 404 ``NotFound`` for a missing copy
source, 400 ``InvalidParameter`` for a bad size, 204 for DELETE of a missing resource (ARM's
documented behaviour).
"""

from __future__ import annotations

import copy

from .arm import COMPUTE, TYPES, Arm, Reply, Request, new_id, now, render, rid
from .errors import ArmError
from .store import JSON

__all__ = ["disk_doc", "handle_disk"]

TIERS = {
    "Standard_LRS": "Standard",
    "StandardSSD_LRS": "Standard",
    "Premium_LRS": "Premium",
    "StandardSSD_ZRS": "Standard",
    "Premium_ZRS": "Premium",
    "UltraSSD_LRS": "Ultra",
}


def disk_doc(
    sub: str,
    group: str,
    name: str,
    location: str,
    size_gb: int,
    sku: str = "Standard_LRS",
    creation: JSON | None = None,
    tags: dict[str, str] | None = None,
) -> JSON:
    """A finished managed disk, shaped as ARM returns it."""
    doc: JSON = {
        "name": name,
        "id": rid(sub, group, TYPES["disks"], name),
        "type": TYPES["disks"],
        "location": location,
    }
    if tags:
        doc["tags"] = dict(tags)
    doc["sku"] = {"name": sku, "tier": TIERS.get(sku, "Standard")}
    doc["properties"] = {
        "creationData": creation or {"createOption": "Empty"},
        "diskSizeGB": size_gb,
        "diskIOPSReadWrite": 500 if size_gb >= 32 else 120,
        "diskMBpsReadWrite": 60 if size_gb >= 32 else 25,
        "encryption": {"type": "EncryptionAtRestWithPlatformKey"},
        "networkAccessPolicy": "AllowAll",
        "timeCreated": now(),
        "provisioningState": "Succeeded",
        "diskState": "Unattached",
        "diskSizeBytes": size_gb * 2**30,
        "uniqueId": new_id(),
        "publicNetworkAccess": "Enabled",
    }
    return doc


def _snapshot_doc(
    sub: str, group: str, name: str, location: str, source: JSON, sku: str, tags: dict[str, str] | None
) -> JSON:
    doc: JSON = {
        "name": name,
        "id": rid(sub, group, TYPES["snapshots"], name),
        "type": TYPES["snapshots"],
        "location": location,
    }
    if tags:
        doc["tags"] = dict(tags)
    size = source["properties"]["diskSizeGB"]
    doc["sku"] = {"name": sku, "tier": "Standard"}
    doc["properties"] = {
        "creationData": {
            "createOption": "Copy",
            "sourceResourceId": source["id"],
            "sourceUniqueId": source["properties"]["uniqueId"],
        },
        "diskSizeGB": size,
        "encryption": {"type": "EncryptionAtRestWithPlatformKey"},
        "incremental": False,
        "networkAccessPolicy": "AllowAll",
        "timeCreated": now(),
        "provisioningState": "Succeeded",
        "diskState": "Unattached",
        "diskSizeBytes": size * 2**30,
        "uniqueId": new_id(),
        "publicNetworkAccess": "Enabled",
    }
    return doc


def _source(arm: Arm, creation: JSON) -> JSON:
    source_id = creation.get("sourceResourceId") or creation.get("sourceUri")
    if not source_id:
        raise ArmError(400, "InvalidParameter", "Required parameter 'sourceResourceId' is missing (null).")
    source = arm.by_id(str(source_id))
    if source is None:  # synthesized
        raise ArmError(404, "NotFound", f"Resource {source_id} is not found.")
    return source


def _echo(kind: str, body: JSON, name: str, doc: JSON | None = None, patch: bool = False) -> JSON:
    """What PUT/PATCH answer at once: the request with ``provisioningState: Updating``.

    As recorded: a disk's echo carries its name, a snapshot's does not; a PATCH echo adds
    the stored location, sku, creationData and size (and ``faultDomain`` for a snapshot);
    a snapshot copy echo adds the source's ``sourceUniqueId`` and ``publicNetworkAccess``.
    """
    echo: JSON = {"name": name} if kind == "disks" else {}
    echo.update({k: copy.deepcopy(v) for k, v in body.items() if k != "properties"})
    props = copy.deepcopy(body.get("properties") or {})
    if doc is not None and patch:
        echo.setdefault("location", doc["location"])
        echo.setdefault("sku", copy.deepcopy(doc["sku"]))
        props = {
            "creationData": copy.deepcopy(doc["properties"]["creationData"]),
            "diskSizeGB": doc["properties"]["diskSizeGB"],
            **props,
        }
    elif doc is not None and kind == "snapshots":
        props.setdefault("creationData", {})["sourceUniqueId"] = doc["properties"]["creationData"][
            "sourceUniqueId"
        ]
        props["publicNetworkAccess"] = "Enabled"
    props["provisioningState"] = "Updating"
    props["isArmResource"] = True
    if patch and kind == "snapshots":
        props["faultDomain"] = 0
    echo["properties"] = props
    return echo


def handle_disk(arm: Arm, r: Request, sub: str, group: str, kind: str, name: str, rest: list[str]) -> Reply:
    """One request on ``.../providers/Microsoft.Compute/{disks|snapshots}/{name}``."""
    if rest:
        raise ArmError(404, "NotFound", "The requested resource does not exist.")  # synthesized
    existing = arm.find(sub, group, kind, name)
    if r.method == "GET":
        return Reply(200, render(kind, arm.get(sub, group, kind, name), r.api_version))
    if r.method == "DELETE":
        if existing is None:
            return Reply(204)
        if existing.get("managedBy"):  # synthesized
            vm = existing["managedBy"].rsplit("/", 1)[-1]
            raise ArmError(
                409,
                "OperationNotAllowed",
                f"Disk {name} is attached to VM {existing['managedBy']}."
                if vm
                else f"Disk {name} is attached.",
            )
        existing["properties"]["provisioningState"] = "Deleting"
        return arm.lro(
            r,
            sub,
            "disk",
            existing["location"],
            202,
            None,
            lambda: arm.drop(sub, group, kind, name),
            location_header=True,
        )
    if r.method not in ("PUT", "PATCH"):
        raise ArmError(
            405, "MethodNotAllowed", f"The HTTP method '{r.method}' is not supported."
        )  # synthesized
    body: JSON = r.body or {}
    props: JSON = body.get("properties") or {}
    if existing is not None and r.header("If-None-Match") == "*":  # synthesized
        raise ArmError(412, "PreconditionFailed", f"The resource {name} already exists.")
    if r.method == "PATCH" or existing is not None:
        if existing is None:
            raise arm_not_found(kind, name, group)
        size = props.get("diskSizeGB")
        if size is not None and size < existing["properties"]["diskSizeGB"]:  # synthesized
            raise ArmError(
                400,
                "InvalidParameter",
                f"Disk size may not be decreased; {name} is {existing['properties']['diskSizeGB']} GB.",
            )

        def update() -> JSON:
            if size is not None:
                existing["properties"]["diskSizeGB"] = size
                existing["properties"]["diskSizeBytes"] = size * 2**30
            if body.get("tags") is not None:
                existing["tags"] = dict(body["tags"])
            if (body.get("sku") or {}).get("name"):
                existing["sku"] = {
                    "name": body["sku"]["name"],
                    "tier": TIERS.get(body["sku"]["name"], "Standard"),
                }
            return render(kind, existing, r.api_version)

        echo = _echo(kind, body, name, existing, patch=True)
        return arm.lro(r, sub, "disk", existing["location"], 202, echo, update, location_header=True)
    location = body.get("location")
    if not location:  # synthesized
        raise ArmError(400, "LocationRequired", "The location property is required for this definition.")
    creation: JSON = props.get("creationData") or {}
    option = str(creation.get("createOption", "")).lower()
    sku = (body.get("sku") or {}).get("name") or "Standard_LRS"
    tags = body.get("tags")
    if kind == "snapshots":
        source = _source(arm, creation)
        doc = _snapshot_doc(sub, group, name, location, source, sku, tags)
    elif option == "empty":
        size = props.get("diskSizeGB")
        if not isinstance(size, int) or size < 1:  # synthesized
            raise ArmError(400, "InvalidParameter", "Required parameter 'diskSizeGB' is missing or invalid.")
        doc = disk_doc(sub, group, name, location, size, sku, {"createOption": "Empty"}, tags)
    elif option == "copy":
        source = _source(arm, creation)
        size = props.get("diskSizeGB") or source["properties"]["diskSizeGB"]
        if size < source["properties"]["diskSizeGB"]:  # synthesized
            raise ArmError(
                400,
                "InvalidParameter",
                f"The disk size {size} GB is smaller than the source "
                f"({source['properties']['diskSizeGB']} GB).",
            )
        creation_data = {
            "createOption": "Copy",
            "sourceResourceId": source["id"],
            "sourceUniqueId": source["properties"]["uniqueId"],
        }
        doc = disk_doc(sub, group, name, location, size, sku, creation_data, tags)
    else:  # synthesized
        raise ArmError(
            400,
            "InvalidParameter",
            f"createOption '{creation.get('createOption')}' is not supported by this peer (Empty, Copy).",
        )
    if body.get("zones"):
        doc["zones"] = [str(z) for z in body["zones"]]
    doc["properties"]["provisioningState"] = "Updating"
    arm.put(sub, group, kind, name, doc)

    def finish() -> JSON:
        doc["properties"]["provisioningState"] = "Succeeded"
        return render(kind, doc, r.api_version)

    return arm.lro(r, sub, "disk", location, 202, _echo(kind, body, name, doc), finish, location_header=True)


def arm_not_found(kind: str, name: str, group: str) -> ArmError:
    from .errors import resource_not_found

    return resource_not_found(f"{COMPUTE}/{kind}", name, group)


def attach(disk: JSON, vm_id: str) -> None:
    """Mark ``disk`` as attached to ``vm_id`` (``managedBy``, ``diskState: Attached``)."""
    disk["managedBy"] = vm_id
    disk["properties"]["diskState"] = "Attached"


def detach(disk: JSON) -> None:
    """Mark ``disk`` as unattached."""
    disk.pop("managedBy", None)
    disk["properties"]["diskState"] = "Unattached"


__all__ += ["attach", "detach"]
