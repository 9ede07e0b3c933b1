"""Servers and the catalogue on EC2: the :class:`cloudneutral.driver.ComputeDriver` of AWS.

Images are listed per OS family with owner and name filters (an unfiltered
``DescribeImages`` is megabytes long); the family of an image is derived from its name,
platform and description. ``shutting-down`` (terminating) maps to ``STOPPING``: the
server is on its way down but not yet ``TERMINATED``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from cloudneutral.driver import ServerRequest
from cloudneutral.errors import NotFound
from cloudneutral.models import Image, Page, Region, Server, ServerState, Size

from ._clients import Clients
from ._ec2util import max_results, name_of, tag_spec, tags_of

__all__ = ["ARCHITECTURES", "FAMILIES", "STATES", "Ec2ServerDriver", "image_os"]

PROVIDER = "aws"

STATES: dict[str, ServerState] = {
    "pending": ServerState.PENDING,
    "running": ServerState.RUNNING,
    "stopping": ServerState.STOPPING,
    "stopped": ServerState.STOPPED,
    "shutting-down": ServerState.STOPPING,
    "terminated": ServerState.TERMINATED,
}

#: OS family -> (owner account ids, image name patterns) of the publishers' images.
FAMILIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ubuntu": (("099720109477",), ("ubuntu/images/*",)),
    "debian": (("136693071363",), ("debian-*",)),
    "windows": (("801119661308",), ("Windows_Server-*",)),
    "amazon-linux": (("137112412989",), ("amzn2-ami-hvm-*", "al20*-ami-*", "amzn-ami-hvm-*")),
    "rhel": (("309956199498",), ("RHEL-*",)),
    "suse": (("013907871322",), ("suse-sles-*",)),
}

#: How an image's family is recognised from its name or description (first match wins).
_FAMILY_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("windows", re.compile(r"windows", re.I)),
    ("ubuntu", re.compile(r"ubuntu", re.I)),
    ("debian", re.compile(r"debian", re.I)),
    ("amazon-linux", re.compile(r"^(amzn|al20\d\d-)|amazon linux", re.I)),
    ("rhel", re.compile(r"^rhel|red hat", re.I)),
    ("suse", re.compile(r"suse|sles", re.I)),
)


def image_os(native: Mapping[str, Any]) -> str | None:
    """The OS family of an EC2 image, or ``None`` when it cannot be told."""
    if str(native.get("Platform", "")).lower() == "windows":
        return "windows"
    for field in ("Name", "Description", "PlatformDetails"):
        text = str(native.get(field) or "")
        for family, pattern in _FAMILY_PATTERNS:
            if pattern.search(text):
                return family
    return None


#: EC2's architecture names -> the portable ones.
ARCHITECTURES = {
    "x86_64": "x86_64",
    "arm64": "arm64",
    "i386": "i386",
    "x86_64_mac": "x86_64",
    "arm64_mac": "arm64",
}


def _image(native: Mapping[str, Any]) -> Image:
    return Image(
        id=native["ImageId"],
        name=native.get("Name") or native["ImageId"],
        os=image_os(native),
        arch=ARCHITECTURES.get(str(native.get("Architecture", ""))),
        provider=PROVIDER,
        native=native,
    )


def _size(native: Mapping[str, Any]) -> Size:
    storage = native.get("InstanceStorageInfo") or {}
    supported = (native.get("ProcessorInfo") or {}).get("SupportedArchitectures") or []
    arch = next((ARCHITECTURES[a] for a in supported if a in ARCHITECTURES and a != "i386"), None)
    return Size(
        name=native["InstanceType"],
        vcpus=native.get("VCpuInfo", {}).get("DefaultVCpus", 0),
        memory_mib=native.get("MemoryInfo", {}).get("SizeInMiB", 0),
        disk_gib=storage.get("TotalSizeInGB"),
        arch=arch,
        provider=PROVIDER,
        native=native,
    )


def _server(native: Mapping[str, Any]) -> Server:
    public = [native["PublicIpAddress"]] if native.get("PublicIpAddress") else []
    private = [native["PrivateIpAddress"]] if native.get("PrivateIpAddress") else []
    for nic in native.get("NetworkInterfaces") or ():
        for address in nic.get("PrivateIpAddresses") or ():
            if address.get("PrivateIpAddress") and address["PrivateIpAddress"] not in private:
                private.append(address["PrivateIpAddress"])
            public_ip = (address.get("Association") or {}).get("PublicIp")
            if public_ip and public_ip not in public:
                public.append(public_ip)
    volumes = [m["Ebs"]["VolumeId"] for m in native.get("BlockDeviceMappings") or () if "Ebs" in m]
    return Server(
        id=native["InstanceId"],
        name=name_of(native),
        state=STATES.get(native.get("State", {}).get("Name", ""), ServerState.UNKNOWN),
        size=native.get("InstanceType", ""),
        image=native.get("ImageId", ""),
        zone=(native.get("Placement") or {}).get("AvailabilityZone"),
        public_ips=tuple(public),
        private_ips=tuple(private),
        volumes=tuple(volumes),
        created=native.get("LaunchTime"),
        tags=tags_of(native),
        provider=PROVIDER,
        native=native,
    )


class Ec2ServerDriver:
    """Instances, instance types, images and regions of one account and region."""

    def __init__(self, clients: Clients, size_patterns: Sequence[str] = ()) -> None:
        self._clients = clients
        self._size_patterns = tuple(size_patterns)

    def natives(self) -> Sequence[object]:
        return (self._clients.ec2,)

    # -- catalogue ------------------------------------------------------------------------
    def list_sizes(self, page_size: int, token: str | None) -> Page[Size]:
        params: dict[str, Any] = {"MaxResults": max_results(page_size, high=100)}
        if self._size_patterns:
            params["Filters"] = [{"Name": "instance-type", "Values": list(self._size_patterns)}]
        if token is not None:
            params["NextToken"] = token
        response = self._clients.ec2.describe_instance_types(**params)
        sizes = tuple(_size(t) for t in response.get("InstanceTypes", []))
        return Page(sizes, response.get("NextToken") or None)

    def list_images(self, os: str | None, page_size: int, token: str | None) -> Page[Image]:
        """The publishers' images of family ``os`` (every known family when ``None``), one
        page of DescribeImages (which pages only when asked for ``MaxResults``)."""
        if os is not None and os not in FAMILIES:
            return Page(())
        families = [os] if os is not None else sorted(FAMILIES)
        params: dict[str, Any] = {
            "Owners": sorted({o for f in families for o in FAMILIES[f][0]}),
            "Filters": [
                {"Name": "name", "Values": sorted({n for f in families for n in FAMILIES[f][1]})},
                {"Name": "state", "Values": ["available"]},
            ],
            "MaxResults": max_results(page_size, high=1000),
        }
        if token is not None:
            params["NextToken"] = token
        response = self._clients.ec2.describe_images(**params)
        images = tuple(i for i in (_image(n) for n in response.get("Images", [])) if os is None or i.os == os)
        return Page(images, response.get("NextToken") or None)

    def get_image(self, image_id: str) -> Image:
        images = self._clients.ec2.describe_images(ImageIds=[image_id]).get("Images", [])
        if not images:
            raise NotFound(f"no image {image_id!r}")
        return _image(images[0])

    def list_regions(self, page_size: int, token: str | None) -> Page[Region]:
        """The enabled regions (one page: EC2 does not page them); zones are listed for the
        connected region only (asking every region would take one request each)."""
        ec2 = self._clients.ec2
        zones: dict[str, list[str]] = {}
        for zone in ec2.describe_availability_zones().get("AvailabilityZones", []):
            zones.setdefault(zone.get("RegionName", self._clients.region), []).append(zone["ZoneName"])
        regions = tuple(
            Region(
                name=r["RegionName"],
                zones=tuple(sorted(zones.get(r["RegionName"], ()))),
                provider=PROVIDER,
                native=r,
            )
            for r in ec2.describe_regions().get("Regions", [])
            if r.get("OptInStatus") != "not-opted-in"
        )
        return Page(regions)

    # -- servers ---------------------------------------------------------------------------
    def create_server(self, request: ServerRequest) -> Server:
        params: dict[str, Any] = {
            "ImageId": request.image.id,
            "InstanceType": request.size.name,
            "MinCount": 1,
            "MaxCount": 1,
            "TagSpecifications": tag_spec("instance", request.name, request.tags),
        }
        if request.zone:
            params["Placement"] = {"AvailabilityZone": request.zone}
        response = self._clients.ec2.run_instances(**params)
        return _server(response["Instances"][0])

    def get_server(self, server_id: str) -> Server:
        response = self._clients.ec2.describe_instances(InstanceIds=[server_id])
        for reservation in response.get("Reservations", []):
            for instance in reservation.get("Instances", []):
                return _server(instance)
        raise NotFound(f"no server {server_id!r}")

    def list_servers(self, page_size: int, token: str | None) -> Page[Server]:
        params: dict[str, Any] = {"MaxResults": max_results(page_size)}
        if token is not None:
            params["NextToken"] = token
        response = self._clients.ec2.describe_instances(**params)
        servers = [_server(i) for r in response.get("Reservations", []) for i in r.get("Instances", [])]
        return Page(tuple(servers), response.get("NextToken") or None)

    def start_server(self, server_id: str) -> None:
        self._clients.ec2.start_instances(InstanceIds=[server_id])

    def stop_server(self, server_id: str) -> None:
        self._clients.ec2.stop_instances(InstanceIds=[server_id])

    def reboot_server(self, server_id: str) -> None:
        self._clients.ec2.reboot_instances(InstanceIds=[server_id])

    def delete_server(self, server_id: str) -> None:
        self._clients.ec2.terminate_instances(InstanceIds=[server_id])
