"""cloudneutral quickstart: a server, a volume, a snapshot, some blobs, and a verified copy.

Runs with no account and no credentials on the local provider (everything persisted under
a temporary directory, or under --root DIR):

    python examples/quickstart.py
    python examples/quickstart.py --root /tmp/cn-demo --keep

Give a connection URL to run the same code elsewhere; the blobs are then copied from that
provider to a local directory (which is how you take your data with you):

    python examples/quickstart.py "aws://my-unique-bucket?region=eu-west-1"

Everything created is deleted at the end unless --keep is given (do not leave servers
running on a real account).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from urllib.parse import quote

import cloudneutral
from cloudneutral import BlobInfo, CloudError

PHOTOS = {
    "2024/beach.jpg": os.urandom(1024 * 1024 + 3),  # stand-ins for real photos
    "2024/city.jpg": os.urandom(300 * 1024),
    "notes/readme.txt": b"holiday photos, 2024\n",
}


def local_url(root: str, bucket: str = "") -> str:
    return f"local://{bucket}?root={quote(root)}"


def undo(cleanup: list[Callable[[], object]]) -> None:
    """Delete what was created, newest first; report (but go past) what cannot be deleted."""
    failed = 0
    for step in reversed(cleanup):
        try:
            step()
        except CloudError as exc:
            failed += 1
            print(f"cleanup: {type(exc).__name__}: {exc}", file=sys.stderr)
    if cleanup:
        print("cleaned up: deleted what was created" + (f" ({failed} steps failed)" if failed else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("url", nargs="?", help="connection URL (default: local://?root=ROOT/cloud)")
    parser.add_argument("--root", help="directory for local data (default: a new temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep everything that was created")
    args = parser.parse_args(argv)

    root = args.root or tempfile.mkdtemp(prefix="cloudneutral-quickstart-")
    url = args.url or local_url(os.path.join(root, "cloud"))
    cleanup: list[Callable[[], object]] = []
    try:
        with cloudneutral.connect(url) as cloud:
            print(f"connected to {cloud.provider} ({url})")
            try:
                run(cloud, root, cleanup)
            finally:
                if not args.keep:
                    undo(cleanup)
    except CloudError as exc:
        # Every failure is a CloudError; ``transient`` says whether retrying later may help.
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 75 if exc.transient else 1
    finally:
        if not args.root and not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    if args.keep or args.root:
        print(f"local data kept under {root}")
    return 0


def run(cloud: cloudneutral.Cloud, root: str, cleanup: list[Callable[[], object]]) -> None:
    # 1. A server from a portable spec: the provider's smallest size with at least 2 vCPUs
    #    and 4 GiB of memory, and its newest Ubuntu image. create() waits until it runs.
    server = cloud.servers.create("quickstart-web", os="ubuntu", min_vcpus=2, min_memory_mib=4096)
    cleanup.append(lambda: cloud.servers.delete(server))
    print(f"server  {server.name} {server.id}: {server.state.value}, size {server.size}")
    print(f"        image {server.image}, zone {server.zone}")

    # 2. A 10 GiB volume in the server's zone, attached to it.
    volume = cloud.volumes.create("quickstart-data", 10, zone=server.zone)
    cleanup.append(lambda: cloud.volumes.delete(volume))
    volume = cloud.volumes.attach(volume, server)
    cleanup.append(lambda: cloud.volumes.detach(volume))
    device = volume.attachments[0].device or "(device chosen by the provider)"
    print(f"volume  {volume.name} {volume.id}: {volume.size_gib} GiB, {volume.state.value} at {device}")

    # 3. A snapshot of the volume.
    snapshot = cloud.volumes.snapshot(volume, "quickstart-snap")
    cleanup.append(lambda: cloud.volumes.delete_snapshot(snapshot))
    print(f"snapshot {snapshot.name} {snapshot.id}: {snapshot.state.value}")

    # 4. Blobs: the bucket the URL names, else "photos".
    name = cloud.url.bucket or "photos"
    if not cloud.blobs.bucket_exists(name):
        cloud.blobs.create_bucket(name)
        cleanup.append(lambda: cloud.blobs.delete_bucket(name, force=True))
    photos = cloud.blobs.bucket(name)
    for key, data in PHOTOS.items():
        info = photos.put(key, data, metadata={"album": "holiday"}, record_sha256=True)
        print(f"blob    {name}/{key}: {info.size} bytes, sha256 {info.checksums['sha256'][:16]}...")

    # 5. Copy the blobs to another place (here a second local directory). Each copy is
    #    streamed and verified end to end: the bytes read are checked against the source's
    #    SHA-256, and the target confirms every byte it stored.
    target_root = os.path.join(root, "copy")
    with cloudneutral.connect(local_url(target_root)) as other:
        other.blobs.create_bucket("photos", exist_ok=True)
        target = other.blobs.bucket("photos")
        pairs = ((item, item.key) for item in photos.list() if isinstance(item, BlobInfo))
        result = cloudneutral.copy_many(photos, target, pairs)
        for failure in result.failed:
            raise failure.error
        for copied in result.copied:  # and, to see it with your own eyes:
            if target.get(copied.dst_key) != PHOTOS[copied.src_key]:
                raise cloudneutral.IntegrityError(f"copy of {copied.src_key} differs from the original")
    source, destination = cloud.url.with_location(name), local_url(target_root, "photos")
    ways = sorted({c.verified for c in result.copied})
    print(f"copied  {len(result.copied)} blobs from {source} to {destination}")
    print(f"verified {len(result.copied)} blobs by {', '.join(ways)}; content matches")
    print(f"(from a shell: cloudneutral cp '{source}' '{destination}')")


if __name__ == "__main__":
    sys.exit(main())
