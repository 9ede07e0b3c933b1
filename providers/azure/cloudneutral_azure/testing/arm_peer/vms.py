"""Virtual machines: create/update by PUT (and PATCH), GET with ``$expand=instanceView`` and
``/instanceView``, power actions, DELETE, data disks attached and detached by LUN.

As in the recordings: PUT answers 201 (create) or 200 (update) with ``Azure-AsyncOperation``
only; POST start/powerOff/restart/deallocate and DELETE answer 202 with
``Azure-AsyncOperation`` and ``Location`` (same operation, ``monitor=true``). A detach by PUT
first shows the disk with ``toBeDetached: true`` and ``provisioningState: Updating``, then
drops it when the operation completes (as azure-cli's 2026 recording shows). Synthesized
errors: unknown size or image (400 ``InvalidParameter`` / 404 ``PlatformImageNotFound``),
size and image architectures differing (400 ``InvalidParameter``), a disk attached
elsewhere (409 ``OperationNotAllowed``), duplicate LUNs (400 ``InvalidParameter``), power
actions in a state that forbids them (409 ``OperationNotAllowed``), a missing NIC (400
``InvalidResourceReference``).
"""

from __future__ import annotations

import copy

from .arm import POWER, TYPES, Arm, Reply, Request, hex_id, new_id, now, rid, since
from .catalogue import IMAGES, SIZES, Image
from .disks import attach, detach, disk_doc
from .errors import ArmError, resource_not_found
from .network import release_nic
from .store import JSON

__all__ = ["handle_vm", "vm_view"]

PRIVATE = "_peer"  # key of the peer's own bookkeeping inside a stored VM (never rendered)


def vm_view(vm: JSON, *, expand: bool, api_version: str = "") -> JSON:
    """What GET answers for ``vm`` (``properties.instanceView`` too when ``expand``)."""
    out = copy.deepcopy({k: v for k, v in vm.items() if k != PRIVATE})
    props = out["properties"]
    # Keys that appeared in later api-versions (boundaries from the recordings, else approximated).
    if not since(api_version, "2021-11-01"):
        props.pop("timeCreated", None)
    if not since(api_version, "2021-03-01"):
        storage = props["storageProfile"]
        for disk in [storage["osDisk"], *storage["dataDisks"]]:
            disk.pop("deleteOption", None)
    if not since(api_version, "2020-12-01"):
        config = props["osProfile"].get("windowsConfiguration") or props["osProfile"].get(
            "linuxConfiguration"
        )
        config["patchSettings"].pop("assessmentMode", None)
    if since(api_version, "2024-03-01"):
        out["etag"] = f'"{vm[PRIVATE]["etag"]}"'
    if expand:
        out["properties"]["instanceView"] = instance_view(vm)
    return out


def _created_view(vm: JSON, api_version: str) -> JSON:
    """The 201 answer to a create: implicit disks have neither name nor id yet (as recorded)."""
    out = vm_view(vm, expand=False, api_version=api_version)
    storage = out["properties"]["storageProfile"]
    storage["osDisk"]["managedDisk"].pop("id", None)
    for disk in storage["dataDisks"]:
        if disk["createOption"] == "Empty":
            disk.pop("name", None)
            disk["managedDisk"].pop("id", None)
    return out


def instance_view(vm: JSON) -> JSON:
    """The VM's instance view: provisioning and power state, disks."""
    state = vm[PRIVATE]
    provisioning = vm["properties"]["provisioningState"]
    statuses: list[JSON] = [
        {
            "code": f"ProvisioningState/{provisioning.lower()}",
            "level": "Info",
            "displayStatus": f"Provisioning {provisioning.lower()}",
            "time": state["changed"],
        },
    ]
    if state["power"]:
        statuses.append(
            {"code": f"PowerState/{state['power']}", "level": "Info", "displayStatus": "VM " + state["power"]}
        )
    storage = vm["properties"]["storageProfile"]
    disks = [storage["osDisk"], *storage["dataDisks"]]
    return {
        "computerName": vm["properties"]["osProfile"]["computerName"],
        "osName": state["os_name"],
        "osVersion": state["os_version"],
        "vmAgent": {
            "vmAgentVersion": "2.7.41491.1024",
            "statuses": [
                {
                    "code": "ProvisioningState/succeeded",
                    "level": "Info",
                    "displayStatus": "Ready",
                    "message": "GuestAgent is running and processing the extensions.",
                    "time": state["changed"],
                }
            ],
            "extensionHandlers": [],
        },
        "hyperVGeneration": state["generation"],
        "disks": [
            {
                "name": d["name"],
                "statuses": [
                    {
                        "code": "ProvisioningState/succeeded",
                        "level": "Info",
                        "displayStatus": "Provisioning succeeded",
                        "time": state["changed"],
                    }
                ],
            }
            for d in disks
        ],
        "statuses": statuses,
    }


