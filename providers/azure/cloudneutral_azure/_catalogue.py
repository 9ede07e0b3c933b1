"""Sizes, marketplace images and regions: what a portable server spec is resolved against.

* **Sizes** are ``virtualMachineSizes`` of the connection's location (one request). Their
  CPU architecture is read from the size name, as Azure names them: a ``p`` among the
  lower-case feature letters after the vCPU count means an Arm64 CPU (``Standard_D2ps_v5``,
  ``Standard_B2pts_v2``); anything else is x86-64.
* **Images** are marketplace SKUs of the publishers and offers in :data:`FAMILIES` (one
  request per offer); an image id is the URN ``publisher:offer:sku:version`` (``latest``
  in listings), as azure-cli writes it. A listed image's architecture is read from its SKU
  name (``arm64`` in it); one looked up by id reads the version's ``architecture``.
* **Regions** are the subscription's locations with their availability zones, named
  ``LOCATION-N`` (``eastus-1``).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from typing import Any

from azure.core.exceptions import ResourceNotFoundError
from azure.core.rest import HttpRequest

from cloudneutral.errors import NotFound
from cloudneutral.models import Image, Page, Region, Size

from ._arm import JSON, doc, page_after, values
from ._clients import Clients

__all__ = ["FAMILIES", "Catalogue", "image_urn", "size_arch"]

PROVIDER = "azure"
LOCATIONS_API = "2022-12-01"

#: OS family -> the (publisher, offer) pairs whose SKUs are listed as its images.
FAMILIES: dict[str, tuple[tuple[str, str], ...]] = {
    "ubuntu": (("Canonical", "ubuntu-24_04-lts"), ("Canonical", "0001-com-ubuntu-server-jammy")),
    "debian": (("Debian", "debian-12"),),
    "windows": (("MicrosoftWindowsServer", "WindowsServer"),),
    "rhel": (("RedHat", "RHEL"),),
    "centos": (("OpenLogic", "CentOS"),),
    "suse": (("SUSE", "sles-15-sp5"),),
}
_FAMILY_OF = {(p.lower(), o.lower()): family for family, pairs in FAMILIES.items() for p, o in pairs}
#: ``Standard_D2ps_v5``: family letters, vCPUs, optional constrained vCPUs, feature letters.
_SIZE_NAME = re.compile(r"^[A-Za-z]+_[A-Z]+(\d+)(?:-\d+)?([a-z]*)")
_ARCHITECTURES = {"x64": "x86_64", "arm64": "arm64"}


def size_arch(name: str) -> str:
    """``arm64`` when the size name's feature letters include ``p``, else ``x86_64``."""
    match = _SIZE_NAME.match(name)
    return "arm64" if match and "p" in match.group(2) else "x86_64"


def image_urn(reference: JSON) -> str:
    """``publisher:offer:sku:version`` of an ARM ``imageReference`` (``""`` when there is none)."""
    parts = [str(reference.get(k) or "") for k in ("publisher", "offer", "sku", "version")]
    return ":".join(parts) if all(parts[:3]) else str(reference.get("id") or "")


def _size(native: Any) -> Size:
    data = doc(native)
    resource_mb = data.get("resourceDiskSizeInMB") or 0
    return Size(
        name=data["name"],
        vcpus=int(data.get("numberOfCores") or 0),
        memory_mib=int(data.get("memoryInMB") or 0),
        disk_gib=resource_mb // 1024 if resource_mb else None,
        arch=size_arch(data["name"]),
        provider=PROVIDER,
        native=native,
    )


def _family(publisher: str, offer: str, operating_system: str | None = None) -> str | None:
    family = _FAMILY_OF.get((publisher.lower(), offer.lower()))
    if family is None and (operating_system or "").lower() == "windows":
        return "windows"
    return family


class Catalogue:
    """Sizes, images and regions of one subscription and location."""

    def __init__(self, clients: Clients, size_patterns: Sequence[str] = ()) -> None:
        self._clients = clients
        self._size_patterns = tuple(size_patterns)

    def list_sizes(self, page_size: int, token: str | None) -> Page[Size]:
        def fetch(link: str | None) -> tuple[list[Size], str | None]:
            sizes = [
                _size(s) for s in self._clients.compute.virtual_machine_sizes.list(self._clients.location)
            ]
            if self._size_patterns:
                sizes = [s for s in sizes if any(fnmatch.fnmatchcase(s.name, p) for p in self._size_patterns)]
            return sizes, None

        return page_after(fetch, lambda s: s.name, page_size, token)

    def list_images(self, os: str | None, page_size: int, token: str | None) -> Page[Image]:
        if os is not None and os not in FAMILIES:
            return Page(())
        families = [os] if os is not None else sorted(FAMILIES)

        def fetch(link: str | None) -> tuple[list[Image], str | None]:
            images: list[Image] = []
            for family in families:
                for publisher, offer in FAMILIES[family]:
                    images += self._offer_images(family, publisher, offer)
            return images, None

        return page_after(fetch, lambda i: i.id, page_size, token)

    def _offer_images(self, family: str, publisher: str, offer: str) -> list[Image]:
        images = self._clients.compute.virtual_machine_images
        try:
            skus = images.list_skus(self._clients.location, publisher, offer)
        except ResourceNotFoundError:
            return []  # an offer this location (or emulator) does not carry
        out = []
        for sku in skus:
            urn = f"{publisher}:{offer}:{sku.name}:latest"
            arch = "arm64" if "arm64" in str(sku.name).lower() else "x86_64"
            out.append(Image(id=urn, name=urn, os=family, arch=arch, provider=PROVIDER, native=sku))
        return out

    def get_image(self, image_id: str) -> Image:
        parts = image_id.split(":")
        if len(parts) != 4 or not all(parts):
            raise NotFound(f"no image {image_id!r} (image ids are publisher:offer:sku:version)")
        publisher, offer, sku, version = parts
        images = self._clients.compute.virtual_machine_images
        location = self._clients.location
        if version.lower() == "latest":
            newest = images.list(location, publisher, offer, sku, top=1, orderby="name desc")
            if not newest:
                raise NotFound(f"no image {image_id!r}")
            version = str(newest[0].name)
        native = images.get(location, publisher, offer, sku, version)
        data = doc(native)
        operating_system = values(data, "properties", "osDiskImage", "operatingSystem")
        arch = _ARCHITECTURES.get(str(values(data, "properties", "architecture") or "x64").lower())
        return Image(
            id=image_id,
            name=image_id,
            os=_family(publisher, offer, operating_system),
            arch=arch,
            provider=PROVIDER,
            native=native,
        )

    def list_regions(self, page_size: int, token: str | None) -> Page[Region]:
        def fetch(link: str | None) -> tuple[list[Region], str | None]:
            path = (
                link or f"/subscriptions/{self._clients.subscription}/locations?api-version={LOCATIONS_API}"
            )
            response = self._clients.resources.send_request(HttpRequest("GET", path))
            response.raise_for_status()
            body: JSON = response.json()
            regions = [self._region(item) for item in body.get("value", [])]
            return regions, body.get("nextLink")

        return page_after(fetch, lambda r: r.name, page_size, token)

    def _region(self, item: JSON) -> Region:
        """A location; only the connected one lists its zones (servers and volumes of this
        connection live there: another location's zones cannot be asked for)."""
        name = str(item.get("name"))
        zones = sorted(
            f"{name}-{z['logicalZone']}"
            for z in item.get("availabilityZoneMappings") or ()
            if "logicalZone" in z and name == self._clients.location
        )
        return Region(name=name, zones=tuple(zones), provider=PROVIDER, native=item)
