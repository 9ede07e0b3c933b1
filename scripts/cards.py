#!/usr/bin/env python3
"""Regenerate the committed report cards and the provider matrix: `python scripts/cards.py`.

For every conformance harness installed (entry points `cloudneutral.conformance`, but
`local-dir`, the local provider again), replays the suite offline from the committed
cassettes (`cloudneutral conformance PROVIDER --report ...`; the local provider needs none)
and writes `docs/cards/PROVIDER.json`, `.md` and `.html`; then builds
`docs/provider-matrix.md` from every `docs/cards/*.json`. Everything written is
deterministic (no timestamps, durations or paths), so a regeneration is byte-identical.

    python scripts/cards.py               # regenerate cards and matrix (about 30-80 s)
    python scripts/cards.py --matrix      # only the matrix, from the cards already there
    python scripts/cards.py --check       # CI: regenerate into a scratch folder, fail if stale
    python scripts/cards.py aws azure     # only these providers' cards (then the matrix)

A failing test does not stop the script (the card records it); a run that could not
happen at all (exit code 2 or more) does.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

from cloudneutral.conformance.cards import load_cards, render_matrix

ROOT = Path(__file__).resolve().parent.parent
CARDS = Path("docs/cards")
MATRIX = Path("docs/provider-matrix.md")
COMMAND = "python scripts/cards.py"
SKIPPED = {"local-dir", "NAME"}  # the local provider again; the adapter template's placeholder


def providers() -> list[str]:
    """Every installed harness name worth a card, sorted."""
    names = {ep.name for ep in metadata.entry_points(group="cloudneutral.conformance")}
    return sorted(names - SKIPPED)


def card(provider: str, out: Path) -> tuple[str, int, str]:
    """Replay ``provider``'s suite, writing its three cards into ``out``."""
    cli = Path(sys.executable).with_name("cloudneutral")
    command = [str(cli) if cli.exists() else "cloudneutral", "conformance", provider]
    for suffix in ("json", "md", "html"):
        command += ["--report", str(out / f"{provider}.{suffix}")]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, check=False)
    tail = (done.stdout.strip().splitlines() or [""])[-1]
    return provider, done.returncode, tail if done.returncode < 2 else done.stdout + done.stderr


def matrix(cards_dir: Path, target: Path) -> None:
    cards = [c for path in sorted(cards_dir.glob("*.json")) for c in load_cards(path.read_text("utf-8"))]
    target.write_text(render_matrix(cards, command=COMMAND), encoding="utf-8")


def generate(names: list[str], cards_dir: Path, matrix_file: Path, jobs: int) -> int:
    cards_dir.mkdir(parents=True, exist_ok=True)
    status = 0
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for provider, code, tail in pool.map(lambda n: card(n, cards_dir), names):
            print(f"{provider}: exit {code}: {tail}", flush=True)
            if code >= 2:
                status = 2
    matrix(cards_dir, matrix_file)
    return status


def check(names: list[str], jobs: int) -> int:
    with tempfile.TemporaryDirectory(prefix="cn-cards-") as scratch:
        fresh = Path(scratch) / "cards"
        if generate(names, fresh, Path(scratch) / MATRIX.name, jobs):
            return 2
        committed = ROOT / CARDS
        stale = [
            str(CARDS / name)
            for name in sorted({p.name for p in fresh.iterdir()} | {p.name for p in committed.glob("*")})
            if not (committed / name).is_file()
            or not (fresh / name).is_file()
            or not filecmp.cmp(committed / name, fresh / name, shallow=False)
        ]
        if not filecmp.cmp(ROOT / MATRIX, Path(scratch) / MATRIX.name, shallow=False):
            stale.append(str(MATRIX))
    if stale:
        print(f"stale: {', '.join(stale)}", file=sys.stderr)
        print(f"report cards or provider matrix stale: run `{COMMAND}` and commit", file=sys.stderr)
        return 1
    print(f"report cards ({len(names)}) and {MATRIX} are up to date")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("providers", nargs="*", help="only these providers' cards (default: every harness)")
    parser.add_argument("--matrix", action="store_true", help="only the matrix, from docs/cards/*.json")
    parser.add_argument("--check", action="store_true", help="fail (exit 1) when what is committed is stale")
    jobs = max(1, min(4, os.cpu_count() or 1))
    parser.add_argument("--jobs", type=int, default=jobs, help="parallel replays")
    args = parser.parse_args()
    names = args.providers or providers()
    if args.check:
        return check(names, args.jobs)
    if args.matrix:
        matrix(ROOT / CARDS, ROOT / MATRIX)
        return 0
    if not args.providers:
        for old in (ROOT / CARDS).glob("*.*"):  # a provider gone leaves no card behind
            old.unlink()
    status = generate(names, ROOT / CARDS, ROOT / MATRIX, args.jobs)
    print(f"wrote {CARDS}/ and {MATRIX}")
    return status


if __name__ == "__main__":
    sys.exit(main())
