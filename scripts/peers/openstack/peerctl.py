"""Plumbing of the OpenStack peer, run by start.sh on Debian's Python (openstacksdk 0.101).

Subcommands:
  bootstrap        projects admin/demo/service, roles, service users, the catalogue (fresh Keystone)
  wait-ready [S]   block until Nova has a hypervisor, Placement a resource provider and the
                   Cinder scheduler a backend pool (exit 1 after S seconds, default 240)
  seed             flavors m1.tiny/small/medium/large and public images ubuntu-22.04 and
                   debian-12 (idempotent: existing ones are kept)
  clouds-yaml      print the clouds.yaml with clouds cn-admin and cn-demo

Every endpoint is on 127.0.0.1; users admin/admin (project admin) and demo/demo (project
demo, role member), region RegionOne.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable
from typing import Any

AUTH_URL = "http://127.0.0.1:5000/v3"
REGION = "RegionOne"
SERVICE_PASSWORD = "pass"
CLOUDS = {  # cloud name -> (user, password, project)
    "cn-admin": ("admin", "admin", "admin"),
    "cn-demo": ("demo", "demo", "demo"),
}
#: (id, name, vcpus, ram MiB, root disk GiB): the usual m1 ladder.
FLAVORS = [
    ("1", "m1.tiny", 1, 512, 1),
    ("2", "m1.small", 1, 2048, 20),
    ("3", "m1.medium", 2, 4096, 40),
    ("4", "m1.large", 4, 8192, 80),
]
#: name -> Glance properties. architecture must be x86_64 (or absent): Nova's
#: ImagePropertiesFilter matches it against the fake driver's (x86_64, fake, hvm).
IMAGES = {
    "ubuntu-22.04": {
        "os_distro": "ubuntu",
        "os_version": "22.04",
        "os_type": "linux",
        "architecture": "x86_64",
    },
    "debian-12": {"os_distro": "debian", "os_version": "12", "os_type": "linux", "architecture": "x86_64"},
}
IMAGE_BYTES = 64 * 1024


def connect(cloud: str = "cn-admin") -> Any:
    """An openstacksdk connection as one of :data:`CLOUDS`, without reading clouds.yaml."""
    import openstack

    user, password, project = CLOUDS[cloud]
    # Without load_envvars=False an OS_CLOUD in the environment wins over these arguments.
    return openstack.connect(
        auth_url=AUTH_URL,
        username=user,
        password=password,
        project_name=project,
        user_domain_name="Default",
        project_domain_name="Default",
        region_name=REGION,
        load_yaml_config=False,
        load_envvars=False,
    )


def bootstrap() -> None:
    """Create what Keystone's own bootstrap does not: projects, users, roles, catalogue."""
    conn = connect()
    idn = conn.identity
    domain = idn.find_domain("default")

    def get_or_create(find: Callable[..., Any], create: Callable[..., Any], **kw: Any) -> Any:
        return find(kw["name"], ignore_missing=True) or create(**kw)

    service = get_or_create(idn.find_project, idn.create_project, name="service", domain_id=domain.id)
    demo_project = get_or_create(idn.find_project, idn.create_project, name="demo", domain_id=domain.id)
    roles = {
        n: get_or_create(idn.find_role, idn.create_role, name=n)
        for n in ("admin", "member", "reader", "service")
    }
    for name in ("nova", "placement", "glance", "cinder", "swift"):
        user = get_or_create(
            idn.find_user, idn.create_user, name=name, password=SERVICE_PASSWORD, domain_id=domain.id
        )
        for role in ("admin", "service"):
            idn.assign_project_role_to_user(service, user, roles[role])
    demo = get_or_create(idn.find_user, idn.create_user, name="demo", password="demo", domain_id=domain.id)
    idn.assign_project_role_to_user(demo_project, demo, roles["member"])
    idn.assign_project_role_to_user(demo_project, idn.find_user("admin"), roles["admin"])
    base = "http://127.0.0.1"
    services = [
        ("nova", "compute", f"{base}:8774/v2.1"),
        ("placement", "placement", f"{base}:8778"),
        ("glance", "image", f"{base}:9292"),
        ("cinderv3", "volumev3", f"{base}:8776/v3/%(project_id)s"),
        ("cinder", "block-storage", f"{base}:8776/v3/%(project_id)s"),
        ("swift", "object-store", f"{base}:8080/v1/AUTH_%(project_id)s"),
    ]
    for name, kind, url in services:
        svc = idn.find_service(name, ignore_missing=True) or idn.create_service(name=name, type=kind)
        if not list(idn.endpoints(service_id=svc.id)):
            for interface in ("public", "internal", "admin"):
                idn.create_endpoint(service_id=svc.id, interface=interface, url=url, region_id=REGION)
    print("catalog ok")


