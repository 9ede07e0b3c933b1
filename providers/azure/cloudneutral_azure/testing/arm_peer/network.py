"""Virtual networks, subnets and network interfaces: just enough for a VM to reference a NIC.

PUT answers 201 (create) or 200 (update) with ``Azure-AsyncOperation`` (a
``Microsoft.Network/locations/{loc}/operations/{id}`` URL whose status document is
``{"status": ...}``), as in the recordings. DELETE answers 202 with ``Azure-AsyncOperation``
and ``Location`` (synthesized: no recording deletes network resources). Synthesized
errors: 400 ``NicInUse`` / ``InUseSubnetCannotBeDeleted`` (ARM's codes) and 400
``InvalidResourceReference`` for a NIC on a missing subnet.
"""

from __future__ import annotations

import copy

from .arm import NETWORK, TYPES, Arm, Reply, Request, new_id, render, rid
from .errors import ArmError, resource_not_found
from .store import JSON

__all__ = ["handle_network"]


def _etag() -> str:
    return f'W/"{new_id()}"'


def _subnet(vnet: JSON, name: str, body: JSON) -> JSON:
    props = body.get("properties") or {}
    return {
        "name": name,
        "id": f"{vnet['id']}/subnets/{name}",
        "etag": _etag(),
        "properties": {
            "provisioningState": "Updating",
            "addressPrefix": props.get("addressPrefix", "10.0.0.0/24"),
            "delegations": [],
            "privateEndpointNetworkPolicies": "Disabled",
            "privateLinkServiceNetworkPolicies": "Enabled",
        },
        "type": f"{NETWORK}/virtualNetworks/subnets",
    }


def _succeed(doc: JSON) -> None:
    doc["properties"]["provisioningState"] = "Succeeded"
    for child in doc["properties"].get("subnets", []) + doc["properties"].get("ipConfigurations", []):
        child["properties"]["provisioningState"] = "Succeeded"


def handle_network(
    arm: Arm, r: Request, sub: str, group: str, kind: str, name: str, rest: list[str], raw: list[str]
) -> Reply:
    """One request on a virtual network (and its subnets) or a network interface."""
    doc = arm.find(sub, group, kind, name)
    if kind == "virtualnetworks" and rest[:1] == ["subnets"] and len(rest) == 2:
        vnet = arm.get(sub, group, kind, name)
        return _subnet_request(arm, r, sub, group, vnet, raw[1])
    if rest:
        raise ArmError(404, "NotFound", "The requested resource does not exist.")  # synthesized
    if r.method == "GET":
        return Reply(200, render(kind, arm.get(sub, group, kind, name), r.api_version))
    if r.method == "DELETE":
        if doc is None:
            return Reply(204)
        if kind == "networkinterfaces" and doc["properties"].get("virtualMachine"):  # synthesized
            raise ArmError(
                400,
                "NicInUse",
                f"Network Interface {doc['id']} is used by existing resource "
                f"{doc['properties']['virtualMachine']['id']}.",
            )
        if kind == "virtualnetworks" and any(
            s["properties"].get("ipConfigurations") for s in doc["properties"]["subnets"]
        ):  # synthesized
            raise ArmError(400, "InUseSubnetCannotBeDeleted", f"Subnet of {doc['id']} is in use.")
        doc["properties"]["provisioningState"] = "Deleting"
        return arm.lro(
            r,
            sub,
            "network",
            doc["location"],
            202,
            None,
            lambda: _drop_nic(arm, sub, group, kind, name, doc),
            location_header=True,
        )
    if r.method != "PUT":
        raise ArmError(
            405, "MethodNotAllowed", f"The HTTP method '{r.method}' is not supported."
        )  # synthesized
    body: JSON = r.body or {}
    location = body.get("location") or (doc or {}).get("location")
    if not location:  # synthesized
        raise ArmError(400, "LocationRequired", "The location property is required for this definition.")
    props: JSON = body.get("properties") or {}
    created = doc is None
    new: JSON = {
        "name": name,
        "id": rid(sub, group, TYPES[kind], name),
        "etag": _etag(),
        "type": TYPES[kind],
        "location": location,
    }
    if body.get("tags") is not None:
        new["tags"] = dict(body["tags"])
    if kind == "virtualnetworks":
        new["properties"] = {
            "provisioningState": "Updating",
            "resourceGuid": (doc or {}).get("properties", {}).get("resourceGuid") or new_id(),
            "addressSpace": {
                "addressPrefixes": list((props.get("addressSpace") or {}).get("addressPrefixes") or [])
            },
            "subnets": [_subnet(new, s["name"], s) for s in props.get("subnets") or []]
            or copy.deepcopy((doc or {}).get("properties", {}).get("subnets", [])),
            "virtualNetworkPeerings": [],
            "enableDdosProtection": False,
        }
    else:
        new["properties"] = {
            "provisioningState": "Updating",
            "resourceGuid": (doc or {}).get("properties", {}).get("resourceGuid") or new_id(),
            "ipConfigurations": [
                _ip_configuration(arm, new, i, c) for i, c in enumerate(props.get("ipConfigurations") or [])
            ],
            "dnsSettings": {
                "dnsServers": [],
                "appliedDnsServers": [],
                "internalDomainNameSuffix": "peer.internal.cloudapp.net",
            },
            "enableAcceleratedNetworking": bool(props.get("enableAcceleratedNetworking", False)),
            "vnetEncryptionSupported": False,
            "enableIPForwarding": bool(props.get("enableIPForwarding", False)),
            "hostedWorkloads": [],
            "tapConfigurations": [],
            "nicType": "Standard",
        }
        if doc and doc["properties"].get("virtualMachine"):
            new["properties"]["virtualMachine"] = doc["properties"]["virtualMachine"]
    arm.put(sub, group, kind, name, new)
    return arm.lro(
        r,
        sub,
        "network",
        location,
        201 if created else 200,
        render(kind, new, r.api_version),
        lambda: _succeed(new),
        location_header=False,
    )


