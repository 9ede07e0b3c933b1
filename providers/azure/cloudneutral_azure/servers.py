"""Servers on ARM virtual machines: the :class:`cloudneutral.driver.ServerDriver` of Azure.

A server is a VM in the connection's resource group, named and identified by its ARM
name (a second server of the same name is ``AlreadyExists``: the create sends
``If-None-Match: *``). It gets a NIC on the shared subnet (see :mod:`._network`), an OS
disk and NIC that ARM deletes with it (``deleteOption: Delete``), no public IP, and an
admin account ``cloudneutral`` with a random password that is never stored, logged or
recorded (reset it with the VM access extension to log in).

Long-running operations (create, start, stop = deallocate, restart, delete) are started
and not waited for: the portable layer waits, reading the VM with its instance view, and
owns the timeout. A state is the VM's provisioning state and power state together
(:func:`server_state`). Sizes, images and regions: :mod:`._catalogue`.
"""

from __future__ import annotations

import contextlib
import secrets
import string
from collections.abc import Sequence
from typing import Any

import attrs
from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError
from azure.mgmt.compute.models import VirtualMachine

from cloudneutral.driver import ServerRequest
from cloudneutral.errors import AlreadyExists, NotFound
from cloudneutral.models import Image, Page, Region, Server, ServerState, Size
from cloudneutral.redaction import remember

from ._arm import (
    JSON,
    doc,
    first_page,
    is_group_missing,
    page_after,
    parse_time,
    split_ref,
    status_code,
    values,
    zone_of,
    zones_for,
)
from ._catalogue import Catalogue, image_urn
from ._clients import Clients
from ._network import Network, nic_name

__all__ = ["ADMIN_USER", "POWER_STATES", "AzureServerDriver", "server_state"]

PROVIDER = "azure"
ADMIN_USER = "cloudneutral"

#: ``PowerState/...`` of an instance view -> the portable state.
POWER_STATES: dict[str, ServerState] = {
    "starting": ServerState.PENDING,
    "running": ServerState.RUNNING,
    "stopping": ServerState.STOPPING,
    "stopped": ServerState.STOPPED,
    "deallocating": ServerState.STOPPING,
    "deallocated": ServerState.STOPPED,
    "restarting": ServerState.REBOOTING,
}


def _statuses(vm: JSON) -> dict[str, str]:
    """``{"ProvisioningState": "succeeded", "PowerState": "running"}`` of an instance view."""
    out: dict[str, str] = {}
    for status in values(vm, "properties", "instanceView", "statuses") or ():
        kind, _, value = str(status.get("code", "")).partition("/")
        out.setdefault(kind, value.split("/")[0].lower())
    return out


def server_state(vm: JSON) -> ServerState:
    """The portable state of a VM document (with its instance view when it has one)."""
    provisioning = str(values(vm, "properties", "provisioningState") or "").lower()
    statuses = _statuses(vm)
    if provisioning == "failed" or statuses.get("ProvisioningState") == "failed":
        return ServerState.ERROR
    if provisioning == "deleting":
        return ServerState.STOPPING
    power = statuses.get("PowerState")
    if power in POWER_STATES:
        if provisioning == "creating" and power != "running":
            return ServerState.PENDING
        return POWER_STATES[power]
    if provisioning in ("creating", "updating", ""):
        return ServerState.PENDING
    return ServerState.UNKNOWN


def _server(native: Any) -> Server:
    vm = doc(native)
    props = vm.get("properties") or {}
    storage = props.get("storageProfile") or {}
    disks = [storage.get("osDisk") or {}, *(storage.get("dataDisks") or ())]
    volumes = [
        str(d.get("name") or values(d, "managedDisk", "id") or "").rpartition("/")[2]
        for d in disks
        if not d.get("toBeDetached")
    ]
    return Server(
        id=vm["name"],
        name=vm["name"],
        state=server_state(vm),
        size=str(values(props, "hardwareProfile", "vmSize") or ""),
        image=image_urn(storage.get("imageReference") or {}),
        zone=zone_of(vm.get("location", ""), vm.get("zones")),
        volumes=tuple(v for v in volumes if v),
        created=parse_time(props.get("timeCreated")),
        tags=dict(vm.get("tags") or {}),
        provider=PROVIDER,
        native=native,
    )


