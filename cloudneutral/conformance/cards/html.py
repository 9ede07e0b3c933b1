"""The report card as one self-contained HTML page: inline CSS, no script, no external
resource, every test name and reason escaped (test ids hold keys such as ``<``, ``&`` and
quotes). Each test is one row of ``table.tests`` whose class is its outcome; the rows'
backgrounds are :data:`ROW_COLOURS`, so a pass, a failure and a skip are told apart at a
glance (and by a screenshot test)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from .model import Card

__all__ = ["ROW_COLOURS", "render_html"]

#: Background of a test's row by outcome (sRGB hex).
ROW_COLOURS = {"passed": "#c6efce", "failed": "#ffc7ce", "skipped": "#ffeb9c"}

_CSS = """
body { font: 14px/1.4 sans-serif; color: #1a1a1a; background: #ffffff; margin: 16px; }
h1 { font-size: 20px; margin: 0 0 8px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
p { margin: 4px 0; }
.warning { color: #8a1c1c; font-weight: bold; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; }
th, td { border: 1px solid #d0d0d0; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.n { text-align: right; }
td.id { font-family: monospace; word-break: break-all; }
""" + "".join(f"tr.{outcome} td {{ background: {colour}; }}\n" for outcome, colour in ROW_COLOURS.items())


def _row(cells: Sequence[str], *, css: str = "", numeric: Sequence[int] = ()) -> str:
    tds = "".join(
        f'<td class="{"n" if i in numeric else "id" if i == 0 else "t"}">{escape(v, quote=True)}</td>'
        for i, v in enumerate(cells)
    )
    return f'<tr class="{css}">{tds}</tr>' if css else f"<tr>{tds}</tr>"


def _head(*names: str) -> str:
    return "<thead><tr>" + "".join(f"<th>{escape(n)}</th>" for n in names) + "</tr></thead>"


def _card(card: Card) -> list[str]:
    name = escape(card.provider, quote=True)
    declared = ", ".join(card.capabilities) or "none"
    totals = ", ".join(f"{card.total(o)} {o}" for o in ("passed", "failed", "skipped"))
    out = [
        f'<section id="card-{name}">',
        f"<h1>Conformance report card: {name}</h1>",
        f"<p>Declares: {escape(declared)}</p>",
        f"<p>Mode: {escape(card.mode or 'unknown')}; {totals}</p>",
    ]
    if card.warning:
        out.append(f'<p class="warning">{escape(card.warning)}</p>')
    out += ["<h2>Areas</h2>", '<table class="areas">', _head("area", "passed", "failed", "skipped")]
    out.append("<tbody>")
    out += [
        _row([a.area, str(a.passed), str(a.failed), str(a.skipped)], numeric=(1, 2, 3)) for a in card.areas
    ]
    out += ["</tbody></table>", "<h2>Tests</h2>", '<table class="tests">']
    out += [_head("test", "area", "outcome", "about", "missing", "reason"), "<tbody>"]
    out += [
        _row([t.id, t.area, t.outcome, t.subject, t.missing, t.reason], css=t.outcome) for t in card.tests
    ]
    out += ["</tbody></table>", "</section>"]
    return out


def render_html(cards: Sequence[Card]) -> str:
    """One page holding every card of ``cards``."""
    title = "Conformance report card: " + ", ".join(c.provider for c in cards)
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{escape(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
    ]
    for card in cards:
        lines += _card(card)
    lines += ["</body>", "</html>"]
    return "\n".join(lines) + "\n"
