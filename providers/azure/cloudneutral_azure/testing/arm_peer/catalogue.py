"""The peer's static catalogue: VM sizes, resource SKUs and marketplace images (small on purpose).

Sizes carry their CPU architecture (``x64`` or ``Arm64``, as in Microsoft.Compute/skus
capabilities), and images carry theirs (``properties.architecture``), so architecture
matching can be tested: the ``*ps_v5`` sizes are Arm64, as on Azure; Ubuntu and Debian each
have an Arm64 SKU. Values follow Azure's published ones; the catalogue is not exhaustive.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["IMAGES", "LOCATIONS", "SIZES", "Image", "Size", "location_doc"]


@dataclass(frozen=True)
class Size:
    """One VM size (``/locations/{loc}/vmSizes`` entry plus its SKU capabilities)."""

    name: str
    cores: int
    memory_mb: int
    max_data_disks: int
    resource_disk_mb: int
    architecture: str = "x64"
    family: str = ""

    def vm_size(self) -> dict[str, object]:
        return {
            "name": self.name,
            "numberOfCores": self.cores,
            "osDiskSizeInMB": 1047552,
            "resourceDiskSizeInMB": self.resource_disk_mb,
            "memoryInMB": self.memory_mb,
            "maxDataDiskCount": self.max_data_disks,
        }


SIZES: tuple[Size, ...] = (
    Size("Standard_B1s", 1, 1024, 2, 4096, family="standardBSFamily"),
    Size("Standard_B1ms", 1, 2048, 2, 4096, family="standardBSFamily"),
    Size("Standard_B2s", 2, 4096, 4, 8192, family="standardBSFamily"),
    Size("Standard_B2ms", 2, 8192, 4, 16384, family="standardBSFamily"),
    Size("Standard_D2s_v3", 2, 8192, 4, 16384, family="standardDSv3Family"),
    Size("Standard_D4s_v3", 4, 16384, 8, 32768, family="standardDSv3Family"),
    Size("Standard_D2_v2", 2, 7168, 8, 102400, family="standardDv2Family"),
    Size("Standard_E2s_v3", 2, 16384, 4, 32768, family="standardESv3Family"),
    Size("Standard_F2s_v2", 2, 4096, 4, 16384, family="standardFSv2Family"),
    Size("Standard_D2ps_v5", 2, 8192, 4, 0, "Arm64", "standardDPSv5Family"),
    Size("Standard_D4ps_v5", 4, 16384, 8, 0, "Arm64", "standardDPSv5Family"),
)


@dataclass(frozen=True)
class Image:
    """One marketplace image version."""

    publisher: str
    offer: str
    sku: str
    version: str
    os: str  # "Linux" or "Windows"
    architecture: str = "x64"  # "x64" or "Arm64"
    generation: str = "V2"
    size_gb: int = 30


def _versions(
    publisher: str, offer: str, sku: str, os: str, arch: str, gen: str, size: int, *versions: str
) -> tuple[Image, ...]:
    return tuple(Image(publisher, offer, sku, v, os, arch, gen, size) for v in versions)


IMAGES: tuple[Image, ...] = (
    *_versions(
        "Canonical",
        "0001-com-ubuntu-server-jammy",
        "22_04-lts-gen2",
        "Linux",
        "x64",
        "V2",
        30,
        "22.04.202401010",
        "22.04.202402010",
    ),
    *_versions(
        "Canonical",
        "0001-com-ubuntu-server-jammy",
        "22_04-lts-arm64",
        "Linux",
        "Arm64",
        "V2",
        30,
        "22.04.202402010",
    ),
    *_versions("Canonical", "ubuntu-24_04-lts", "server", "Linux", "x64", "V2", 30, "24.04.202405010"),
    *_versions(
        "Canonical", "ubuntu-24_04-lts", "server-arm64", "Linux", "Arm64", "V2", 30, "24.04.202405010"
    ),
    *_versions("Debian", "debian-12", "12-gen2", "Linux", "x64", "V2", 30, "0.20240101.1609"),
    *_versions("Debian", "debian-12", "12-arm64", "Linux", "Arm64", "V2", 30, "0.20240101.1609"),
    *_versions(
        "MicrosoftWindowsServer",
        "WindowsServer",
        "2022-datacenter-azure-edition",
        "Windows",
        "x64",
        "V2",
        127,
        "20348.2227.240104",
    ),
    *_versions(
        "MicrosoftWindowsServer",
        "WindowsServer",
        "2019-Datacenter",
        "Windows",
        "x64",
        "V1",
        127,
        "2019.0.20190115",
        "17763.5329.240105",
    ),
    # Named by the real recordings (cassettes/azure/real/), so that the fidelity test can replay them.
    *_versions(
        "MicrosoftWindowsServer",
        "WindowsServer",
        "2016-Datacenter",
        "Windows",
        "x64",
        "V1",
        127,
        "14393.6614.240105",
    ),
    *_versions("OpenLogic", "CentOS", "7.5", "Linux", "x64", "V1", 30, "7.5.201808150"),
)


#: Locations of ``GET /subscriptions/{id}/locations`` and their display names; zonal ones
#: have three availability zones (synthesized: no recording lists locations).
LOCATIONS: dict[str, tuple[str, bool]] = {
    "eastus": ("East US", True),
    "eastus2": ("East US 2", True),
    "westus": ("West US", False),
    "westeurope": ("West Europe", True),
}


def location_doc(sub: str, name: str) -> dict[str, object]:
    """One location as ``GET /subscriptions/{id}/locations`` (api-version 2022-12-01) lists it."""
    display, zonal = LOCATIONS[name]
    doc: dict[str, object] = {
        "id": f"/subscriptions/{sub}/locations/{name}",
        "name": name,
        "type": "Region",
        "displayName": display,
        "regionalDisplayName": display,
        "metadata": {"regionType": "Physical", "regionCategory": "Recommended"},
    }
    if zonal:
        doc["availabilityZoneMappings"] = [
            {"logicalZone": str(n), "physicalZone": f"{name}-az{n}"} for n in (1, 2, 3)
        ]
    return doc
