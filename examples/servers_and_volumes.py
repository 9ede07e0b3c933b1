"""Servers and volumes with cloudneutral: catalogues, life cycle, attach, snapshot, restore.

    python examples/servers_and_volumes.py                    # local provider, in memory
    python examples/servers_and_volumes.py "aws://?region=eu-west-1"

Everything the script creates is deleted at the end, also when a step fails.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import cloudneutral
from cloudneutral import Capability, CloudError, Conflict


def main(url: str) -> int:
    with cloudneutral.connect(url) as cloud:
        print(f"connected to {cloud.provider}")
        created: list[Callable[[], object]] = []
        try:
            demo(cloud, created)
        finally:
            for undo in reversed(created):
                try:
                    undo()
                except CloudError as exc:  # report, and go on deleting the rest
                    print(f"cleanup: {type(exc).__name__}: {exc}", file=sys.stderr)
            print("deleted everything this script created")
    return 0


def demo(cloud: cloudneutral.Cloud, created: list[Callable[[], object]]) -> None:
    servers, volumes = cloud.servers, cloud.volumes

    # Catalogues, the same shape on every provider.
    regions = servers.regions()
    shown = ", ".join(f"{r.name} {list(r.zones)}" for r in regions[:3])
    print(f"regions {len(regions)}: {shown}{' ...' if len(regions) > 3 else ''}")
    size = servers.find_size(min_vcpus=1, min_memory_mib=1024)
    spec = f"{size.vcpus} vCPU, {size.memory_mib} MiB"
    print(f"size    smallest with >= 1 vCPU and >= 1 GiB: {size.name} ({spec})")
    image = servers.find_image(os="ubuntu")
    print(f"image   newest ubuntu: {image.name} ({image.id})")

    # A server from a portable spec; create() waits until it is running.
    server = servers.create("example-app", size=size.name, image=image.id, tags={"team": "docs"})
    created.append(lambda: servers.delete(server))
    print(f"server  {server.name} {server.id}: {server.state.value}, private IPs {list(server.private_ips)}")

    if Capability.SERVER_STOP_START in cloud.capabilities:
        print(f"stop    -> {servers.stop(server).state.value}")
        print(f"start   -> {servers.start(server).state.value}")
    if Capability.SERVER_REBOOT in cloud.capabilities:
        print(f"reboot  -> {servers.reboot(server).state.value}")

    # A volume, attached to the server.
    volume = volumes.create("example-data", 1, zone=server.zone)
    created.append(lambda: volumes.delete(volume))
    volume = volumes.attach(volume, server)
    print(f"volume  {volume.id}: {volume.state.value}, attached to {volume.attachments[0].server_id}")

    # Portable rules hold everywhere: an attached volume cannot be deleted.
    try:
        volumes.delete(volume)
    except Conflict as exc:
        print(f"delete  refused while attached: {exc}")

    # Snapshot, detach, and restore the snapshot into a new volume.
    snapshot = volumes.snapshot(volume, "example-snap")
    created.append(lambda: volumes.delete_snapshot(snapshot))
    print(f"snapshot {snapshot.id} of {snapshot.volume_id}: {snapshot.state.value}, {snapshot.size_gib} GiB")
    volume = volumes.detach(volume)
    print(f"detach  {volume.id}: {volume.state.value}")
    restored = volumes.restore(snapshot, "example-restored", zone=server.zone)
    created.append(lambda: volumes.delete(restored))
    print(f"restore {restored.id} from {restored.snapshot_id}: {restored.state.value}")

    names = sorted(v.name for v in volumes.list() if v.name.startswith("example-"))
    print(f"volumes {', '.join(names)}")


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "local://"))
    except CloudError as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(75 if exc.transient else 1)
