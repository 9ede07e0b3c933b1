"""Command line of :mod:`raxcassette`: build or check the assembled cassettes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .assemble import CASSETTES, load_script, render, write

__all__ = ["ASSEMBLIES", "main", "scripts"]

#: ``scripts/rackspace/assemblies``: one assembly script per cassette.
ASSEMBLIES = Path(__file__).resolve().parents[1] / "assemblies"


def scripts(paths: Sequence[Path] = ()) -> list[Path]:
    """The assembly scripts named, or every ``*.py`` in :data:`ASSEMBLIES` (sorted)."""
    return list(paths) if paths else sorted(p for p in ASSEMBLIES.glob("*.py") if not p.name.startswith("_"))


def main(argv: Sequence[str] | None = None) -> int:
    """``build_cassettes.py [--check] [--root DIR] [SCRIPT.py ...]``; 0 on success."""
    parser = argparse.ArgumentParser(prog="build_cassettes.py", description=__doc__)
    parser.add_argument("scripts", nargs="*", type=Path, help="assembly scripts (default: all)")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--root", type=Path, default=CASSETTES, help="cassette root (cassettes/rackspace)")
    args = parser.parse_args(argv)
    stale = 0
    for path in scripts(args.scripts):
        script = load_script(path)
        target = script.output(args.root)
        if args.check:
            current = target.read_text(encoding="utf-8") if target.exists() else None
            if current != render(script):
                print(f"out of date: {target} (from {path})", file=sys.stderr)
                stale += 1
        else:
            print(write(script, args.root))
    return 1 if stale else 0
