"""Request handling of the ARM test peer: routing and the behaviour of each resource type.

:meth:`Arm.handle` takes one request (method, path, query, JSON body) and returns a
:class:`Reply`. Long-running operations answer as real ARM did in the recordings under
``cassettes/azure/real/`` (see docs/cassettes.md for each):

================================  ======  ==========================================
operation                         status  LRO headers
================================  ======  ==========================================
PUT VM (create / update)          201/200 Azure-AsyncOperation
POST VM start/powerOff/restart/   202     Azure-AsyncOperation + Location
deallocate, DELETE VM                     (Location = the same URL with monitor=true)
PATCH VM                          200     Azure-AsyncOperation
PUT/PATCH disk or snapshot        202     Azure-AsyncOperation + Location
DELETE disk or snapshot           202     Azure-AsyncOperation + Location
PUT vnet / subnet / NIC           201/200 Azure-AsyncOperation
DELETE vnet / subnet / NIC        202     Azure-AsyncOperation + Location (synthesized)
DELETE resource group             202     Location (operationresults; 202 then 200)
PUT resource group                201/200 none (synchronous)
================================  ======  ==========================================

``Retry-After`` is sent only when the peer is built with ``retry_after`` (the recordings
hold none). Time passes per observation, never by wall time: each status request advances
its operation, and every other GET advances every pending operation by one step, so a
client that starts an operation without polling it (``polling=False``) sees it finish by
reading the resource, as it would on Azure by waiting.
Operation status documents: compute ``{startTime, status, name}`` (+ ``endTime``), disks
additionally ``properties.output`` (the resource) when done, network ``{status}``.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .catalogue import IMAGES, LOCATIONS, SIZES, Image, location_doc
from .errors import ArmError, group_not_found, resource_not_found
from .store import JSON, Store, now

__all__ = ["Arm", "Reply"]

COMPUTE = "Microsoft.Compute"
NETWORK = "Microsoft.Network"
TYPES = {
    "virtualmachines": f"{COMPUTE}/virtualMachines",
    "disks": f"{COMPUTE}/disks",
    "snapshots": f"{COMPUTE}/snapshots",
    "virtualnetworks": f"{NETWORK}/virtualNetworks",
    "networkinterfaces": f"{NETWORK}/networkInterfaces",
}
#: ``p`` of compute and disk operation URLs, as Azure sends them (an opaque partition id).
PARTITION = {
    "compute": "54253b73-cb53-496f-ab42-5e5ee19426f8",
    "disk": "36ee1309-094c-4cec-b989-37cf5e794c1b",
}
POWER = {
    "start": ("starting", "running"),
    "poweroff": ("stopping", "stopped"),
    "restart": ("restarting", "running"),
    "deallocate": ("deallocating", "deallocated"),
}


@dataclass
class Reply:
    """One HTTP answer: status, headers, JSON body (``None``: empty body)."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Request:
    method: str
    segments: list[str]  # path segments as sent
    query: dict[str, str]
    body: Any
    base: str  # http://host:port
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def lower(self) -> list[str]:
        return [s.lower() for s in self.segments]

    @property
    def api_version(self) -> str:
        return self.query.get("api-version", "")


def since(api_version: str, first: str) -> bool:
    """Whether ``api_version`` (``YYYY-MM-DD[-preview]``) is ``first`` or later; unknown counts as newest."""
    return not re.match(r"\d{4}-\d{2}-\d{2}", api_version) or api_version[:10] >= first


def render(kind: str, doc: JSON, api_version: str) -> JSON:
    """A stored resource as ARM answers it at ``api_version`` (its shape changed over versions).

    Version boundaries are those the real recordings show, or approximated between them.
    """
    out = copy.deepcopy(doc)
    props = out.get("properties") or {}
    if kind == "virtualnetworks" and not since(api_version, "2021-02-01"):
        props["enableVmProtection"] = False
    if kind == "networkinterfaces" and not since(api_version, "2021-02-01"):
        props.pop("vnetEncryptionSupported", None)
    if kind in ("disks", "snapshots") and not since(api_version, "2021-04-01"):
        props.pop("publicNetworkAccess", None)
    return out


