"""``cloudneutral conformance PROVIDER --drift``: record into a temporary folder, compare."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from cloudneutral.errors import ConfigurationError

from .compare import DriftReport, compare_trees

__all__ = ["check_drift"]


def check_drift(
    provider: str,
    *,
    cassettes: str | None = None,
    report: Sequence[str] = (),
    extra_args: Sequence[str] = (),
    keep: str | None = None,
) -> tuple[int, DriftReport]:
    """Record the suite for ``provider`` against its live peer into a temporary folder (or
    ``keep``), compare with the committed cassettes (``cassettes`` or where replay finds
    them) and return (exit code, report). The code is pytest's when the run failed, else
    1 when anything drifted, else 0. With ``extra_args`` (a subset of tests), only the
    cassettes recorded are compared. Raises ``ConfigurationError`` for a provider that
    records nothing or has no committed cassettes."""
    from ..fixtures import cassette_root
    from ..harness import load_harness
    from ..runner import run

    harness = load_harness(provider)
    if not harness.recorded:
        raise ConfigurationError(f"{provider} makes no HTTP requests: it has no cassettes to drift")
    root, why = cassette_root(harness, cassettes, Path.cwd())
    committed = root / harness.name
    if not committed.is_dir():
        raise ConfigurationError(f"no committed cassettes for {provider!r}: {committed} (from {why})")
    with tempfile.TemporaryDirectory(prefix="cn-drift-") as scratch:
        fresh_root = Path(keep) if keep else Path(scratch)
        code = run(provider, mode="record", report=report, cassettes=str(fresh_root), extra_args=extra_args)
        fresh = fresh_root / harness.name
        names = [p.name for p in fresh.glob("*.yaml")] if extra_args else None
        result = compare_trees(committed, fresh, names, harness.drift_varying())
    return (code or (0 if result.ok else 1)), result