def _image(ref: JSON) -> Image:
    want = {k: str(ref.get(k, "")).lower() for k in ("publisher", "offer", "sku")}
    found = [
        i
        for i in IMAGES
        if (i.publisher.lower(), i.offer.lower(), i.sku.lower())
        == (want["publisher"], want["offer"], want["sku"])
    ]
    version = str(ref.get("version", "latest"))
    if version.lower() != "latest":
        found = [i for i in found if i.version == version]
    if not found:  # synthesized
        raise ArmError(
            404,
            "PlatformImageNotFound",
            f"The platform image '{ref.get('publisher')}:"
            f"{ref.get('offer')}:{ref.get('sku')}:{version}' is not available.",
        )
    return max(found, key=lambda i: i.version)


def _data_disk(arm: Arm, sub: str, group: str, vm_name: str, vm_id: str, location: str, spec: JSON) -> JSON:
    """A VM's data disk entry, attaching an existing managed disk or creating an empty one."""
    option = str(spec.get("createOption", "")).lower()
    lun = spec.get("lun")
    if not isinstance(lun, int) or not 0 <= lun < 64:  # synthesized
        raise ArmError(400, "InvalidParameter", f"Required parameter 'lun' is missing or invalid ({lun!r}).")
    managed = spec.get("managedDisk") or {}
    if option == "attach":
        disk = arm.by_id(str(managed.get("id", "")))
        if disk is None:  # synthesized
            raise ArmError(404, "NotFound", f"Disk {managed.get('id')} is not found.")
        owner = disk.get("managedBy")
        if owner and owner.lower() != vm_id.lower():  # synthesized
            raise ArmError(
                409, "OperationNotAllowed", f"Disk {disk['name']} is already attached to VM {owner}."
            )
    elif option == "empty":
        size = spec.get("diskSizeGB")
        if not isinstance(size, int) or size < 1:  # synthesized
            raise ArmError(400, "InvalidParameter", "Required parameter 'diskSizeGB' is missing (null).")
        name = spec.get("name") or f"{vm_name}_disk{lun + 1}_{hex_id()}"
        if arm.find(sub, group, "disks", name) is not None:  # synthesized
            raise ArmError(409, "Conflict", f"Disk {name} already exists.")
        disk = disk_doc(sub, group, name, location, size, managed.get("storageAccountType") or "Premium_LRS")
        arm.put(sub, group, "disks", name, disk)
    else:  # synthesized
        raise ArmError(
            400,
            "InvalidParameter",
            f"createOption '{spec.get('createOption')}' of a data disk is not "
            "supported by this peer (Attach, Empty).",
        )
    attach(disk, vm_id)
    return {
        "lun": lun,
        "name": disk["name"],
        "createOption": "Attach" if option == "attach" else "Empty",
        "caching": spec.get("caching") or "None",
        "managedDisk": {"storageAccountType": disk["sku"]["name"], "id": disk["id"]},
        "deleteOption": spec.get("deleteOption") or "Detach",
        "diskSizeGB": disk["properties"]["diskSizeGB"],
        "toBeDetached": False,
    }


