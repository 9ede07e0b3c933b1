"""The JSON and Markdown forms of report cards, and writing a card in the form its file
name asks for (``.json``, ``.html``/``.htm``, else Markdown)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from .model import Card

__all__ = ["PROVIDER_PLACEHOLDER", "escape_markdown", "render_json", "render_markdown", "write_cards"]

#: In a target file name, replaced by each provider's name: one file per provider.
PROVIDER_PLACEHOLDER = "{provider}"


def render_json(cards: Sequence[Card]) -> str:
    """``{"providers": [card, ...]}``, keys in a fixed order, one trailing newline."""
    return json.dumps({"providers": [c.as_dict() for c in cards]}, indent=2, ensure_ascii=False) + "\n"


def escape_markdown(text: str) -> str:
    """``text`` safe in a Markdown table cell: no cell breaks, no HTML, no emphasis."""
    for char, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = text.replace(char, escaped)
    for char in "\\|*_`[]":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", " ")


def render_markdown(cards: Sequence[Card], *, tests: bool = True) -> str:
    """Per provider: its capabilities, a table of its areas, its skip reasons, a warning,
    and (``tests``) one row per test."""
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
        if tests and card.tests:
            lines += ["", "| test | area | outcome | about | missing | reason |", "|---|---|---|---|---|---|"]
            lines += [
                "| "
                + " | ".join(
                    escape_markdown(v) for v in (t.id, t.area, t.outcome, t.subject, t.missing, t.reason)
                )
                + " |"
                for t in card.tests
            ]
    return "\n".join(lines) + "\n"


def _render(cards: Sequence[Card], path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return render_json(cards)
    if suffix in {".html", ".htm"}:
        from .html import render_html

        return render_html(cards)
    return render_markdown(cards)


def write_cards(cards: Sequence[Card], targets: Iterable[str]) -> list[Path]:
    """Write ``cards`` to every target (the format by its extension; a target containing
    ``{provider}`` gets one file per card); return the paths written."""
    written: list[Path] = []
    for target in targets:
        groups = (
            [(target.replace(PROVIDER_PLACEHOLDER, c.provider), [c]) for c in cards]
            if PROVIDER_PLACEHOLDER in target
            else [(target, list(cards))]
        )
        for name, group in groups:
            path = Path(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_render(group, path), encoding="utf-8")
            written.append(path)
    return written
