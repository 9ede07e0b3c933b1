"""The ARM test peer answers like real Azure did, recording by recording.

For every file of ``cassettes/azure/real/`` a fresh peer gets each recorded request in
order (host rewritten, names kept); where the recording polls an operation, the peer's own
``Azure-AsyncOperation``/``Location`` URL is followed instead, and the peer is told how many
``InProgress`` answers the recording saw, so the sequences line up. Compared: status codes,
the names of the LRO headers (``Azure-AsyncOperation``, ``Location``, ``Retry-After``) and the
JSON shape of bodies (keys and value kinds, recursively; values ignored). Every remaining
difference must be listed in :data:`KNOWN` with its reason; docs/cassettes.md repeats them.
"""

from __future__ import annotations

import ast
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from cloudneutral_azure.testing.arm_peer import ArmPeer
from cloudneutral_azure.testing.replay import real_cassettes_dir
from cloudneutral_azure.testing.shapes import shape_differences

CASSETTES = sorted(real_cassettes_dir().glob("*.yaml"))
LRO_HEADERS = ("azure-asyncoperation", "location", "retry-after")
OPERATION = re.compile(
    r"(?i)/providers/Microsoft\.(?:Compute|Network)/locations/[^/]+/(?:operations|DiskOperations)/([^/]+)$"
    r"|/operationresults/([^/]+)$"
)

#: Differences that remain, as regular expressions over "cassette | METHOD path | finding", with why.
KNOWN: dict[str, str] = {
    # Operations an adapter does not use, so the peer does not implement them.
    r"\| (PUT|PATCH|GET|DELETE) \S+/extensions(/|\b)": "VM extensions are not implemented (no adapter use)",
    r"\| (GET|POST) \S+/run[cC]ommand": "run commands are not implemented (no adapter use)",
    r"\| POST \S+/(reapply|redeploy|generalize|simulateEviction|performMaintenance|convertToManagedDisks"
    r"|reimage)\b": "these VM actions are not implemented (no adapter use)",
    r"\| POST \S+/(beginGetAccess|endGetAccess)\b": "disk/snapshot SAS export is not implemented",
    r"\| (PUT|PATCH|GET|DELETE) \S+/images/": "managed images are not implemented (no adapter use)",
    r"\| POST \S+/exportTemplate\b": "resource group template export is not implemented (no adapter use)",
    r"poll of an operation the peer did not start": "follows one of the unimplemented operations above",
    # State and shapes.
    r"\| GET /subscriptions/[^/]+/resourcegroups\?\$top=2\S* \| \$\.(nextLink|value\[0\]\.tags)": (
        "the recorded subscription held 30 other groups, so Azure's first page differs and has a nextLink"
    ),
    r"\| GET \S+/instanceView\S* \| \$\.extensions|\$(\.value\[0\])?\.resources: only in Azure": (
        "VM extensions are not implemented, so neither the instance view nor the VM lists them"
    ),
    r"\.instanceView\.extensions: only in Azure": "VM extensions are not implemented",
    r"test_mgmt_compute_base_async\S* \| PATCH \S+/virtualMachines/\S+ \| LRO headers": (
        "recordings disagree: PATCH of a VM answered with Azure-AsyncOperation in 2020 and without in 2021; "
        "the peer follows 2021 (no operation unless data disks change)"
    ),
}


@dataclass
class Finding:
    index: int
    request: str
    what: str

    def line(self, cassette: str) -> str:
        return f"{cassette} | {self.request} | {self.what}"


def _json(text: Any) -> Any:
    # The 2020 async recording stored some request bodies as the repr of a repr of bytes.
    while isinstance(text, str) and text.startswith(("b'", 'b"')):
        text = ast.literal_eval(text)
    while isinstance(text, bytes) and text.startswith((b"b'", b'b"')):
        text = ast.literal_eval(text.decode("utf-8"))
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if not text or not str(text).strip():
        return None
    return json.loads(text)


def _send(method: str, url: str, body: Any = None) -> tuple[int, dict[str, str], Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", "Bearer fidelity-test")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return (
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                _json(response.read()),
            )
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, _json(exc.read())


def _headers(response: dict[str, Any]) -> dict[str, str]:
    out = {}
    for name, value in (response.get("headers") or {}).items():
        out[name.lower()] = value[0] if isinstance(value, list) else value
    return out


