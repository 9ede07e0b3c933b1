"""Benchmark the portable layer over the local provider (memory and directory).

Prints wall times (median of several runs) for listing 10,000 keys, 1,000 small puts and
a 64 MiB put+get, and the peak RSS of a 256 MiB streamed put and get to a directory root,
each measured in a fresh subprocess. Run: ``python bench/bench_local.py [--quick]``.
Nothing here asserts: the figures are for people to read and compare.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator

import cloudneutral

MIB = 1024 * 1024


def timed(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def chunks(total: int, size: int = MIB) -> Iterator[bytes]:
    block = os.urandom(size)
    for offset in range(0, total, size):
        yield block[: min(size, total - offset)]


def peak_rss_mb() -> float:
    """This process's own peak RSS in MB. (``ru_maxrss`` would also count the parent's
    peak, which Linux carries over into a forked child.)"""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_child(root: str, mib: int) -> None:
    """Run in a subprocess: stream ``mib`` MiB up and back down, print peak RSS in MB."""
    cloud = cloudneutral.connect(f"local://?root={root}")
    cloud.blobs.create_bucket("rss")
    bucket = cloud.blobs.bucket("rss")
    bucket.put("big", chunks(mib * MIB))
    with bucket.open("big") as reader:
        total = sum(len(c) for c in reader.chunks())
    assert total == mib * MIB
    print(peak_rss_mb())


def run(url: str, repeat: int, keys: int) -> None:
    cloud = cloudneutral.connect(url)
    cloud.blobs.create_bucket("bench")
    bucket = cloud.blobs.bucket("bench")
    small = os.urandom(4096)
    put_small = timed(lambda: [bucket.put(f"small/{i:05d}", small) for i in range(1000)], repeat)
    for i in range(keys):
        bucket.put(f"list/{i:06d}", b"")
    listing = timed(lambda: sum(1 for _ in bucket.list("list/")), repeat)
    big = os.urandom(64 * MIB)
    put_get = timed(lambda: (bucket.put("big", big), bucket.get("big")), repeat)
    print(
        f"{url:<40} list {keys} keys {listing:7.3f}s | 1000 x 4 KiB puts {put_small:7.3f}s | "
        f"64 MiB put+get {put_get:7.3f}s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer keys and repetitions")
    parser.add_argument("--rss-child", nargs=2, metavar=("ROOT", "MIB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        peak_rss_child(args.rss_child[0], int(args.rss_child[1]))
        return
    repeat, keys = (1, 1000) if args.quick else (3, 10_000)
    run("local://", repeat, keys)
    with tempfile.TemporaryDirectory() as root:
        run(f"local://?root={root}", repeat, keys)
    with tempfile.TemporaryDirectory() as root:
        mib = 32 if args.quick else 256
        out = subprocess.run(
            [sys.executable, __file__, "--rss-child", root, str(mib)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        print(f"peak RSS of a {mib} MiB streamed put+get to local://?root=: {float(out):.1f} MB")


if __name__ == "__main__":
    main()