def _apply_data_disks(arm: Arm, sub: str, group: str, vm: JSON, wanted: list[JSON]) -> list[JSON]:
    """Attach what is new in ``wanted``; return the disks to detach when the operation completes."""
    luns = [d.get("lun") for d in wanted if not d.get("toBeDetached")]
    if len(luns) != len(set(luns)):  # synthesized
        raise ArmError(400, "InvalidParameter", "Data disks must have distinct LUNs.")
    size = next(s for s in SIZES if s.name.lower() == vm["properties"]["hardwareProfile"]["vmSize"].lower())
    if len(luns) > size.max_data_disks:  # synthesized
        raise ArmError(
            409,
            "OperationNotAllowed",
            f"The maximum number of data disks allowed to be attached to a "
            f"VM of this size is {size.max_data_disks}.",
        )
    current = {d["lun"]: d for d in vm["properties"]["storageProfile"]["dataDisks"]}
    keep: list[JSON] = []
    leaving: list[JSON] = []
    for spec in wanted:
        if spec.get("toBeDetached"):
            continue
        have = current.get(spec.get("lun"))
        same = have is not None and (
            str((spec.get("managedDisk") or {}).get("id", "")).lower() == have["managedDisk"]["id"].lower()
            or (spec.get("name") or "").lower() == have["name"].lower()
        )
        if same and have is not None:
            if spec.get("caching"):
                have["caching"] = spec["caching"]
            keep.append(have)
        else:
            if have is not None:  # synthesized
                raise ArmError(
                    409, "Conflict", f"LUN {spec.get('lun')} is already in use by disk {have['name']}."
                )
            keep.append(_data_disk(arm, sub, group, vm["name"], vm["id"], vm["location"], spec))
    kept = {id(d) for d in keep}
    for disk in current.values():
        if id(disk) not in kept:
            disk["toBeDetached"] = True
            leaving.append(disk)
    vm["properties"]["storageProfile"]["dataDisks"] = sorted(keep + leaving, key=lambda d: d["lun"])
    return leaving


def _create(arm: Arm, r: Request, sub: str, group: str, name: str, body: JSON) -> tuple[JSON, list[JSON]]:
    props: JSON = body.get("properties") or {}
    location = body.get("location")
    if not location:  # synthesized
        raise ArmError(400, "LocationRequired", "The location property is required for this definition.")
    size_name = str((props.get("hardwareProfile") or {}).get("vmSize", ""))
    sizes = [s for s in SIZES if s.name.lower() == size_name.lower()]
    if not sizes:  # synthesized
        raise ArmError(
            400, "InvalidParameter", f"The value {size_name} provided for the VM size is not valid."
        )
    storage: JSON = props.get("storageProfile") or {}
    image = _image(storage.get("imageReference") or {})
    if image.architecture != sizes[0].architecture:  # synthesized
        raise ArmError(
            400,
            "InvalidParameter",
            f"The VM size {sizes[0].name} ({sizes[0].architecture}) cannot boot "
            f"an image of architecture {image.architecture}.",
        )
    nics = (props.get("networkProfile") or {}).get("networkInterfaces") or []
    for nic in nics:
        if arm.by_id(str(nic.get("id", ""))) is None:  # synthesized
            raise ArmError(
                400,
                "InvalidResourceReference",
                f"Resource {nic.get('id')} referenced by resource "
                f"{rid(sub, group, TYPES['virtualmachines'], name)} was not found.",
            )
    os_profile: JSON = props.get("osProfile") or {}
    vm_id = rid(sub, group, TYPES["virtualmachines"], name)
    os_spec: JSON = storage.get("osDisk") or {}
    os_sku = (os_spec.get("managedDisk") or {}).get("storageAccountType") or "Premium_LRS"
    os_name = os_spec.get("name") or f"{name}_OsDisk_1_{hex_id()}"
    os_size = os_spec.get("diskSizeGB") or image.size_gb
    os_disk_doc = disk_doc(sub, group, os_name, location, os_size, os_sku, {"createOption": "FromImage"})
    arm.put(sub, group, "disks", os_name, os_disk_doc)
    attach(os_disk_doc, vm_id)
    if image.os == "Windows":
        config: JSON = {
            "windowsConfiguration": {
                "provisionVMAgent": True,
                "enableAutomaticUpdates": True,
                "patchSettings": {"patchMode": "AutomaticByOS", "assessmentMode": "ImageDefault"},
            }
        }
    else:
        linux = os_profile.get("linuxConfiguration") or {}
        config = {
            "linuxConfiguration": {
                "disablePasswordAuthentication": bool(linux.get("disablePasswordAuthentication", False)),
                "provisionVMAgent": True,
                "patchSettings": {"patchMode": "ImageDefault", "assessmentMode": "ImageDefault"},
            }
        }
    vm: JSON = {
        "name": name,
        "id": vm_id,
        "type": TYPES["virtualmachines"],
        "location": location,
    }
    if body.get("tags") is not None:
        vm["tags"] = dict(body["tags"])
    if body.get("zones"):
        vm["zones"] = [str(z) for z in body["zones"]]
    vm["properties"] = {
        "hardwareProfile": {"vmSize": sizes[0].name},
        "provisioningState": "Creating",
        "vmId": new_id(),
        "storageProfile": {
            "imageReference": {
                "publisher": image.publisher,
                "offer": image.offer,
                "sku": image.sku,
                "version": (storage.get("imageReference") or {}).get("version", "latest"),
                "exactVersion": image.version,
            },
            "osDisk": {
                "osType": image.os,
                "name": os_name,
                "createOption": "FromImage",
                "caching": os_spec.get("caching") or "ReadWrite",
                "managedDisk": {"storageAccountType": os_sku, "id": os_disk_doc["id"]},
                "deleteOption": os_spec.get("deleteOption") or "Detach",
                "diskSizeGB": os_size,
            },
            "dataDisks": [],
        },
        "osProfile": {
            "computerName": os_profile.get("computerName") or name,
            "adminUsername": os_profile.get("adminUsername", ""),
            **config,
            "secrets": [],
            "allowExtensionOperations": True,
            "requireGuestProvisionSignal": True,
        },
        "networkProfile": {"networkInterfaces": [copy.deepcopy(n) for n in nics]},
        "timeCreated": now(),
    }
    vm[PRIVATE] = {
        "power": "starting",
        "etag": 1,
        "changed": now(),
        "generation": image.generation,
        "os_name": f"{image.offer} {image.sku}",
        "os_version": image.version,
    }
    try:
        _apply_data_disks(arm, sub, group, vm, list(storage.get("dataDisks") or []))
    except ArmError:
        arm.drop(sub, group, "disks", os_name)
        raise
    for nic in nics:
        found = arm.by_id(str(nic["id"]))
        if found is not None:
            found["properties"]["virtualMachine"] = {"id": vm_id}
    return vm, []


