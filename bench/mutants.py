"""Measure the conformance suite's mutation score: plant each mutant of the battery
(``bench/battery/``) alone, run the whole suite, and count the mutants it kills.

Usage::

    python bench/mutants.py [--adapter local,aws] [--only ID,...] [-j N] [--mode live|replay]
                            [--all-killers] [--timeout SECONDS] [--write docs/mutation-score.md]
    python bench/mutants.py --list

Each mutant runs in a fresh interpreter that plants it through an import hook
(``battery/plant.py``): the source files are never modified. ``live`` (the default) runs the
suite against the adapter's endpoint: in-process for the local provider, a moto server
the tool starts for AWS (one per worker, reset between mutants). ``replay`` runs the AWS
suite from its cassettes instead, to show that strict replay catches the same bugs. The
unmutated suite runs first and must pass. A mutant is *killed* when a test fails (the
first failing test is reported; ``--all-killers`` lists every one), *survives* when the
suite passes, and is *stale* when its text no longer occurs in the module (update the
battery). Results go to ``bench/results/mutants-MODE.json``; ``--write FILE`` replaces the
part of FILE between ``<!-- mutants:MODE:begin -->`` and ``<!-- mutants:MODE:end -->``
with a table.

This is not part of the test command: a live AWS battery takes a quarter of an hour.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import queue
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import attrs

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from battery import ADAPTERS, Adapter, Mutant, Peer, load  # noqa: E402
from battery.plant import Planter, StaleMutant, apply_edits  # noqa: E402

__all__ = ["Result", "main", "render", "run_one"]

_SUMMARY = re.compile(r"^(FAILED|ERROR) (\S+)", re.M)


@attrs.define
class Result:
    """What became of one mutant (or of the unmutated baseline, id ``baseline``)."""

    id: str
    adapter: str
    outcome: str  # killed, survived, stale, error, timeout
    killers: list[str] = attrs.field(factory=list)
    seconds: float = 0.0
    detail: str = ""


def module_path(module: str) -> Path:
    """The source file of ``module``, found without importing it (nor its package)."""
    top, *rest = module.split(".")
    spec = importlib.util.find_spec(top)
    if spec is None or not spec.submodule_search_locations:
        raise LookupError(f"no package {top}")
    base = Path(next(iter(spec.submodule_search_locations)))
    return base.joinpath(*rest).with_suffix(".py") if rest else base / "__init__.py"


def stale(mutant: Mutant) -> str | None:
    """Why ``mutant`` no longer applies, else ``None``."""
    path = module_path(mutant.module)
    try:
        apply_edits(path.read_text(encoding="utf-8"), mutant.edits, str(path))
    except StaleMutant as exc:
        return str(exc).splitlines()[0]
    return None


def pytest_args(adapter: Adapter, mutant: Mutant | None, mode: str, all_killers: bool) -> list[str]:
    harnesses = (mutant.harnesses if mutant and mutant.harnesses else None) or adapter.harnesses
    args = ["-p", "no:cacheprovider", "-q", "-rfE", "-W", "ignore::pytest.PytestAssertRewriteWarning"]
    args += ["--pyargs", "cloudneutral.conformance.suite"]
    args += [f"--cn-provider={','.join(harnesses)}", f"--cn-mode={mode}"]
    return args if all_killers else [*args, "-x"]


def run_one(
    adapter: Adapter, mutant: Mutant | None, mode: str, peer: Peer | None, timeout: float, all_killers: bool
) -> Result:
    """Run the suite once in a child interpreter, ``mutant`` planted (``None``: baseline)."""
    ident = mutant.id if mutant else "baseline"
    if mutant is not None and (why := stale(mutant)):
        return Result(ident, adapter.name, "stale", detail=why)
    if peer is not None:
        peer.reset()
    env = {**os.environ, **(peer.env if peer else {})}
    command = [sys.executable, str(Path(__file__)), "--child", ident, "--"]
    command += pytest_args(adapter, mutant, mode, all_killers)
    started = time.monotonic()
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return Result(ident, adapter.name, "timeout", seconds=timeout, detail=f"no end after {timeout:g} s")
    seconds = round(time.monotonic() - started, 1)
    killers = [m.group(2) for m in _SUMMARY.finditer(done.stdout)]
    tail = "\n".join(done.stdout.splitlines()[-3:])
    if done.returncode == 0:
        return Result(ident, adapter.name, "survived", seconds=seconds)
    if done.returncode == 1 and killers:
        return Result(ident, adapter.name, "killed", killers, seconds)
    detail = f"exit {done.returncode}: {tail}{done.stderr[-500:]}"
    return Result(ident, adapter.name, "error", killers, seconds, detail)


def child(ident: str, args: Sequence[str]) -> int:
    """In the child interpreter: plant ``ident`` (unless ``baseline``), then run pytest."""
    if ident != "baseline":
        mutant = next(m for a in load().values() for m in a.mutants if m.id == ident)
        planter = Planter(mutant.module, mutant.edits).install()
        # import it now, before pytest's assertion rewriter (first on sys.meta_path once
        # pytest runs, for the modules of its plugins' distributions) would load it
        importlib.import_module(mutant.module)
        if not planter.applied:
            print(f"mutant {ident}: {mutant.module} was not loaded through the planter", file=sys.stderr)
            return 98
    import pytest

    return int(pytest.main(list(args)))


def _peers(adapter: Adapter, count: int, stack: ExitStack) -> queue.Queue[Peer | None]:
    pool: queue.Queue[Peer | None] = queue.Queue()
    for _ in range(count):
        pool.put(stack.enter_context(adapter.peer()) if adapter.peer is not None else None)
    return pool


def battery(adapter: Adapter, mutants: Sequence[Mutant], args: argparse.Namespace) -> Iterator[Result]:
    """The baseline, then each mutant, for one adapter."""
    needs_peer = args.mode == "live" and adapter.peer is not None
    workers = max(1, min(args.jobs, len(mutants)))
    with ExitStack() as stack:
        peers = _peers(adapter, workers if needs_peer else 0, stack) if needs_peer else None

        def run(mutant: Mutant | None) -> Result:
            peer = peers.get() if peers is not None else None
            try:
                return run_one(adapter, mutant, args.mode, peer, args.timeout, args.all_killers)
            finally:
                if peers is not None:
                    peers.put(peer)

        baseline = run(None)
        yield baseline
        if baseline.outcome != "survived":
            raise SystemExit(f"{adapter.name}: the unmutated suite does not pass: {baseline}")
        with ThreadPoolExecutor(max_workers=workers) as pool:
            yield from pool.map(run, mutants)


def render(results: Sequence[Result], mode: str) -> str:
    """The Markdown table of ``results`` per adapter, with the score."""
    lines: list[str] = []
    by_id = {m.id: m for a in ADAPTERS.values() for m in a.mutants}
    for name in sorted({r.adapter for r in results}):
        rows = [r for r in results if r.adapter == name and r.id != "baseline"]
        killed = sum(r.outcome in ("killed", "timeout") for r in rows)
        lines += [f"### {name} ({mode}): {killed} of {len(rows)} killed", ""]
        lines += ["| mutant | bug planted | issue 8 | outcome | killed by |", "|---|---|:-:|---|---|"]
        for r in rows:
            mutant = by_id[r.id]
            killer = (r.killers[0].split("::", 1)[-1] if r.killers else r.detail) or ""
            flag = "yes" if mutant.issue8 else ""
            lines.append(f"| `{r.id}` | {mutant.bug} | {flag} | {r.outcome} | `{killer}` |")
        lines.append("")
    return "\n".join(lines)


def write(path: Path, table: str, mode: str) -> None:
    """Replace the part of ``path`` between the markers of ``mode`` with ``table``."""
    begin, end = f"<!-- mutants:{mode}:begin -->", f"<!-- mutants:{mode}:end -->"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if begin not in text:
        text += f"\n{begin}\n{end}\n"
    head, _, rest = text.partition(begin)
    _, _, tail = rest.partition(end)
    path.write_text(f"{head}{begin}\n{table}\n{end}{tail}", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        return child(argv[1], argv[3:])
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--adapter", default="", help="comma-separated adapters (default: all)")
    parser.add_argument("--only", default="", help="comma-separated mutant ids")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--mode", choices=("live", "replay"), default="live")
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds per suite run")
    parser.add_argument("--all-killers", action="store_true", help="run every test, list every killer")
    parser.add_argument("--write", type=Path, help="Markdown file whose mutants section to replace")
    parser.add_argument("--list", action="store_true", help="list the battery and exit")
    args = parser.parse_args(argv)
    adapters = load()
    chosen = [a.strip() for a in args.adapter.split(",") if a.strip()] or sorted(adapters)
    only = {m.strip() for m in args.only.split(",") if m.strip()}
    if args.list:
        for name in chosen:
            for m in adapters[name].mutants:
                print(f"{m.id:42} {'issue8 ' if m.issue8 else ''}{m.bug}")
        return 0
    results: list[Result] = []
    for name in chosen:
        adapter = adapters[name]
        if args.mode == "replay" and not adapter.recorded:
            continue
        mutants = [m for m in adapter.mutants if not only or m.id in only]
        if not mutants:
            continue
        print(f"== {name}: {len(mutants)} mutants, mode {args.mode}, {args.jobs} at a time", flush=True)
        for result in battery(adapter, mutants, args):
            killer = result.killers[0] if result.killers else result.detail
            print(f"{result.id:42} {result.outcome:9} {result.seconds:7.1f}s  {killer}", flush=True)
            results.append(result)
    out = ROOT / "bench" / "results" / f"mutants-{args.mode}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps([attrs.asdict(r) for r in results], indent=2) + "\n", encoding="utf-8")
    table = render(results, args.mode)
    print("\n" + table)
    if args.write:
        write(args.write, table, args.mode)
    mutants_run = [r for r in results if r.id != "baseline"]
    return 0 if all(r.outcome in ("killed", "timeout") for r in mutants_run) else 1


if __name__ == "__main__":
    sys.exit(main())
