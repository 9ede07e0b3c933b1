"""The report card: per provider and area, how many tests passed, failed, were skipped, and why.

Printed at the end of a run that collected conformance tests, and written to
``--cn-report FILE`` (JSON when the name ends in ``.json``, Markdown otherwise).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import attrs
import pytest

from .fixtures import option

__all__ = ["Area", "ReportCard", "render_markdown"]


@attrs.define
class Area:
    """Counts for one (provider, area)."""

    provider: str
    area: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    reasons: Counter[str] = attrs.field(factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "area": self.area,
            "passed": self.passed,
            "failed": self.failed,
            "skipped": self.skipped,
            "skip_reasons": dict(sorted(self.reasons.items())),
        }


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = str(longrepr[2])
        return reason.removeprefix("Skipped: ")
    return str(longrepr)


class ReportCard:
    """A pytest plugin object collecting outcomes of tests tagged with ``cn_area``."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.outcomes: dict[str, tuple[str, str, str, str]] = {}  # nodeid -> provider, area, outcome, why

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = dict(report.user_properties)
        if "cn_area" not in props:
            return
        provider, area = str(props.get("cn_provider", "?")), str(props["cn_area"])
        previous = self.outcomes.get(report.nodeid)
        if report.failed:
            self.outcomes[report.nodeid] = (provider, area, "failed", "")
        elif report.skipped and (previous is None or previous[2] == "passed"):
            self.outcomes[report.nodeid] = (provider, area, "skipped", _skip_reason(report))
        elif report.when == "call" and report.passed and previous is None:
            self.outcomes[report.nodeid] = (provider, area, "passed", "")

    def areas(self) -> list[Area]:
        """The counts, sorted by provider and area."""
        table: dict[tuple[str, str], Area] = {}
        for provider, area, outcome, why in self.outcomes.values():
            row = table.setdefault((provider, area), Area(provider, area))
            if outcome == "passed":
                row.passed += 1
            elif outcome == "failed":
                row.failed += 1
            else:
                row.skipped += 1
                row.reasons[why] += 1
        return [table[k] for k in sorted(table)]

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        areas = self.areas()
        if not areas:
            return
        terminalreporter.write_sep("=", "cloudneutral conformance report card")
        for line in render_markdown(areas).splitlines():
            terminalreporter.write_line(line)
        target = option(self.config, "cn_report")
        if target:
            path = Path(target)
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix.lower() == ".json":
                path.write_text(json.dumps([a.as_dict() for a in areas], indent=2) + "\n", encoding="utf-8")
            else:
                path.write_text(render_markdown(areas), encoding="utf-8")
            terminalreporter.write_line(f"report card written to {path}")


def render_markdown(areas: list[Area]) -> str:
    """A Markdown table of ``areas`` followed by the skip reasons."""
    lines = [
        "| provider | area | passed | failed | skipped |",
        "|---|---|---:|---:|---:|",
    ]
    lines += [f"| {a.provider} | {a.area} | {a.passed} | {a.failed} | {a.skipped} |" for a in areas]
    reasons = [(a, why, n) for a in areas for why, n in sorted(a.reasons.items())]
    if reasons:
        lines += ["", "Skipped:"]
        lines += [f"- {a.provider} / {a.area}: {why} ({n})" for a, why, n in reasons]
    return "\n".join(lines) + "\n"