def _password() -> str:
    """A random admin password meeting Azure's rules (12-123 characters of 3 classes)."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(28))
    return f"Cn{body}9!"


class AzureServerDriver:
    """VMs of one resource group, and the catalogue of its location."""

    def __init__(self, clients: Clients, network: Network, catalogue: Catalogue) -> None:
        self._clients = clients
        self._network = network
        self._catalogue = catalogue

    def natives(self) -> Sequence[object]:
        return (self._clients.compute, self._clients.network)

    def _ref(self, server_id: str) -> tuple[str, str]:
        return split_ref(server_id, self._clients.resource_group)

    # -- catalogue ------------------------------------------------------------------------
    def list_sizes(self, page_size: int, token: str | None) -> Page[Size]:
        return self._catalogue.list_sizes(page_size, token)

    def list_images(self, os: str | None, page_size: int, token: str | None) -> Page[Image]:
        return self._catalogue.list_images(os, page_size, token)

    def get_image(self, image_id: str) -> Image:
        return self._catalogue.get_image(image_id)

    def list_regions(self, page_size: int, token: str | None) -> Page[Region]:
        return self._catalogue.list_regions(page_size, token)

    # -- servers ---------------------------------------------------------------------------
    def create_server(self, request: ServerRequest) -> Server:
        clients = self._clients
        zones = zones_for(clients.location, request.zone)
        publisher, offer, sku, version = ([*request.image.id.split(":"), "", "", "", ""])[:4]
        password = _password()
        remember(password)
        nic_id = self._network.create_nic(request.name, clients.location)
        body: JSON = {
            "location": clients.location,
            "tags": dict(request.tags),
            "properties": {
                "hardwareProfile": {"vmSize": request.size.name},
                "storageProfile": {
                    "imageReference": {
                        "publisher": publisher,
                        "offer": offer,
                        "sku": sku,
                        "version": version,
                    },
                    "osDisk": {"createOption": "FromImage", "deleteOption": "Delete"},
                },
                "osProfile": {
                    "computerName": request.name[:15] if request.image.os == "windows" else request.name,
                    "adminUsername": ADMIN_USER,
                    "adminPassword": password,
                },
                "networkProfile": {
                    "networkInterfaces": [
                        {"id": nic_id, "properties": {"primary": True, "deleteOption": "Delete"}}
                    ]
                },
            },
        }
        if zones:
            body["zones"] = zones
        try:
            poller = clients.compute.virtual_machines.begin_create_or_update(
                clients.resource_group,
                request.name,
                VirtualMachine(body),
                match_condition=MatchConditions.IfMissing,
                polling=False,
            )
            return _server(poller.result())
        except HttpResponseError as exc:
            if exc.status_code == 412:  # If-None-Match: * -- a VM of that name exists (the NIC is its)
                raise AlreadyExists(f"a server named {request.name!r} exists") from exc
            with contextlib.suppress(HttpResponseError):
                clients.network.network_interfaces.begin_delete(
                    clients.resource_group, nic_name(request.name), polling=False
                )
            raise

    def get_server(self, server_id: str) -> Server:
        """The VM with its instance view; a running one also with the private addresses of
        its NICs (one more request per NIC; listings carry no addresses)."""
        group, name = self._ref(server_id)
        server = _server(self._clients.compute.virtual_machines.get(group, name, expand="instanceView"))
        if server.state is not ServerState.RUNNING:
            return server
        nics = values(doc(server.native), "properties", "networkProfile", "networkInterfaces") or ()
        addresses: list[str] = []
        for nic in nics:
            nic_group, nic_name_ = split_ref(str(nic.get("id", "")), group)
            found = doc(self._clients.network.network_interfaces.get(nic_group, nic_name_))
            for config in values(found, "properties", "ipConfigurations") or ():
                address = values(config, "properties", "privateIPAddress")
                if address and address not in addresses:
                    addresses.append(str(address))
        return attrs.evolve(server, private_ips=tuple(addresses))

    def list_servers(self, page_size: int, token: str | None) -> Page[Server]:
        vms = self._clients.compute.virtual_machines

        def fetch(link: str | None) -> tuple[list[Server], str | None]:
            try:
                items, next_link = first_page(
                    vms.list(self._clients.resource_group, expand="instanceView"), link
                )
            except HttpResponseError as exc:
                if is_group_missing(exc):  # no resource group yet: no servers
                    return [], None
                raise
            return [_server(vm) for vm in items], next_link

        return page_after(fetch, lambda s: s.id, page_size, token)

    def start_server(self, server_id: str) -> None:
        self._clients.compute.virtual_machines.begin_start(*self._ref(server_id), polling=False).result()

    def stop_server(self, server_id: str) -> None:
        """Deallocate: the VM stops and its compute is released (and no longer billed)."""
        self._clients.compute.virtual_machines.begin_deallocate(*self._ref(server_id), polling=False).result()

    def reboot_server(self, server_id: str) -> None:
        self._clients.compute.virtual_machines.begin_restart(*self._ref(server_id), polling=False).result()

    def delete_server(self, server_id: str) -> None:
        """Delete the VM; ARM deletes its OS disk and NIC with it and detaches data disks."""
        group, name = self._ref(server_id)
        poller = self._clients.compute.virtual_machines.begin_delete(
            group, name, polling=False, cls=status_code
        )
        if poller.result() == 204:  # ARM answers 204 to a DELETE of nothing
            raise NotFound(f"no server {server_id!r}")