def wait_ready(timeout: float) -> int:
    """0 once every check passed, 1 (naming the failing checks) after ``timeout`` seconds.

    The Cinder scheduler learns pools only from cinder-volume's periodic capability reports;
    until it has one, volume creates fail with 'No valid backend was found'.
    """
    deadline = time.monotonic() + timeout
    conn = None
    checks: dict[str, Callable[[Any], Any]] = {
        "nova hypervisor": lambda c: list(c.compute.hypervisors()),
        "placement resource provider": lambda c: list(c.placement.resource_providers()),
        "cinder scheduler pool": lambda c: list(c.block_storage.backend_pools()),
    }
    last: dict[str, str] = {}
    while checks and time.monotonic() < deadline:
        try:
            conn = conn or connect()
            for name, check in list(checks.items()):
                try:
                    if check(conn):
                        waited = timeout - (deadline - time.monotonic())
                        print(f"ready: {name} after {waited:.1f}s", file=sys.stderr, flush=True)
                        del checks[name]
                except Exception as exc:  # not up yet: keep polling
                    if getattr(exc, "status_code", None) in (401, 403):
                        print(f"NOT READY: {name}: {exc}", file=sys.stderr)
                        return 1  # a wrong user or policy never heals by waiting
                    last[name] = f"{type(exc).__name__}: {exc}"
        except Exception as exc:
            last["keystone"] = f"{type(exc).__name__}: {exc}"
        time.sleep(1)
    if checks:
        print(f"NOT READY after {timeout:.0f}s: {', '.join(checks)}; last errors: {last}", file=sys.stderr)
        return 1
    return 0


def seed() -> None:
    """Public flavors and images, created only when missing."""
    conn = connect()
    have = {f.name for f in conn.compute.flavors()}
    for flavor_id, name, vcpus, ram, disk in FLAVORS:
        if name not in have:
            conn.compute.create_flavor(
                id=flavor_id, name=name, vcpus=vcpus, ram=ram, disk=disk, is_public=True
            )
    images = {i.name: i for i in conn.image.images()}
    for name, properties in IMAGES.items():
        if name in images and images[name].status == "active":
            continue
        # Deterministic bytes, so the checksum is the same every run.
        data = hashlib.sha256(name.encode()).digest() * (IMAGE_BYTES // 32)
        body = {
            "name": name,
            "disk_format": "raw",
            "container_format": "bare",
            "visibility": "public",
            **properties,
        }
        image = conn.image.post("/images", json=body).json()
        conn.image.put(
            f"/images/{image['id']}/file", data=data, headers={"Content-Type": "application/octet-stream"}
        )
        print(f"image {name} {image['id']}", file=sys.stderr)


def clouds_yaml() -> str:
    """clouds.yaml text for openstacksdk (OS_CLIENT_CONFIG_FILE) with both clouds."""
    lines = ["# Written by scripts/peers/openstack/start.sh: the local OpenStack peer.", "clouds:"]
    for cloud, (user, password, project) in CLOUDS.items():
        lines += [
            f"  {cloud}:",
            "    auth:",
            f"      auth_url: {AUTH_URL}",
            f"      username: {user}",
            f"      password: {password}",
            f"      project_name: {project}",
            "      user_domain_name: Default",
            "      project_domain_name: Default",
            f"    region_name: {REGION}",
            "    interface: public",
            "    identity_api_version: 3",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "bootstrap":
        bootstrap()
    elif command == "wait-ready":
        return wait_ready(float(argv[1]) if len(argv) > 1 else 240.0)
    elif command == "seed":
        seed()
    elif command == "clouds-yaml":
        sys.stdout.write(clouds_yaml())
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
