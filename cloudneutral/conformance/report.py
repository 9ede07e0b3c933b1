"""The report card collector: a pytest plugin object recording, per provider, its declared
capabilities and every conformance test's outcome (see :mod:`~cloudneutral.conformance.cards`).

Printed at the end of a run that collected conformance tests (the areas, not every test),
and written to each ``--cn-report FILE`` (repeatable; JSON for ``.json``, an HTML page for
``.html``, Markdown otherwise; ``{provider}`` in the name writes one file per provider). A
skip names what the provider lacks and what the test is about (see
:mod:`~cloudneutral.conformance.marks`); a provider whose tests were mostly skipped gets a
warning line: its card proves little.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from .cards import Area, Card, TestResult, render_json, render_markdown, write_cards
from .cards.model import Outcome

__all__ = ["Area", "Card", "ReportCard", "render_json", "render_markdown", "targets"]


def targets(config: pytest.Config) -> list[str]:
    """Every ``--cn-report`` given, else ``CN_REPORT``, else none."""
    given = config.getoption("cn_report", default=None)
    if isinstance(given, str):
        given = [given]
    if not given:
        env = os.environ.get("CN_REPORT")
        given = [env] if env else []
    return [str(t) for t in given]


def _skip_reason(report: pytest.TestReport) -> str:
    if getattr(report, "wasxfail", None):  # an expected failure: a known peer deviation
        return str(report.wasxfail)
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = str(longrepr[2])
        return reason.removeprefix("Skipped: ")
    return str(longrepr)


def _failure(report: pytest.TestReport, root: str) -> str:
    """The first line of what failed, without this machine's paths (cards are committed)."""
    crash = getattr(report.longrepr, "reprcrash", None)
    message = str(getattr(crash, "message", "") or report.longreprtext or "failed")
    line = (message.strip().splitlines() or ["failed"])[0].replace(root, "<root>")
    return line if len(line) <= 300 else line[:299] + "…"


class ReportCard:
    """A pytest plugin object collecting outcomes of tests tagged with ``cn_area``."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.results: dict[tuple[str, str], TestResult] = {}  # (provider, nodeid) -> result
        self.declared: dict[str, list[str]] = {}
        self.mode = ""

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = dict(report.user_properties)
        if "cn_area" not in props:
            return
        provider, area = str(props.get("cn_provider", "?")), str(props["cn_area"])
        if "cn_declared" in props:
            declared = str(props["cn_declared"])
            self.declared[provider] = declared.split(",") if declared else []
        if "cn_mode" in props:
            self.mode = str(props["cn_mode"])
        key = (provider, report.nodeid)
        previous = self.results.get(key)
        outcome: Outcome | None = None
        why = missing = ""
        if report.failed:
            outcome, why = "failed", _failure(report, str(self.config.rootpath))
        elif report.skipped and (previous is None or previous.outcome == "passed"):
            outcome, why, missing = "skipped", _skip_reason(report), str(props.get("cn_missing", ""))
        elif report.when == "call" and report.passed and previous is None:
            outcome = "passed"
        if outcome is None or (previous is not None and previous.outcome == "failed"):
            return
        test_id = str(props.get("cn_test", report.nodeid))
        subject = str(props.get("cn_subject", ""))
        self.results[key] = TestResult(test_id, area, outcome, subject, missing, why)

    def cards(self) -> list[Card]:
        """One card per provider, sorted by name."""
        tests: dict[str, list[TestResult]] = {}
        for (provider, _), result in self.results.items():
            tests.setdefault(provider, []).append(result)
        return [
            Card(p, tuple(self.declared.get(p, [])), tuple(tests[p]), mode=self.mode) for p in sorted(tests)
        ]

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        cards = self.cards()
        if not cards:
            return
        terminalreporter.write_sep("=", "cloudneutral conformance report card")
        for line in render_markdown(cards, tests=False).splitlines():
            terminalreporter.write_line(line, yellow=line.startswith("WARNING"))
        for path in write_cards(cards, targets(self.config)):
            terminalreporter.write_line(f"report card written to {path}")