def _rid(sub: str, group: str, provider_type: str, name: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{group}/providers/{provider_type}/{name}"


def _hex() -> str:
    return uuid.uuid4().hex


def _parse_id(resource_id: str) -> tuple[str, str, str, str]:
    """(subscription, group, lower-cased kind, name) of an ARM resource id."""
    match = re.match(
        r"(?i)^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/[^/]+/([^/]+)/([^/]+)$", resource_id
    )
    if not match:
        raise ArmError(400, "InvalidParameter", f"'{resource_id}' is not a valid resource id.")  # synthesized
    return match.group(1), match.group(2), match.group(3).lower(), match.group(4)


class Arm:
    """The peer's behaviour; thread-safe (one lock around every request)."""

    def __init__(self, polls: int = 1, retry_after: int | None = None) -> None:
        self.store = Store(polls=polls)
        self.retry_after = retry_after

    # -- entry point ---------------------------------------------------------------------
    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        body: Any,
        base: str,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        segments = [s for s in path.split("/") if s]
        lowered = {k.lower(): v for k, v in (headers or {}).items()}
        request = Request(method.upper(), segments, query, body, base, lowered)
        with self.store.lock:
            if request.method == "GET" and not _is_status_path(path):
                self.store.tick()  # time passes per observation: see the module docstring
            try:
                if "api-version" not in query:
                    raise ArmError(  # real ARM code
                        400,
                        "MissingApiVersionParameter",
                        "The api-version query parameter (?api-version=) is required for all requests.",
                    )
                return self._route(request)
            except ArmError as exc:
                return Reply(exc.status, None if method.upper() == "HEAD" else exc.body())

    def _route(self, r: Request) -> Reply:
        s = r.lower
        if len(s) < 2 or s[0] != "subscriptions":
            raise ArmError(404, "NotFound", "The requested resource does not exist.")  # synthesized
        sub = r.segments[1]
        rest, raw = s[2:], r.segments[2:]
        if rest[:1] == ["operationresults"] and len(rest) == 2:
            return self._operation_result(r, raw[1])
        if rest == ["locations"] and r.method == "GET":
            return Reply(200, {"value": [location_doc(sub, name) for name in LOCATIONS]})
        if rest[:1] == ["providers"] and len(rest) >= 2:
            return self._subscription_provider(r, sub, rest[1:], raw[1:])
        if rest == ["resourcegroups"]:
            if r.method != "GET":
                raise self._bad_method(r)
            return self._group_list(r, sub)
        if rest[:1] == ["resourcegroups"] and len(rest) >= 2:
            group = raw[1]
            if len(rest) == 2:
                return self._group(r, sub, group)
            self._group_exists(sub, group)
            if rest[2:] == ["resources"] and r.method == "GET":
                return Reply(200, {"value": self._group_resources(sub, group)})
            if rest[2:3] == ["providers"] and len(rest) == 5 and r.method == "GET":
                expand = "instanceview" in r.query.get("$expand", "").lower()
                return self._list_in_group(sub, group, rest[3], rest[4], r.api_version, expand)
            if rest[2:3] == ["providers"] and len(rest) >= 6:
                return self._resource(r, sub, group, rest[3], rest[4], raw[5], rest[6:], raw[6:])
        raise ArmError(404, "NotFound", "The requested resource does not exist.")  # synthesized

    @staticmethod
    def _bad_method(r: Request) -> ArmError:
        return ArmError(
            405, "MethodNotAllowed", f"The HTTP method '{r.method}' is not supported."
        )  # synthesized

    # -- operations ----------------------------------------------------------------------
    def _op_url(
        self, r: Request, sub: str, kind: str, location: str, op_id: str, monitor: bool = False
    ) -> str:
        api = r.api_version
        if kind == "network":
            path = f"/subscriptions/{sub}/providers/{NETWORK}/locations/{location}/operations/{op_id}"
            return f"{r.base}{path}?api-version={api}"
        segment = "DiskOperations" if kind == "disk" else "operations"
        path = f"/subscriptions/{sub}/providers/{COMPUTE}/locations/{location}/{segment}/{op_id}"
        monitor_q = "&monitor=true" if monitor else ""
        return f"{r.base}{path}?p={PARTITION[kind]}{monitor_q}&api-version={api}"

    def _lro(
        self,
        r: Request,
        sub: str,
        kind: str,
        location: str,
        status: int,
        body: Any,
        on_done: Callable[[], JSON | None],
        location_header: bool,
    ) -> Reply:
        op = self.store.operation(kind, on_done)
        headers = {"Azure-AsyncOperation": self._op_url(r, sub, kind, location, op.id)}
        if location_header:
            headers["Location"] = self._op_url(r, sub, kind, location, op.id, monitor=kind != "network")
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        return Reply(status, body, headers)

    def _operation_status(self, r: Request, kind: str, op_id: str) -> Reply:
        op = self.store.operations.get(op_id)
        if op is None or op.kind != kind:
            raise ArmError(404, "NotFound", f"The operation '{op_id}' was not found.")  # synthesized
        if r.query.get("monitor") == "true" or (kind == "network" and r.query.get("monitor")):
            op.advance()
            if not op.done:
                return Reply(202, None, {"Location": f"{r.base}/{'/'.join(r.segments)}?{_query(r.query)}"})
            return Reply(200, None)
        op.advance()
        if kind == "network":
            return Reply(200, {"status": "Succeeded" if op.done else "InProgress"})
        doc: JSON = {"startTime": op.started}
        if op.done:
            doc["endTime"] = op.ended
            doc["status"] = "Succeeded"
            if kind == "disk" and op.output is not None:
                doc["properties"] = {"output": op.output}
        else:
            doc["status"] = "InProgress"
        doc["name"] = op.id
        return Reply(200, doc)

    def _operation_result(self, r: Request, token: str) -> Reply:
        op = self.store.operations.get(token)
        if op is None or op.kind != "groups":
            raise ArmError(404, "NotFound", f"The operation '{token}' was not found.")  # synthesized
        op.advance()
        if not op.done:
            headers = {"Location": f"{r.base}/{'/'.join(r.segments)}?{_query(r.query)}"}
            if self.retry_after is not None:
                headers["Retry-After"] = str(self.retry_after)
            return Reply(202, None, headers)
        return Reply(200, None)

    # -- subscription-level providers ----------------------------------------------------
    def _subscription_provider(self, r: Request, sub: str, rest: list[str], raw: list[str]) -> Reply:
        if r.method != "GET":
            raise self._bad_method(r)
        provider = rest[0]
        if provider == "microsoft.compute" and rest[1:2] == ["locations"] and len(rest) >= 4:
            location = raw[2]
            tail, tail_raw = rest[3:], raw[3:]
            if tail[0] in ("operations", "diskoperations") and len(tail) == 2:
                return self._operation_status(
                    r, "disk" if tail[0] == "diskoperations" else "compute", tail_raw[1]
                )
            if tail == ["vmsizes"]:
                return Reply(200, {"value": [s.vm_size() for s in SIZES]})
            if tail == ["virtualmachines"]:
                vms = [
                    v
                    for v in self.store.in_subscription(sub, "virtualmachines")
                    if v["location"].lower() == location.lower()
                ]
                return Reply(200, {"value": [self.view("virtualmachines", v, r.api_version) for v in vms]})
            if tail[0] == "publishers":
                return self._images(r, sub, location, tail_raw[1:])
        if (
            provider == "microsoft.network"
            and rest[1:2] == ["locations"]
            and len(rest) == 5
            and rest[3] == "operations"
        ):
            return self._operation_status(r, "network", raw[4])
        if provider == "microsoft.compute" and rest[1:] == ["skus"]:
            return Reply(200, {"value": self._skus(r.query.get("$filter", ""))})
        if (
            provider == "microsoft.compute"
            and len(rest) == 2
            and rest[1] in ("virtualmachines", "disks", "snapshots")
        ):
            items = self.store.in_subscription(sub, rest[1])
            return Reply(200, {"value": [self.view(rest[1], i, r.api_version) for i in items]})
        if (
            provider == "microsoft.network"
            and len(rest) == 2
            and rest[1] in ("virtualnetworks", "networkinterfaces")
        ):
            items = self.store.in_subscription(sub, rest[1])
            return Reply(200, {"value": [self.view(rest[1], i, r.api_version) for i in items]})
        raise ArmError(404, "NotFound", "The requested resource does not exist.")  # synthesized

    def _skus(self, filter_: str) -> list[JSON]:
        match = re.search(r"location\s+eq\s+'([^']+)'", filter_)
        location = match.group(1) if match else "eastus"
        return [
            {
                "resourceType": "virtualMachines",
                "name": s.name,
                "tier": "Standard",
                "size": s.name.removeprefix("Standard_"),
                "family": s.family,
                "locations": [location],
                "locationInfo": [{"location": location, "zones": [], "zoneDetails": []}],
                "capabilities": [
                    {"name": "vCPUs", "value": str(s.cores)},
                    {"name": "MemoryGB", "value": f"{s.memory_mb / 1024:g}"},
                    {"name": "MaxDataDiskCount", "value": str(s.max_data_disks)},
                    {"name": "CpuArchitectureType", "value": s.architecture},
                    {"name": "HyperVGenerations", "value": "V2" if s.architecture == "Arm64" else "V1,V2"},
                    {"name": "PremiumIO", "value": "True" if "s" in s.name.split("_")[1][1:] else "False"},
                ],
                "restrictions": [],
            }
            for s in SIZES
        ]

    # -- marketplace images --------------------------------------------------------------
    def _images(self, r: Request, sub: str, location: str, raw: list[str]) -> Reply:
        def ref(path: str, name: str) -> JSON:
            return {
                "location": location,
                "name": name,
                "id": f"/Subscriptions/{sub}/Providers/{COMPUTE}/Locations/{location}/Publishers/{path}",
            }

        def pick(**want: str) -> list[Image]:
            return [i for i in IMAGES if all(getattr(i, k).lower() == v.lower() for k, v in want.items())]

        not_found = ArmError(404, "NotFound", "Artifact: VMImage was not found.")  # real code
        if not raw:
            names = sorted({i.publisher for i in IMAGES})
            return Reply(200, [ref(n, n) for n in names])
        pub = raw[0]
        rest = [s.lower() for s in raw[1:]]
        if rest[:2] != ["artifacttypes", "vmimage"] or not pick(publisher=pub):
            raise not_found
        found = pick(publisher=pub)
        pub = found[0].publisher
        if len(rest) == 3 and rest[2] == "offers":
            offers = sorted({i.offer for i in found})
            return Reply(200, [ref(f"{pub}/ArtifactTypes/VMImage/Offers/{o}", o) for o in offers])
        offer = raw[4] if len(raw) > 4 else ""
        found = pick(publisher=pub, offer=offer)
        if not found:
            raise not_found
        offer = found[0].offer
        base = f"{pub}/ArtifactTypes/VMImage/Offers/{offer}/Skus"
        if len(rest) == 5 and rest[4] == "skus":
            skus = sorted({i.sku for i in found})
            upgrade = {"automaticOSUpgradeProperties": {"automaticOSUpgradeSupported": False}}
            return Reply(200, [{"properties": upgrade, **ref(f"{base}/{s}", s)} for s in skus])
        if len(rest) >= 7 and rest[4] == "skus" and rest[6] == "versions":
            found = pick(publisher=pub, offer=offer, sku=raw[6])
            if not found:
                raise not_found
            if len(rest) == 7:
                versions = sorted(
                    found, key=lambda i: i.version, reverse="desc" in r.query.get("$orderby", "")
                )
                if "$top" in r.query:
                    versions = versions[: int(r.query["$top"])]
                return Reply(200, [ref(f"{base}/{i.sku}/Versions/{i.version}", i.version) for i in versions])
            if len(rest) == 8:
                wanted = raw[8]
                if wanted.lower() == "latest":
                    image = max(found, key=lambda i: i.version)
                else:
                    matches = [i for i in found if i.version == wanted]
                    if not matches:
                        raise not_found
                    image = matches[0]
                body = {
                    "properties": {
                        "hyperVGeneration": image.generation,
                        "architecture": image.architecture,
                        "replicaType": "Unmanaged",
                        "disallowed": {"vmDiskType": "None"},
                        "automaticOSUpgradeProperties": {"automaticOSUpgradeSupported": False},
                        "imageDeprecationStatus": {"imageState": "Active"},
                        "osDiskImage": {"operatingSystem": image.os, "sizeInBytes": image.size_gb * 2**30},
                        "dataDiskImages": [],
                    },
                    **ref(f"{base}/{image.sku}/Versions/{image.version}", image.version),
                }
                props = body["properties"]
                if not since(r.api_version, "2022-08-01"):  # approximated: 2021-07-01 also has sizeInGb
                    props["osDiskImage"]["sizeInGb"] = image.size_gb
                    props.pop("imageDeprecationStatus")
                return Reply(200, body)
        raise not_found

    # -- resource groups -----------------------------------------------------------------
    def _group_exists(self, sub: str, group: str) -> JSON:
        found = self.store.groups.get((sub.lower(), group.lower()))
        if found is None or found["properties"]["provisioningState"] == "Deleting":
            raise group_not_found(group)
        return found

    def _group(self, r: Request, sub: str, group: str) -> Reply:
        key = (sub.lower(), group.lower())
        existing = self.store.groups.get(key)
        if r.method == "PUT":
            body = r.body or {}
            if "location" not in body:  # synthesized
                raise ArmError(
                    400, "LocationRequired", "The location property is required for this definition."
                )
            if existing and existing["properties"]["provisioningState"] == "Deleting":
                raise ArmError(  # real ARM code for this case
                    409,
                    "ResourceGroupBeingDeleted",
                    f"The resource group '{group}' is in deprovisioning state "
                    "and cannot perform this operation.",
                )
            created = existing is None
            doc = existing or {
                "id": f"/subscriptions/{sub}/resourceGroups/{group}",
                "name": group,
                "type": "Microsoft.Resources/resourceGroups",
                "location": body["location"],
            }
            if body.get("tags") is not None:
                doc["tags"] = dict(body["tags"])
            doc["properties"] = {"provisioningState": "Succeeded"}
            self.store.groups[key] = doc
            return Reply(201 if created else 200, copy.deepcopy(doc))
        if r.method == "HEAD":
            self._group_exists(sub, group)
            return Reply(204)
        doc = self._group_exists(sub, group)
        if r.method == "GET":
            return Reply(200, copy.deepcopy(doc))
        if r.method == "PATCH":
            if (r.body or {}).get("tags") is not None:
                doc["tags"] = dict(r.body["tags"])
            return Reply(200, copy.deepcopy(doc))
        if r.method == "DELETE":
            doc["properties"]["provisioningState"] = "Deleting"

            def finish() -> None:
                self.store.groups.pop(key, None)
                for k in [k for k in self.store.resources if k[:2] == key]:
                    del self.store.resources[k]

            op = self.store.operation("groups", finish)
            location = f"{r.base}/subscriptions/{sub}/operationresults/{op.id}?api-version={r.api_version}"
            headers = {"Location": location}
            if self.retry_after is not None:
                headers["Retry-After"] = str(self.retry_after)
            return Reply(202, None, headers)
        raise self._bad_method(r)

    def _group_resources(self, sub: str, group: str) -> list[JSON]:
        out = []
        for (s, g, _, _), res in sorted(self.store.resources.items()):
            if (s, g) == (sub.lower(), group.lower()):
                item: JSON = {k: res[k] for k in ("id", "name", "type", "location") if k in res}
                if "managedBy" in res:
                    item["managedBy"] = res["managedBy"]
                out.append(item)
        return out

    def _group_list(self, r: Request, sub: str) -> Reply:
        groups = [copy.deepcopy(g) for (s_, _), g in sorted(self.store.groups.items()) if s_ == sub.lower()]
        skip = int(r.query.get("$skiptoken") or 0)
        page: JSON = {"value": groups[skip:]}
        if r.query.get("$top", "").isdigit():
            top = int(r.query["$top"])
            page["value"] = groups[skip : skip + top]
            if skip + top < len(groups):
                page["nextLink"] = (
                    f"{r.base}/subscriptions/{sub}/resourcegroups?%24top={top}"
                    f"&%24skiptoken={skip + top}&api-version={r.api_version}"
                )
        return Reply(200, page)

    # -- resources in a group ------------------------------------------------------------
    def _list_in_group(
        self, sub: str, group: str, provider: str, kind: str, api_version: str, expand: bool = False
    ) -> Reply:
        if kind not in TYPES or TYPES[kind].split("/")[0].lower() != provider:
            raise ArmError(  # real ARM code; message synthesized
                400,
                "InvalidResourceType",
                f"The resource type '{kind}' could not be found in the namespace '{provider}'.",
            )
        items = self.store.in_group(sub, group, kind)
        return Reply(200, {"value": [self.view(kind, i, api_version, expand) for i in items]})

    def _resource(
        self,
        r: Request,
        sub: str,
        group: str,
        provider: str,
        kind: str,
        name: str,
        rest: list[str],
        raw: list[str],
    ) -> Reply:
        if (provider, kind) == ("microsoft.compute", "virtualmachines"):
            from .vms import handle_vm

            return handle_vm(self, r, sub, group, name, rest)
        if (provider, kind) in (("microsoft.compute", "disks"), ("microsoft.compute", "snapshots")):
            from .disks import handle_disk

            return handle_disk(self, r, sub, group, kind, name, rest)
        if (provider, kind) in (
            ("microsoft.network", "virtualnetworks"),
            ("microsoft.network", "networkinterfaces"),
        ):
            from .network import handle_network

            return handle_network(self, r, sub, group, kind, name, rest, raw)
        raise ArmError(  # real ARM code; message synthesized
            400,
            "InvalidResourceType",
            f"The resource type '{kind}' could not be found in the namespace '{provider}'.",
        )

    # -- helpers shared by the resource modules ------------------------------------------
    def get(self, sub: str, group: str, kind: str, name: str) -> JSON:
        found = self.store.resources.get(self.store.key(sub, group, kind, name))
        if found is None:
            raise resource_not_found(TYPES[kind], name, group)
        return found

    def find(self, sub: str, group: str, kind: str, name: str) -> JSON | None:
        return self.store.resources.get(self.store.key(sub, group, kind, name))

    def put(self, sub: str, group: str, kind: str, name: str, doc: JSON) -> None:
        self.store.resources[self.store.key(sub, group, kind, name)] = doc

    def drop(self, sub: str, group: str, kind: str, name: str) -> None:
        self.store.resources.pop(self.store.key(sub, group, kind, name), None)

    def by_id(self, resource_id: str) -> JSON | None:
        sub, group, kind, name = _parse_id(resource_id)
        return self.find(sub, group, kind, name)

    def lro(
        self,
        r: Request,
        sub: str,
        kind: str,
        location: str,
        status: int,
        body: Any,
        on_done: Callable[[], JSON | None],
        location_header: bool,
    ) -> Reply:
        return self._lro(r, sub, kind, location, status, body, on_done, location_header)

    def view(self, kind: str, doc: JSON, api_version: str, expand: bool = False) -> JSON:
        """``doc`` as a GET or a listing answers it at ``api_version`` (VMs with their
        instance view when ``expand``)."""
        if kind == "virtualmachines":
            from .vms import vm_view

            return vm_view(doc, expand=expand, api_version=api_version)
        return render(kind, doc, api_version)


def _is_status_path(path: str) -> bool:
    """Whether ``path`` is an operation's status (polled by SDK pollers)."""
    lower = path.lower()
    return any(part in lower for part in ("/operations/", "/diskoperations/", "/operationresults/"))


def _query(query: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(query)


def rid(sub: str, group: str, provider_type: str, name: str) -> str:
    """The ARM id of a resource."""
    return _rid(sub, group, provider_type, name)


def new_id() -> str:
    """A fresh GUID string."""
    return str(uuid.uuid4())


def hex_id() -> str:
    """A fresh 32-character hex id (as in OS disk names)."""
    return _hex()


def dumps(body: Any) -> bytes:
    """The JSON text of a body."""
    return json.dumps(body).encode("utf-8")


__all__ += ["dumps", "hex_id", "new_id", "now", "render", "rid", "since"]