def _op_id(url: str) -> str | None:
    match = OPERATION.search(urlsplit(url).path)
    return (match.group(1) or match.group(2)) if match else None


def _in_progress(interactions: list[Any], op_id: str, location_only: bool) -> int:
    """How many status requests of ``op_id`` the recording answered as still running."""
    count = 0
    for later in interactions:
        uri = later["request"]["uri"]
        if _op_id(uri) != op_id:
            continue
        response = later["response"]
        if location_only:
            count += response["status"]["code"] == 202
        elif "monitor=true" not in uri:
            count += (_json(response["body"]["string"]) or {}).get("status") == "InProgress"
    return count


def _setup(peer: ArmPeer, cassette: str, interactions: list[Any]) -> None:
    """What existed before the recording started (its test's fixtures)."""
    if cassette.startswith("test_mgmt_resource."):
        return
    groups = {
        m.group(1)
        for it in interactions
        for m in [re.search(r"(?i)/resourceGroups/([^/?]+)", it["request"]["uri"])]
        if m
    }
    location = "eastus2" if cassette.startswith("test_vm_disk") else "eastus"
    for group in groups:
        _send(
            "PUT",
            f"{peer.endpoint}/subscriptions/{SUB}/resourcegroups/{group}?api-version=x",
            {"location": location},
        )
    if cassette.startswith("test_vm_disk"):
        _azure_cli_vm(peer, next(iter(groups)))


SUB = "00000000-0000-0000-0000-000000000000"


def _azure_cli_vm(peer: ArmPeer, group: str) -> None:
    """azure-cli's VM before the excerpt: CentOS 7.5, Standard_B2ms, disk d1 at LUN 0."""
    base = f"{peer.endpoint}/subscriptions/{SUB}/resourceGroups/{group}/providers"
    q = "?api-version=2025-11-01"
    peer.arm.store.polls = 0

    def done(status: int, headers: dict[str, str], body: Any) -> Any:
        assert status in (200, 201, 202), body
        if "azure-asyncoperation" in headers:
            _send("GET", headers["azure-asyncoperation"])
        return body

    done(
        *_send(
            "PUT",
            f"{base}/Microsoft.Network/virtualNetworks/vm-diskattach-testVNET{q}",
            {"location": "eastus2", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}},
        )
    )
    subnet = done(
        *_send(
            "PUT",
            f"{base}/Microsoft.Network/virtualNetworks/vm-diskattach-testVNET/subnets/s{q}",
            {"properties": {"addressPrefix": "10.0.0.0/24"}},
        )
    )
    nic = done(
        *_send(
            "PUT",
            f"{base}/Microsoft.Network/networkInterfaces/vm-diskattach-testVMNic{q}",
            {
                "location": "eastus2",
                "properties": {
                    "ipConfigurations": [
                        {"name": "ipconfigvm", "properties": {"subnet": {"id": subnet["id"]}}}
                    ]
                },
            },
        )
    )
    disk = done(
        *_send(
            "PUT",
            f"{base}/Microsoft.Compute/disks/d1{q}",
            {
                "location": "eastus2",
                "sku": {"name": "Premium_LRS"},
                "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 1},
            },
        )
    )
    done(
        *_send(
            "PUT",
            f"{base}/Microsoft.Compute/virtualMachines/vm-diskattach-test{q}",
            {
                "location": "eastus2",
                "tags": {},
                "properties": {
                    "hardwareProfile": {"vmSize": "Standard_B2ms"},
                    "storageProfile": {
                        "imageReference": {
                            "publisher": "OpenLogic",
                            "offer": "CentOS",
                            "sku": "7.5",
                            "version": "latest",
                        },
                        "osDisk": {
                            "name": "vm-diskattach-test_OsDisk_1_b92955ae9d0c4a0ba20b095e227fd151",
                            "createOption": "FromImage",
                            "managedDisk": {"storageAccountType": "Premium_LRS"},
                        },
                        "dataDisks": [
                            {
                                "lun": 0,
                                "createOption": "Attach",
                                "caching": "None",
                                "managedDisk": {
                                    "id": f"/subscriptions/{SUB}/resourceGroups/{group}/providers/"
                                    f"Microsoft.Compute/disks/{disk['name']}"
                                },
                            }
                        ],
                    },
                    "osProfile": {"computerName": "vm-diskattach-test", "adminUsername": "admin123"},
                    "networkProfile": {"networkInterfaces": [{"id": nic["id"]}]},
                },
            },
        )
    )