def handle_vm(arm: Arm, r: Request, sub: str, group: str, name: str, rest: list[str]) -> Reply:
    """One request on ``.../providers/Microsoft.Compute/virtualMachines/{name}[/...]``."""
    vm = arm.find(sub, group, "virtualmachines", name)
    api = r.api_version
    if not rest:
        if r.method == "GET":
            found = arm.get(sub, group, "virtualmachines", name)
            return Reply(
                200,
                vm_view(found, expand="instanceview" in r.query.get("$expand", "").lower(), api_version=api),
            )
        if r.method in ("PUT", "PATCH"):
            return _put(arm, r, sub, group, name, vm)
        if r.method == "DELETE":
            if vm is None:
                return Reply(204)
            vm["properties"]["provisioningState"] = "Deleting"
            vm[PRIVATE]["power"] = "deallocating"
            return arm.lro(
                r,
                sub,
                "compute",
                vm["location"],
                202,
                None,
                lambda: _delete(arm, sub, group, vm),
                location_header=True,
            )
        raise ArmError(
            405, "MethodNotAllowed", f"The HTTP method '{r.method}' is not supported."
        )  # synthesized
    if vm is None:
        raise resource_not_found(TYPES["virtualmachines"], name, group)
    action = rest[0]
    if rest == ["instanceview"] and r.method == "GET":
        return Reply(200, instance_view(vm))
    if rest == ["vmsizes"] and r.method == "GET":
        return Reply(200, {"value": [s.vm_size() for s in SIZES]})
    if len(rest) == 1 and action in POWER and r.method == "POST":
        return _power(arm, r, sub, vm, action)
    raise ArmError(404, "NotFound", "The requested resource does not exist.")  # synthesized


