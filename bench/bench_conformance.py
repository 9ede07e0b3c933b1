"""Benchmark a full replay of the conformance suite, every provider, as a user runs it.

Each provider's suite (``pytest --pyargs cloudneutral.conformance.suite --cn-provider=NAME``,
replay: offline, from the cassettes; the local provider always runs live) runs in a fresh
process; printed are the median wall time and the median CPU time (user + system) of that
process over ``--repeat`` runs, then the wall time of all providers at once, one process
each (what two cores give a provider author who runs them together). CPU time is the
steadier figure on a shared machine: wall time also counts waiting for the CPU and, for
``local-dir``, for ``fsync``.

``--before REF`` measures the same at another commit (extracted with ``git archive`` into a
temporary directory, imported ahead of the installed checkout through ``PYTHONPATH``), so a
change can be compared with what it replaced. ``--profile NAME`` runs one provider's replay
under cProfile and prints where the time goes.

Run: ``python bench/bench_conformance.py [--repeat N] [--providers local,local-dir,aws]
[--before REF] [--profile aws]``. Nothing here asserts.
"""

from __future__ import annotations

import argparse
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROVIDERS = ("local", "local-dir", "aws")


def command(provider: str, extra: Sequence[str] = ()) -> list[str]:
    args = ["-m", "pytest", "-q", "-p", "no:cacheprovider", "--pyargs", "cloudneutral.conformance.suite"]
    return [sys.executable, *extra, *args, f"--cn-provider={provider}"]


def environment(tree: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    if tree is not None:  # the old checkout's packages first, ahead of the installed ones
        paths = [str(tree), str(tree / "providers" / "aws"), env.get("PYTHONPATH", "")]
        env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    return env


def run(provider: str, tree: Path | None) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, pytest's last line) of one replay of ``provider``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        command(provider), cwd=tree or ROOT, env=environment(tree), capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-200:]
    return wall, cpu, last


def together(providers: Sequence[str], tree: Path | None) -> float:
    """Wall seconds of every provider's replay at once, one process each."""
    started = time.perf_counter()
    running = [
        subprocess.Popen(
            command(p),
            cwd=tree or ROOT,
            env=environment(tree),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for p in providers
    ]
    for process in running:
        process.wait()
    return time.perf_counter() - started


def extract(ref: str, into: Path) -> Path:
    """The tree of commit ``ref``, extracted under ``into``."""
    archive = into / "tree.tar"
    with archive.open("wb") as fh:
        subprocess.run(["git", "archive", ref], cwd=ROOT, stdout=fh, check=True)
    tree = into / "tree"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    return tree


def measure(trees: dict[str, Path | None], providers: Sequence[str], repeat: int) -> None:
    """Median wall and CPU time per provider and tree; the trees run alternately, so that
    whatever else loads the machine weighs on each alike."""
    samples: dict[tuple[str, str], list[tuple[float, float, str]]] = {}
    walls: dict[str, list[float]] = {label: [] for label in trees}
    for _ in range(repeat):
        for provider in providers:
            for label, tree in trees.items():
                samples.setdefault((label, provider), []).append(run(provider, tree))
        for label, tree in trees.items():
            walls[label].append(together(providers, tree))
    for label in trees:
        print(f"\n{label}")
        print(f"  {'provider':10} {'wall (median)':>14} {'CPU (median)':>13}   result")
        for provider in providers:
            runs = samples[label, provider]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            print(f"  {provider:10} {wall:13.1f}s {cpu:12.1f}s   {runs[-1][2]}")
        processes = f"({len(providers)} processes, {os.cpu_count()} CPUs)"
        print(f"  {'all at once':10} {statistics.median(walls[label]):13.1f}s   {processes}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nload average at the end: {load:.1f} (wall times count waiting for a busy CPU)")


def profile(provider: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "replay.prof"
        subprocess.run(command(provider, ["-m", "cProfile", "-o", str(out)]), cwd=ROOT, capture_output=True)
        stats = pstats.Stats(str(out))
        print(f"\nprofile of the {provider} replay: most time spent in (own time)")
        stats.sort_stats("tottime").print_stats(15)
        print("cumulative, the suite's machinery and the adapter:")
        stats.sort_stats("cumulative").print_stats(
            r"conformance/(recording|matching|fixtures|env)|_clients|yaml", 15
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--providers", default=",".join(PROVIDERS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", metavar="REF", help="also measure the suite at commit REF")
    parser.add_argument("--profile", metavar="PROVIDER", help="profile one provider's replay instead")
    args = parser.parse_args(argv)
    if args.profile:
        profile(args.profile)
        return 0
    providers = [p.strip() for p in args.providers.split(",") if p.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        trees: dict[str, Path | None] = {}
        if args.before:
            trees[f"at {args.before}"] = extract(args.before, Path(tmp))
        trees["now"] = None
        measure(trees, providers, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
