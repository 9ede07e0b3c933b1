"""The network a VM needs, in the adapter's resource group: created on first use, waited for.

One virtual network :data:`VNET` (``10.20.0.0/16``) with one subnet :data:`SUBNET` serves
every server of the resource group; each server gets a network interface ``NAME-nic``
that ARM deletes with the VM (``deleteOption: Delete``). No public IP is created. The
resource group itself is created when ARM says it is missing. These are the only
operations the adapter waits for (through the SDK's pollers, at the connection's
``polling_interval``): a VM cannot reference a NIC, nor a NIC a subnet, before it exists.
The shared virtual network is left in place when servers are deleted (it costs nothing).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.network.models import NetworkInterface, Subnet, VirtualNetwork

from ._arm import JSON, doc, is_group_missing
from ._clients import Clients

__all__ = ["SUBNET", "VNET", "Network", "nic_name"]

VNET = "cloudneutral-vnet"
SUBNET = "default"
ADDRESS_SPACE = "10.20.0.0/16"
SUBNET_PREFIX = "10.20.0.0/20"
T = TypeVar("T")


def nic_name(server: str) -> str:
    """The network interface made for server ``server``."""
    return f"{server}-nic"


class Network:
    """Resource group, virtual network and NICs of one connection."""

    def __init__(self, clients: Clients) -> None:
        self._clients = clients
        self._lock = threading.Lock()
        self._subnet_id: str | None = None

    def in_group(self, create: Callable[[], T]) -> T:
        """``create()``, creating the resource group first if ARM says it is missing."""
        try:
            return create()
        except ResourceNotFoundError as exc:
            if not is_group_missing(exc):
                raise
        self.ensure_group()
        return create()

    def ensure_group(self) -> None:
        """Create (or keep) the connection's resource group in its location."""
        clients = self._clients
        clients.resources.resource_groups.create_or_update(
            clients.resource_group, {"location": clients.location}
        )

    def subnet_id(self) -> str:
        """The shared subnet's id, creating the virtual network (and group) when missing."""
        with self._lock:
            if self._subnet_id is None:
                self._subnet_id = self._find_or_create_subnet()
            return self._subnet_id

    def _find_or_create_subnet(self) -> str:
        clients = self._clients
        vnets = clients.network.virtual_networks
        try:
            vnet = doc(vnets.get(clients.resource_group, VNET))
        except ResourceNotFoundError as exc:
            if is_group_missing(exc):
                self.ensure_group()
            body: JSON = {
                "location": clients.location,
                "properties": {
                    "addressSpace": {"addressPrefixes": [ADDRESS_SPACE]},
                    "subnets": [{"name": SUBNET, "properties": {"addressPrefix": SUBNET_PREFIX}}],
                },
            }
            vnet = doc(
                vnets.begin_create_or_update(clients.resource_group, VNET, VirtualNetwork(body)).result()
            )
        for subnet in vnet.get("properties", {}).get("subnets") or ():
            if str(subnet.get("name", "")).lower() == SUBNET:
                return str(subnet["id"])
        subnet = clients.network.subnets.begin_create_or_update(
            clients.resource_group, VNET, SUBNET, Subnet({"properties": {"addressPrefix": SUBNET_PREFIX}})
        ).result()
        return str(doc(subnet)["id"])

    def create_nic(self, server: str, location: str) -> str:
        """Create the network interface of ``server``; return its id."""
        body: JSON = {
            "location": location,
            "properties": {
                "ipConfigurations": [
                    {
                        "name": "ipconfig1",
                        "properties": {
                            "subnet": {"id": self.subnet_id()},
                            "privateIPAllocationMethod": "Dynamic",
                        },
                    }
                ]
            },
        }
        poller = self._clients.network.network_interfaces.begin_create_or_update(
            self._clients.resource_group, nic_name(server), NetworkInterface(body)
        )
        return str(doc(poller.result())["id"])
