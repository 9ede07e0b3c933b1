"""How long ``import cloudneutral`` takes, what it loads, and what the first ``connect`` adds.

Runs a fresh interpreter ``--runs`` times for ``pass`` and for ``import cloudneutral``,
interleaved, and prints the medians and their difference (the cost of the import itself),
plus the modules the import pulls in that it should not (vendor SDKs, importlib.metadata,
the conformance machinery). Target: the import under 80 ms. Nothing here asserts.

Run: ``python bench/bench_import.py [--runs 30]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

HEAVY = (
    "importlib.metadata",
    "boto3",
    "botocore",
    "azure",
    "openstack",
    "vcr",
    "pytest",
    "cloudneutral.conformance",
)


def wall(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    bare, full, first = [], [], []
    for _ in range(args.runs):
        bare.append(wall("pass"))
        full.append(wall("import cloudneutral"))
        first.append(wall("import cloudneutral; cloudneutral.connect('local://').close()"))
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, cloudneutral; print(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    heavy = sorted({m for m in loaded for h in HEAVY if m == h or m.startswith(h + ".")})
    b, f, c = statistics.median(bare), statistics.median(full), statistics.median(first)
    print(f"python -c pass:                 median {b * 1000:7.1f} ms over {args.runs} runs")
    print(f"python -c 'import cloudneutral': median {f * 1000:7.1f} ms")
    print(f"import cloudneutral itself:      {(f - b) * 1000:7.1f} ms (target < 80 ms)")
    print(f"import + connect('local://'):    {(c - b) * 1000:7.1f} ms (everything a first call loads)")
    print(f"modules loaded: {len(loaded)}; heavy ones: {', '.join(heavy) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