def _ip_configuration(arm: Arm, nic: JSON, index: int, spec: JSON) -> JSON:
    props = spec.get("properties") or {}
    subnet_id = str((props.get("subnet") or {}).get("id", ""))
    subnet = _find_subnet(arm, subnet_id)
    if subnet is None:  # synthesized
        raise ArmError(
            400,
            "InvalidResourceReference",
            f"Resource {subnet_id} referenced by resource {nic['id']} was not found.",
        )
    name = spec.get("name") or f"ipconfig{index + 1}"
    used = subnet["properties"].setdefault("ipConfigurations", [])
    config_id = f"{nic['id']}/ipConfigurations/{name}"
    if not any(u["id"] == config_id for u in used):
        used.append({"id": config_id})
    prefix = subnet["properties"]["addressPrefix"].split("/")[0].rsplit(".", 1)[0]
    return {
        "name": name,
        "id": config_id,
        "etag": _etag(),
        "type": f"{NETWORK}/networkInterfaces/ipConfigurations",
        "properties": {
            "provisioningState": "Updating",
            "privateIPAddress": f"{prefix}.{3 + len(used)}",
            "privateIPAllocationMethod": props.get("privateIPAllocationMethod") or "Dynamic",
            "subnet": {"id": subnet["id"]},
            "primary": index == 0,
            "privateIPAddressVersion": "IPv4",
        },
    }


def _find_subnet(arm: Arm, subnet_id: str) -> JSON | None:
    vnet_id, _, subnet_name = subnet_id.rpartition("/subnets/")
    vnet = arm.by_id(vnet_id) if vnet_id else None
    if vnet is None:
        return None
    for subnet in vnet["properties"]["subnets"]:
        if subnet["name"].lower() == subnet_name.lower():
            found: JSON = subnet
            return found
    return None


def _subnet_request(arm: Arm, r: Request, sub: str, group: str, vnet: JSON, name: str) -> Reply:
    subnets: list[JSON] = vnet["properties"]["subnets"]
    existing = next((s for s in subnets if s["name"].lower() == name.lower()), None)
    if r.method == "GET":
        if existing is None:
            raise resource_not_found(
                f"{NETWORK}/virtualNetworks/subnets", name, group
            )  # wording approximated
        return Reply(200, copy.deepcopy(existing))
    if r.method == "PUT":
        subnet = _subnet(vnet, name, r.body or {})
        if existing is not None:
            subnet["properties"]["ipConfigurations"] = existing["properties"].get("ipConfigurations", [])
            subnets[subnets.index(existing)] = subnet
        else:
            subnets.append(subnet)

        def done() -> None:
            subnet["properties"]["provisioningState"] = "Succeeded"

        return arm.lro(
            r,
            sub,
            "network",
            vnet["location"],
            201 if existing is None else 200,
            copy.deepcopy(subnet),
            done,
            location_header=False,
        )
    if r.method == "DELETE":
        if existing is None:
            return Reply(204)
        if existing["properties"].get("ipConfigurations"):  # synthesized
            raise ArmError(
                400,
                "InUseSubnetCannotBeDeleted",
                f"Subnet {name} is in use by "
                f"{existing['properties']['ipConfigurations'][0]['id']} and cannot be deleted.",
            )
        return arm.lro(
            r,
            sub,
            "network",
            vnet["location"],
            202,
            None,
            lambda: subnets.remove(existing),
            location_header=True,
        )
    raise ArmError(405, "MethodNotAllowed", f"The HTTP method '{r.method}' is not supported.")  # synthesized


def release_nic(arm: Arm, nic: JSON) -> None:
    """Remove ``nic``'s IP configurations from the subnets that list them."""
    for config in nic["properties"].get("ipConfigurations") or ():
        subnet = _find_subnet(arm, str(config["properties"]["subnet"]["id"]))
        if subnet is not None:
            used = subnet["properties"].get("ipConfigurations") or []
            subnet["properties"]["ipConfigurations"] = [u for u in used if u["id"] != config["id"]]


def _drop_nic(arm: Arm, sub: str, group: str, kind: str, name: str, doc: JSON) -> None:
    if kind == "networkinterfaces":
        release_nic(arm, doc)
    arm.drop(sub, group, kind, name)


__all__ += ["release_nic"]
