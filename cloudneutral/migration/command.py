"""The ``cloudneutral migrate`` and ``cloudneutral verify`` commands.

``migrate SRC DST`` plans (``--dry-run`` stops there; ``--json FILE`` writes the plan),
copies with a progress bar on a terminal (objects, bytes, rate, ETA), prints a one-line
summary and writes a JSON report (``--report FILE``); ``--executor dask://HOST:PORT`` copies
on the workers of a running Dask cluster (:mod:`.distributed`). Exit codes: 0 every object is at the
target and verified; 3 some objects failed (the others are done: run it again to retry
them); 75 every failure was transient; 1 a permanent failure; 130 interrupted (the journal
is consistent: run it again to resume).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .._progress import human_bytes
from ..transfer import Cancel
from .api import migrate, plan, verify
from .engine import MigrationReport, Outcome
from .planning import Plan

__all__ = ["EX_PARTIAL", "add_commands"]

EX_PARTIAL = 3


def add_commands(commands: Any, int_at_least: Callable[[int], Callable[[str], int]]) -> None:
    """Add ``migrate``, ``verify`` and ``migrate-servers`` to the command's sub-parsers."""
    sub = commands.add_parser(
        "migrate",
        help="move every blob under SRC to DST: planned, resumable, verified end to end",
        description="Copy every blob under SRC (a bucket or prefix) to DST, verified end to end, resumable "
        "after a crash (the journal records each object and part), idempotent (a second run copies "
        "nothing). Exit codes: 0 all verified, 3 some objects failed, 75 transient failure, 1 failure, "
        "130 interrupted.",
    )
    sub.add_argument("src", metavar="SRC", help="PROVIDER://BUCKET[/PREFIX]")
    sub.add_argument("dst", metavar="DST", help="PROVIDER://BUCKET[/PREFIX]")
    sub.add_argument("--dry-run", action="store_true", help="plan and print what would be done; copy nothing")
    sub.add_argument("--json", metavar="FILE", help="write the plan as JSON ('-' for stdout)")
    sub.add_argument("--report", metavar="FILE", help="write a JSON report of the run")
    sub.add_argument(
        "--journal", metavar="FILE", help="the journal (default: one per SRC/DST pair in the cache)"
    )
    sub.add_argument(
        "--concurrency", type=int_at_least(1), default=8, metavar="N", help="objects and parts at once (8)"
    )
    sub.add_argument(
        "--part-size",
        type=int_at_least(1024 * 1024),
        default=8 * 1024 * 1024,
        metavar="BYTES",
        help="part size of large objects (8 MiB)",
    )
    sub.add_argument(
        "--read-size",
        type=int_at_least(0),
        metavar="BYTES",
        help="bytes per ranged read of a large object, in whole parts (default: concurrency parts; "
        "0: one read per object); longer reads cost fewer requests, shorter ones more streams",
    )
    sub.add_argument("--delete", action="store_true", help="delete what DST holds and SRC does not (mirror)")
    sub.add_argument(
        "--include", action="append", default=[], metavar="GLOB", help="only keys matching (repeatable)"
    )
    sub.add_argument(
        "--exclude", action="append", default=[], metavar="GLOB", help="not keys matching (repeatable)"
    )
    sub.add_argument(
        "--max-bytes", type=int_at_least(0), metavar="BYTES", help="copy at most this many bytes"
    )
    sub.add_argument(
        "--strict", action="store_true", help="fail copies whose source offers no checksum to check"
    )
    sub.add_argument(
        "--executor",
        type=_executor,
        default=None,
        metavar="dask://HOST:PORT",
        help="copy on the workers of a running Dask cluster (cloudneutral[dask]); default: threads here",
    )
    sub.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary")
    sub.set_defaults(func=cmd_migrate)

    check = commands.add_parser(
        "verify",
        help="check DST holds every blob of SRC, without downloading what the providers prove",
    )
    check.add_argument("src", metavar="SRC", help="PROVIDER://BUCKET[/PREFIX]")
    check.add_argument("dst", metavar="DST", help="PROVIDER://BUCKET[/PREFIX]")
    check.add_argument("--journal", metavar="FILE", help="the migration's journal (default: the pair's)")
    check.add_argument("--download", action="store_true", help="read and hash what nothing else proves")
    check.add_argument("--json", metavar="FILE", help="write the result as JSON ('-' for stdout)")
    check.set_defaults(func=cmd_verify)

    from .servers_command import add_server_command

    add_server_command(commands, int_at_least)


def _executor(text: str) -> str | None:
    """``threads`` (``None``: this process) or ``dask://HOST:PORT`` (the scheduler's address)."""
    if text == "threads":
        return None
    host, _, port = text.removeprefix("dask://").rpartition(":")
    if not text.startswith("dask://") or not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected dask://HOST:PORT or threads, not {text!r}")
    return f"tcp://{host}:{port}"


