"""The data of a report card, and its round trip through JSON.

A :class:`Card` is one provider's: the capabilities it declares, the run's mode and one
:class:`TestResult` per test (sorted by test id). Areas and totals are derived from the
tests, so the counts can never disagree with the list. Everything is deterministic: no
timestamps, durations or paths, so a card regenerated from the same cassettes is
byte-identical.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any, Literal

import attrs

__all__ = ["OUTCOMES", "Area", "Card", "Outcome", "TestResult", "load_cards"]

Outcome = Literal["passed", "failed", "skipped"]
OUTCOMES: tuple[Outcome, ...] = ("passed", "failed", "skipped")


@attrs.frozen
class TestResult:
    """One test on one provider. ``subject`` is the capability the test is about; for a
    skip, ``missing`` is the first capability the provider lacks (empty when the skip had
    another cause) and ``reason`` the skip's text; for a failure, its first line."""

    __test__ = False  # not a pytest test class

    id: str
    area: str
    outcome: Outcome
    subject: str = ""
    missing: str = ""
    reason: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "id": self.id,
            "area": self.area,
            "outcome": self.outcome,
            "subject": self.subject,
            "missing": self.missing,
            "reason": self.reason,
        }


@attrs.frozen
class Area:
    """Counts for one (provider, area), and how often each skip reason occurred."""

    provider: str
    area: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    reasons: dict[str, int] = attrs.field(factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "passed": self.passed,
            "failed": self.failed,
            "skipped": self.skipped,
            "skip_reasons": dict(sorted(self.reasons.items())),
        }


def _sorted(tests: Iterable[TestResult]) -> tuple[TestResult, ...]:
    return tuple(sorted(tests, key=lambda t: t.id))


@attrs.frozen
class Card:
    """One provider's card: what it declares, how the suite ran, and every test."""

    provider: str
    capabilities: tuple[str, ...] = ()
    tests: tuple[TestResult, ...] = attrs.field(default=(), converter=_sorted)
    mode: str = ""

    @property
    def areas(self) -> list[Area]:
        """One :class:`Area` per area, sorted by name."""
        counts: dict[str, Counter[str]] = {}
        reasons: dict[str, Counter[str]] = {}
        for test in self.tests:
            counts.setdefault(test.area, Counter())[test.outcome] += 1
            why = reasons.setdefault(test.area, Counter())
            if test.outcome == "skipped":
                why[test.reason] += 1
        return [
            Area(self.provider, name, c["passed"], c["failed"], c["skipped"], dict(reasons[name]))
            for name, c in sorted(counts.items())
        ]

    def total(self, outcome: str) -> int:
        return sum(1 for t in self.tests if t.outcome == outcome)

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
        """The JSON form; keys in a fixed order."""
        return {
            "provider": self.provider,
            "mode": self.mode,
            "capabilities": list(self.capabilities),
            "passed": self.total("passed"),
            "failed": self.total("failed"),
            "skipped": self.total("skipped"),
            "warning": self.warning,
            "areas": [a.as_dict() for a in self.areas],
            "tests": [t.as_dict() for t in self.tests],
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Card:
        """The card of :meth:`as_dict`'s form; raises ``ValueError`` when it is not one."""
        try:
            tests = [
                TestResult(
                    id=str(t["id"]),
                    area=str(t["area"]),
                    outcome=_outcome(t["outcome"]),
                    subject=str(t.get("subject", "")),
                    missing=str(t.get("missing", "")),
                    reason=str(t.get("reason", "")),
                )
                for t in doc["tests"]
            ]
            return cls(
                provider=str(doc["provider"]),
                capabilities=tuple(str(c) for c in doc["capabilities"]),
                tests=tests,
                mode=str(doc.get("mode", "")),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a report card (missing or malformed {exc})") from exc


def _outcome(value: Any) -> Outcome:
    for outcome in OUTCOMES:
        if value == outcome:
            return outcome
    raise ValueError(f"unknown outcome {value!r}")


def load_cards(text: str) -> list[Card]:
    """The cards of a JSON report (``{"providers": [card, ...]}``); ``ValueError`` otherwise."""
    doc = json.loads(text)
    if not isinstance(doc, dict) or not isinstance(doc.get("providers"), list):
        raise ValueError('not a report card: expected {"providers": [...]}')
    return [Card.from_dict(c) for c in doc["providers"]]