def replay_against_peer(path: Path) -> list[Finding]:
    """Send ``path``'s requests to a fresh peer; the differences found."""
    interactions = yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"]
    findings: list[Finding] = []
    operations: dict[str, dict[str, str | None]] = {}
    with ArmPeer() as peer:
        _setup(peer, path.name, interactions)
        for index, interaction in enumerate(interactions):
            request, recorded = interaction["request"], interaction["response"]
            url = urlsplit(request["uri"])
            label = f"{request['method']} {url.path}"
            if url.query:
                label += "?" + url.query
            op_id = _op_id(request["uri"]) if request["method"] == "GET" else None
            if op_id is not None:
                target = operations.get(op_id)
                by_location = "monitor=true" in url.query or "/operationresults/" in url.path.lower()
                peer_url = (target or {}).get("location" if by_location else "async")
                if not peer_url:
                    findings.append(Finding(index, label, "poll of an operation the peer did not start"))
                    continue
                status, headers, body = _send("GET", peer_url)
            else:
                rec_headers = _headers(recorded)
                rec_url = rec_headers.get("azure-asyncoperation") or rec_headers.get("location")
                rec_op = _op_id(rec_url) if rec_url else None
                if rec_op:
                    location_only = "azure-asyncoperation" not in rec_headers
                    peer.arm.store.polls = _in_progress(interactions[index + 1 :], rec_op, location_only)
                status, headers, body = _send(
                    request["method"], f"{peer.endpoint}{url.path}?{url.query}", _json(request.get("body"))
                )
                if rec_op:
                    operations[rec_op] = {
                        "async": headers.get("azure-asyncoperation"),
                        "location": headers.get("location"),
                    }
            findings += _compare(index, label, recorded, status, headers, body)
    return findings


def _compare(
    index: int, label: str, recorded: dict[str, Any], status: int, headers: dict[str, str], body: Any
) -> list[Finding]:
    out: list[Finding] = []
    if recorded["status"]["code"] != status:
        out.append(
            Finding(index, label, f"status {recorded['status']['code']} in Azure, {status} in the peer")
        )
        return out
    rec_headers = _headers(recorded)
    real_lro = sorted(h for h in LRO_HEADERS if h in rec_headers)
    peer_lro = sorted(h for h in LRO_HEADERS if h in headers)
    if real_lro != peer_lro:
        out.append(Finding(index, label, f"LRO headers {real_lro} in Azure, {peer_lro} in the peer"))
    real_body = _json(recorded["body"]["string"])
    if (real_body is None) != (body is None):
        out.append(
            Finding(
                index,
                label,
                f"body {'empty' if real_body is None else 'JSON'} in Azure, "
                f"{'empty' if body is None else 'JSON'} in the peer",
            )
        )
    elif real_body is not None:
        out += [Finding(index, label, d) for d in shape_differences(real_body, body)]
    return out


def unexplained(cassette: str, findings: list[Finding]) -> list[str]:
    lines = [f.line(cassette) for f in findings]
    return [line for line in lines if not any(re.search(pattern, line) for pattern in KNOWN)]


@pytest.mark.parametrize("path", CASSETTES, ids=[p.name for p in CASSETTES])
def test_peer_answers_like_azure(path: Path) -> None:
    findings = replay_against_peer(path)
    assert unexplained(path.name, findings) == []


def test_every_known_difference_still_occurs() -> None:
    """The list above stays honest: an entry no recording produces any more is removed."""
    lines = [f.line(p.name) for p in CASSETTES for f in replay_against_peer(p)]
    assert [pattern for pattern in KNOWN if not any(re.search(pattern, line) for line in lines)] == []


if __name__ == "__main__":  # print every difference, explained or not (for docs/cassettes.md)
    for cassette in CASSETTES:
        for finding in replay_against_peer(cassette):
            line = finding.line(cassette.name)
            reason = next((r for p, r in KNOWN.items() if re.search(p, line)), "UNEXPLAINED")
            print(f"{finding.index:3d} {line[:220]}  => {reason}")