def _put(arm: Arm, r: Request, sub: str, group: str, name: str, vm: JSON | None) -> Reply:
    body: JSON = r.body or {}
    if vm is not None and r.header("If-None-Match") == "*":  # synthesized (ARM's code and status)
        raise ArmError(412, "PreconditionFailed", f"The virtual machine {name} already exists.")
    if_match = r.header("If-Match")
    if vm is not None and if_match and if_match.strip('"') != str(vm[PRIVATE]["etag"]):  # synthesized
        raise ArmError(412, "PreconditionFailed", f"The etag of virtual machine {name} does not match.")
    if vm is None:
        if r.method == "PATCH":
            raise resource_not_found(TYPES["virtualmachines"], name, group)
        vm, _ = _create(arm, r, sub, group, name, body)
        arm.put(sub, group, "virtualmachines", name, vm)

        def created() -> None:
            vm["properties"]["provisioningState"] = "Succeeded"
            vm[PRIVATE].update(power="running", changed=now())

        return arm.lro(
            r,
            sub,
            "compute",
            vm["location"],
            201,
            _created_view(vm, r.api_version),
            created,
            location_header=False,
        )
    if vm["properties"]["provisioningState"] == "Deleting":  # synthesized
        raise ArmError(
            409,
            "OperationNotAllowed",
            f"Operation cannot be performed on VM {name} while it is being deleted.",
        )
    props: JSON = body.get("properties") or {}
    leaving: list[JSON] = []
    if "tags" in body and body["tags"] is not None:
        vm["tags"] = dict(body["tags"])
    storage = props.get("storageProfile") or {}
    if r.method == "PATCH" and "dataDisks" not in storage:
        # As recorded (2021): a PATCH that changes no disk completes at once, without an operation.
        vm[PRIVATE]["etag"] += 1
        return Reply(200, vm_view(vm, expand=False, api_version=r.api_version))
    if "dataDisks" in storage:
        leaving = _apply_data_disks(arm, sub, group, vm, list(storage.get("dataDisks") or []))
    vm["properties"]["provisioningState"] = "Updating"
    vm[PRIVATE]["etag"] += 1

    def updated() -> None:
        disks = vm["properties"]["storageProfile"]["dataDisks"]
        for entry in leaving:
            disk = arm.by_id(entry["managedDisk"]["id"])
            if disk is not None:
                detach(disk)
        vm["properties"]["storageProfile"]["dataDisks"] = [d for d in disks if not d.get("toBeDetached")]
        vm["properties"]["provisioningState"] = "Succeeded"
        vm[PRIVATE]["etag"] += 1
        vm[PRIVATE]["changed"] = now()

    return arm.lro(
        r,
        sub,
        "compute",
        vm["location"],
        200,
        vm_view(vm, expand=False, api_version=r.api_version),
        updated,
        location_header=False,
    )


def _power(arm: Arm, r: Request, sub: str, vm: JSON, action: str) -> Reply:
    state = vm[PRIVATE]
    if vm["properties"]["provisioningState"] in ("Creating", "Deleting"):  # synthesized
        raise ArmError(
            409,
            "OperationNotAllowed",
            f"Operation '{action}' is not allowed on VM '{vm['name']}' since "
            f"the VM is {vm['properties']['provisioningState'].lower()}.",
        )
    if action == "restart" and state["power"] != "running":  # synthesized
        raise ArmError(
            409,
            "OperationNotAllowed",
            f"Operation 'restart' is not allowed on VM '{vm['name']}' since the VM is {state['power']}.",
        )
    during, after = POWER[action]
    state["power"] = during

    def done() -> None:
        state["power"] = after
        state["changed"] = now()

    return arm.lro(r, sub, "compute", vm["location"], 202, None, done, location_header=True)


def _delete(arm: Arm, sub: str, group: str, vm: JSON) -> None:
    storage = vm["properties"]["storageProfile"]
    for entry in storage["dataDisks"]:
        disk = arm.by_id(entry["managedDisk"]["id"])
        if disk is not None:
            if entry.get("deleteOption") == "Delete":
                arm.drop(sub, group, "disks", disk["name"])
            else:
                detach(disk)
    os_disk = arm.by_id(storage["osDisk"]["managedDisk"]["id"])
    if os_disk is not None:
        if storage["osDisk"].get("deleteOption") == "Delete":
            arm.drop(sub, group, "disks", os_disk["name"])
        else:
            detach(os_disk)
    for nic in vm["properties"]["networkProfile"]["networkInterfaces"]:
        found = arm.by_id(nic["id"])
        if found is not None:
            found["properties"].pop("virtualMachine", None)
            if (nic.get("properties") or {}).get("deleteOption") == "Delete":
                release_nic(arm, found)
                arm.drop(sub, group, "networkinterfaces", found["name"])
    arm.drop(sub, group, "virtualmachines", vm["name"])
