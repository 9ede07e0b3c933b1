"""The report card: per provider, its declared capabilities, and per area how many tests
passed, failed, were skipped, and why.

Printed at the end of a run that collected conformance tests, and written to
``--cn-report FILE`` (JSON when the name ends in ``.json``, Markdown otherwise). A skip
reason names what the provider lacks and what the test is about (see
:mod:`~cloudneutral.conformance.marks`); a provider whose tests were mostly skipped gets a
warning line: its card proves little.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import attrs
import pytest

from .fixtures import option

__all__ = ["Area", "Card", "ReportCard", "render_json", "render_markdown"]


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
            "area": self.area,
            "passed": self.passed,
            "failed": self.failed,
            "skipped": self.skipped,
            "skip_reasons": dict(sorted(self.reasons.items())),
        }


@attrs.define
class Card:
    """One provider's card: what it declares and its areas."""

    provider: str
    capabilities: list[str] = attrs.field(factory=list)
    areas: list[Area] = attrs.field(factory=list)

    def total(self, field: str) -> int:
        return sum(int(getattr(a, field)) for a in self.areas)

    @property
    def warning(self) -> str | None:
        """A warning when most of the provider's tests were skipped."""
        skipped = self.total("skipped")
        run = self.total("passed") + self.total("failed")
        if skipped > run:
            return (
                f"WARNING: {self.provider}: {skipped} of {skipped + run} tests were skipped; "
                "this card proves little about the adapter"
            )
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "capabilities": self.capabilities,
            "passed": self.total("passed"),
            "failed": self.total("failed"),
            "skipped": self.total("skipped"),
            "warning": self.warning,
            "areas": [a.as_dict() for a in self.areas],
        }


def _skip_reason(report: pytest.TestReport) -> str:
    if getattr(report, "wasxfail", None):  # an expected failure: a known peer deviation
        return str(report.wasxfail)
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
        self.declared: dict[str, list[str]] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = dict(report.user_properties)
        if "cn_area" not in props:
            return
        provider, area = str(props.get("cn_provider", "?")), str(props["cn_area"])
        if "cn_declared" in props:
            declared = str(props["cn_declared"])
            self.declared[provider] = declared.split(",") if declared else []
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

    def cards(self) -> list[Card]:
        """One card per provider, sorted by name."""
        cards: dict[str, Card] = {}
        for row in self.areas():
            card = cards.setdefault(row.provider, Card(row.provider, self.declared.get(row.provider, [])))
            card.areas.append(row)
        return [cards[k] for k in sorted(cards)]

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        cards = self.cards()
        if not cards:
            return
        terminalreporter.write_sep("=", "cloudneutral conformance report card")
        for line in render_markdown(cards).splitlines():
            terminalreporter.write_line(line, yellow=line.startswith("WARNING"))
        target = option(self.config, "cn_report")
        if target:
            path = Path(target)
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix.lower() == ".json":
                path.write_text(render_json(cards), encoding="utf-8")
            else:
                path.write_text(render_markdown(cards), encoding="utf-8")
            terminalreporter.write_line(f"report card written to {path}")


def render_json(cards: list[Card]) -> str:
    """The cards as a JSON document: ``{"providers": [card, ...]}``."""
    return json.dumps({"providers": [c.as_dict() for c in cards]}, indent=2) + "\n"


def render_markdown(cards: list[Card]) -> str:
    """Per provider: its capabilities, a table of its areas, its skip reasons, a warning."""
    lines: list[str] = []
    for card in cards:
        if lines:
            lines.append("")
        declared = ", ".join(card.capabilities) or "none"
        lines += [f"{card.provider}: declares {declared}", ""]
        lines += ["| provider | area | passed | failed | skipped |", "|---|---|---:|---:|---:|"]
        lines += [f"| {a.provider} | {a.area} | {a.passed} | {a.failed} | {a.skipped} |" for a in card.areas]
        reasons = [(a, why, n) for a in card.areas for why, n in sorted(a.reasons.items())]
        if reasons:
            lines += ["", "Skipped:"]
            lines += [f"- {a.provider} / {a.area}: {why} ({n})" for a, why, n in reasons]
        if card.warning:
            lines += ["", card.warning]
    return "\n".join(lines) + "\n"
