"""The ``cloudneutral migrate-servers`` command.

``migrate-servers SRC DST --plan`` shows what each server, volume and snapshot of SRC
becomes at DST and what cannot be mapped (with why); ``--apply`` plans the same way, then
creates them. Exit codes: 0 everything planned is at the target and nothing was left
unmapped; 3 some resources failed or cannot be mapped (the others are done: run it again
to retry); 75 every failure was transient; 1 a permanent failure; 130 interrupted (the
journal is consistent: run it again to resume).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..transfer import Cancel
from .servers_api import apply_servers, plan_servers
from .servers_apply import Applied, ServerReport
from .servers_plan import ServerPlan

__all__ = ["add_server_command"]

EX_PARTIAL = 3


def add_server_command(commands: Any, int_at_least: Callable[[int], Callable[[str], int]]) -> None:
    """Add ``migrate-servers`` to the command's sub-parsers."""
    sub = commands.add_parser(
        "migrate-servers",
        help="move servers, their volumes and snapshots from one provider to another",
        description="Map every server of SRC to the closest size (never smaller, same CPU architecture) and "
        "matching image at DST, each volume to one of equal size attached as on the source, and snapshots "
        "where their bytes can move; --plan shows the mapping and what cannot be mapped, --apply creates "
        "them (idempotent: a second run creates nothing; a killed run resumes). Volume bytes are copied "
        "only where both ends are the local provider: elsewhere only the volume is re-created, empty. "
        "Exit codes: 0 done, 3 some resources failed or cannot be mapped, 75 transient failure, "
        "1 failure, 130 interrupted.",
    )
    sub.add_argument("src", metavar="SRC", help="PROVIDER://?OPTIONS (no bucket), e.g. local://?root=DIR")
    sub.add_argument(
        "dst", metavar="DST", help="PROVIDER://?OPTIONS (no bucket), e.g. aws://?region=eu-west-1"
    )
    mode = sub.add_mutually_exclusive_group(required=True)
    mode.add_argument("--plan", action="store_true", help="show the mapping; create nothing")
    mode.add_argument("--apply", action="store_true", help="plan, then create what the plan maps")
    sub.add_argument(
        "--journal", metavar="FILE", help="the journal (default: one per SRC/DST pair in the cache)"
    )
    sub.add_argument("--json", metavar="FILE", help="write the plan as JSON ('-' for stdout)")
    sub.add_argument("--report", metavar="FILE", help="write a JSON report of the run (--apply)")
    sub.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="GLOB",
        help="only servers (and loose volumes) named so",
    )
    sub.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="not servers (and loose volumes) named so",
    )
    sub.add_argument(
        "--concurrency", type=int_at_least(1), default=4, metavar="N", help="servers created at once (4)"
    )
    sub.add_argument("-q", "--quiet", action="store_true", help="no mapping and no summary")
    sub.set_defaults(func=cmd_migrate_servers)


def _write_json(target: str, doc: object) -> None:
    text = json.dumps(doc, indent=2, sort_keys=True) + "\n"
    if target == "-":
        sys.stdout.write(text)
    else:
        Path(target).write_text(text, encoding="utf-8")


def _show(plan: ServerPlan, args: argparse.Namespace) -> None:
    if args.json:
        _write_json(args.json, plan.as_json())
    if not args.quiet and args.json != "-":
        print(f"plan: {plan.src} -> {plan.dst}: {plan.summary()}")
        for line in plan.lines():
            print(f"  {line}")


def cmd_migrate_servers(args: argparse.Namespace) -> int:
    options: dict[str, Any] = {"include": args.include, "exclude": args.exclude, "journal": args.journal}
    if args.plan:
        with plan_servers(args.src, args.dst, **options) as planned:
            _show(planned, args)
        return 0
    applied: list[Applied] = []
    args.on_interrupt = lambda: (
        f"{sum(1 for r in applied if r.outcome == 'created')} resources were created before the stop; "
        "run again to resume"
    )

    def on_item(result: Applied) -> None:
        applied.append(result)
        if result.outcome == "failed" and result.error is not None:
            from ..cli import error_line

            print(error_line(result.error, f"{result.item.kind} {result.item.name}"), file=sys.stderr)
        elif result.outcome == "created" and not args.quiet:
            item = result.item
            print(f"created {item.kind} {item.name} ({item.src_id}) -> {item.dst_id}", flush=True)

    report = apply_servers(
        args.src,
        args.dst,
        concurrency=args.concurrency,
        cancel=Cancel(),
        on_plan=lambda planned: _show(planned, args),
        on_item=on_item,
        **options,
    )
    if args.report:
        _write_json(args.report, report.as_json())
    if not args.quiet:
        print(report.summary())
    return _exit_code(report)


def _exit_code(report: ServerReport) -> int:
    if report.ok:
        return 0
    if report.cancelled:
        return 130
    failed = report.of("failed")
    if failed and all(r.error is not None and r.error.transient for r in failed):
        return 75
    if failed and not report.of("created") and not report.of("already"):
        return 1
    return EX_PARTIAL