@contextmanager
def _cluster(address: str | None) -> Iterator[Any]:
    """A ``distributed.Client`` of the scheduler at ``address`` (``None``: no cluster)."""
    if address is None:
        yield None
        return
    from ..errors import TransientError
    from .dask_task import dask

    distributed = dask()
    try:
        client = distributed.Client(address, timeout=30, set_as_default=False)
    except OSError as exc:  # refused, or no answer within the timeout
        raise TransientError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    with client:
        yield client


def _write_json(target: str, doc: object) -> None:
    text = json.dumps(doc, indent=2, sort_keys=True) + "\n"
    if target == "-":
        sys.stdout.write(text)
    else:
        Path(target).write_text(text, encoding="utf-8")


@contextmanager
def _bar(enabled: bool) -> Iterator[Any]:
    """A tqdm bar of bytes on stderr (objects in its postfix), or ``None`` when disabled."""
    if not enabled:
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(
        total=0,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        file=sys.stderr,
        dynamic_ncols=True,
        leave=False,
    )
    try:
        yield bar
    finally:
        bar.close()


def cmd_migrate(args: argparse.Namespace) -> int:
    options: dict[str, Any] = {
        "include": args.include,
        "exclude": args.exclude,
        "delete": args.delete,
        "max_bytes": args.max_bytes,
        "journal": args.journal,
    }
    if args.dry_run:
        with plan(args.src, args.dst, **options) as planned:
            if args.json:
                _write_json(args.json, planned.as_json())
            if not args.quiet and args.json != "-":
                print(f"plan: {planned.summary()}")
        return 0
    done: list[Outcome] = []
    args.on_interrupt = lambda: (
        f"{sum(1 for o in done if o.action in ('copy', 'overwrite'))} objects were copied and "
        "verified before the stop; run again to resume"
    )
    failures: list[Outcome] = []
    with _bar(sys.stderr.isatty() and not args.quiet) as bar:

        def on_plan(planned: Plan) -> None:
            if args.json:
                _write_json(args.json, planned.as_json())
            if bar is not None:
                bar.total = planned.to_transfer[1]
                bar.set_description(f"{planned.to_transfer[0]} objects")
                bar.refresh()

        def on_done(outcome: Outcome) -> None:
            (done if outcome.state == "done" else failures).append(outcome)
            if outcome.state == "failed" and outcome.error is not None:
                from ..cli import error_line

                message = error_line(outcome.error, f"copying {outcome.key}")
                if bar is not None:
                    bar.write(message, file=sys.stderr)
                else:
                    print(message, file=sys.stderr)
            if bar is not None:
                bar.set_postfix(objects=len(done), failed=len(failures), refresh=False)

        with _cluster(args.executor) as client:
            report = migrate(
                args.src,
                args.dst,
                client=client,
                concurrency=args.concurrency,
                part_size=args.part_size,
                read_size=args.read_size,
                strict=args.strict,
                cancel=Cancel(),
                on_plan=on_plan,
                on_bytes=(lambda n: bar.update(n)) if bar is not None else None,
                on_done=on_done,
                **options,
            )
    if args.report:
        _write_json(args.report, report.as_json())
    if not args.quiet:
        print(_summary(report))
    return _exit_code(report)


def _summary(report: MigrationReport) -> str:
    ways = ", ".join(f"{how} {n}" for how, n in sorted(report.verified.items())) or "none"
    skipped = report.plan.counts.get("skip", (0, 0))[0]
    line = (
        f"migrated {len(report.copied)} objects ({human_bytes(report.bytes)}) in {report.elapsed:.1f}s "
        f"from {report.plan.src} to {report.plan.dst}; verified by {ways}; skipped {skipped} already there"
    )
    if report.deleted:
        line += f"; deleted {len(report.deleted)}"
    if report.plan.counts.get("defer"):
        line += f"; deferred {report.plan.counts['defer'][0]} (max-bytes)"
    if report.failed:
        line += f"; FAILED {len(report.failed)}"
    if report.strict and report.unproven:
        line += f"; {len(report.unproven)} verified by size only (--strict)"
    if not report.copied and not report.failed and not report.deleted:
        line = f"nothing to do: {skipped} objects already at {report.plan.dst}"
    return line


def _exit_code(report: MigrationReport) -> int:
    if report.ok:
        return 0
    if report.cancelled:
        return 130
    if report.failed and all(o.error is not None and o.error.transient for o in report.failed):
        return 75
    return EX_PARTIAL if report.done else 1


def cmd_verify(args: argparse.Namespace) -> int:
    result = verify(args.src, args.dst, journal=args.journal, download=args.download)
    if args.json:
        _write_json(args.json, result.as_json())
    if args.json != "-":
        for check in result.checks:
            if check.status != "verified":
                print(f"{check.status:9} {check.key}  {check.detail}")
        print(f"verify: {result.summary()}")
    return 0 if result.ok else EX_PARTIAL
