"""``run(provider)``: the conformance suite as a function, for ``cloudneutral conformance``."""

from __future__ import annotations

import os
from collections.abc import Sequence

from .harness import MODES

__all__ = ["SUITE", "build_args", "run"]

SUITE = "cloudneutral.conformance.suite"
#: The caller (the CLI) has imported cloudneutral, which pytest would like to assert-rewrite.
_ALREADY_IMPORTED = "ignore:Module already imported so cannot be rewritten:pytest.PytestAssertRewriteWarning"


def build_args(
    provider: str,
    *,
    mode: str = "replay",
    report: str | Sequence[str] | None = None,
    cassettes: str | None = None,
    extra_args: Sequence[str] = (),
) -> list[str]:
    """The pytest command line :func:`run` uses (after ``pytest``)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    args = ["--pyargs", SUITE, f"--cn-provider={provider}", f"--cn-mode={mode}", "-W", _ALREADY_IMPORTED]
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        args[:0] = ["-p", "cloudneutral.conformance.plugin"]
    for target in [report] if isinstance(report, str) else report or ():
        args.append(f"--cn-report={target}")
    if cassettes:
        args.append(f"--cn-cassettes={cassettes}")
    return [*args, *extra_args]


def run(
    provider: str,
    *,
    mode: str = "replay",
    report: str | Sequence[str] | None = None,
    cassettes: str | None = None,
    extra_args: Sequence[str] = (),
) -> int:
    """Run the installed suite against ``provider`` (a harness name, ``a,b`` for several, or
    ``module:factory``) in ``mode``, writing a report card to each of ``report`` (a file name or
    several: the format by extension); return pytest's exit code (0: all passed or skipped).

    Raises ``ValueError`` for an unknown mode. Runs in this process via ``pytest.main``.
    """
    import pytest

    args = build_args(provider, mode=mode, report=report, cassettes=cassettes, extra_args=extra_args)
    return int(pytest.main(args))
