"""Report cards: one per provider (what it declares, every test's outcome), in JSON,
Markdown and a self-contained HTML page, and the provider matrix built from JSON cards.

:mod:`.model` holds the data, :mod:`.text` the JSON and Markdown forms, :mod:`.html` the
page, :mod:`.matrix` the matrix. Nothing here imports pytest: a card is plain data, loaded
back from its JSON form with :func:`load_cards`.
"""

from __future__ import annotations

from .html import render_html
from .matrix import render_matrix
from .model import Area, Card, TestResult, load_cards
from .text import render_json, render_markdown, write_cards

__all__ = [
    "Area",
    "Card",
    "TestResult",
    "load_cards",
    "render_html",
    "render_json",
    "render_markdown",
    "render_matrix",
    "write_cards",
]
