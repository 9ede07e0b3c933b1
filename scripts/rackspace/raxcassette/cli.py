"""Command line of :mod:`raxcassette`: build or check the assembled cassettes.

Two kinds of input make cassettes: assembly scripts (``scripts/rackspace/assemblies/*.py``,
each defining ``SCRIPT``; the proofs) and plans (``scripts/rackspace/plans/*.json``, one per
conformance test, written by ``capture.py``). ``--check`` also fails on a conformance
cassette no plan makes (left behind by a test that no longer exists).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .assemble import CASSETTES, Script, load_script, render, write
from .plans import PLANS, load_plan

__all__ = ["ASSEMBLIES", "main", "scripts", "targets"]

#: ``scripts/rackspace/assemblies``: one assembly script per cassette.
ASSEMBLIES = Path(__file__).resolve().parents[1] / "assemblies"


def scripts(paths: Sequence[Path] = ()) -> list[Path]:
    """The assembly scripts named, or every ``*.py`` in :data:`ASSEMBLIES` (sorted)."""
    return list(paths) if paths else sorted(p for p in ASSEMBLIES.glob("*.py") if not p.name.startswith("_"))


def targets(paths: Sequence[Path] = (), plans: Path = PLANS) -> list[tuple[Path, Script]]:
    """``(input, script)`` of the inputs named (``.py`` scripts or ``.json`` plans), or of
    every assembly script and every plan."""
    if paths:
        return [(p, load_plan(p) if p.suffix == ".json" else load_script(p)) for p in paths]
    found = [(p, load_script(p)) for p in scripts()]
    return found + [(p, load_plan(p)) for p in sorted(plans.glob("*.json"))]


def main(argv: Sequence[str] | None = None) -> int:
    """``build_cassettes.py [--check] [--root DIR] [INPUT ...]``; 0 on success."""
    parser = argparse.ArgumentParser(prog="build_cassettes.py", description=__doc__)
    parser.add_argument("inputs", nargs="*", type=Path, help="assembly scripts or plans (default: all)")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--root", type=Path, default=CASSETTES, help="cassette root (cassettes/rackspace)")
    args = parser.parse_args(argv)
    stale = 0
    made: set[Path] = set()
    for path, script in targets(args.inputs):
        target = script.output(args.root)
        made.add(target.resolve())
        if args.check:
            current = target.read_text(encoding="utf-8") if target.exists() else None
            if current != render(script):
                print(f"out of date: {target} (from {path})", file=sys.stderr)
                stale += 1
        else:
            print(write(script, args.root))
    if args.check and not args.inputs:
        for orphan in sorted(p for p in args.root.glob("*.yaml") if p.resolve() not in made):
            print(f"made by no plan: {orphan}", file=sys.stderr)
            stale += 1
    return 1 if stale else 0
