"""Report cards: the per-test list in every format, escaping, the matrix, and the command
writing several formats from one run."""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cloudneutral.conformance.cards import (
    Card,
    TestResult,
    load_cards,
    render_html,
    render_json,
    render_markdown,
    render_matrix,
    write_cards,
)
from cloudneutral.models import Capability

HOSTILE = "test_keys.T.test_odd[key=<script>alert(\"x\")</script> & 'q' | `b`]"


def sample(provider: str = "p") -> Card:
    return Card(
        provider,
        ("blobs", "blobs.range"),
        [
            TestResult("b.test_skip", "blobs", "skipped", "blobs.copy", "blobs.copy", "lacks blobs.copy"),
            TestResult(HOSTILE, "blobs", "passed", "blobs"),
            TestResult("a.test_fail", "servers", "failed", "servers", reason="AssertionError: <boom> & more"),
        ],
        mode="replay",
    )


def test_json_card_lists_every_test_in_a_stable_order_and_round_trips() -> None:
    card = sample()
    text = render_json([card])
    doc = json.loads(text)["providers"][0]
    keys = ["provider", "mode", "capabilities", "passed", "failed", "skipped", "warning", "areas", "tests"]
    assert list(doc) == keys
    assert [t["id"] for t in doc["tests"]] == ["a.test_fail", "b.test_skip", HOSTILE]  # sorted by id
    assert doc["tests"][1] == {
        "id": "b.test_skip",
        "area": "blobs",
        "outcome": "skipped",
        "subject": "blobs.copy",
        "missing": "blobs.copy",
        "reason": "lacks blobs.copy",
    }
    assert load_cards(text) == [card]
    assert render_json(load_cards(text)) == text  # byte-identical after a round trip
    with pytest.raises(ValueError, match="not a report card"):
        load_cards('{"providers": [{"provider": "x"}]}')


def test_markdown_card_escapes_test_names_into_one_cell_each() -> None:
    text = render_markdown([sample()])
    row = next(line for line in text.splitlines() if "test\\_odd" in line)
    assert "<script>" not in text and "&lt;script&gt;" in row
    assert row.count(" | ") == 5  # the '|' of the id is escaped: still six cells
    assert "\\|" in row and "&amp;" in row


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, list[str]]] = []
        self.tags: list[str] = []
        self.seen: set[str] = set()
        self._in_tests = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.seen.add(tag)
        if tag == "table":
            self._in_tests = ("class", "tests") in attrs
        if tag == "tr" and self._in_tests:
            self.rows.append((dict(attrs).get("class") or "", []))
        if tag == "td" and self._in_tests:
            self.rows[-1][1].append("")

    def handle_endtag(self, tag: str) -> None:
        if self.tags and self.tags[-1] == tag:
            self.tags.pop()

    def handle_data(self, data: str) -> None:
        if self._in_tests and self.rows and self.rows[-1][1] and self.tags and self.tags[-1] == "td":
            self.rows[-1][1][-1] += data


def test_html_card_is_self_contained_and_escapes_every_name() -> None:
    page = render_html([sample()])
    assert "<script" not in page and "http" not in page and " src=" not in page and "<link" not in page
    parsed = _Cells()
    parsed.feed(page)
    body = [(css, cells) for css, cells in parsed.rows if css]
    assert [css for css, _ in body] == ["failed", "skipped", "passed"]
    assert body[2][1][0] == HOSTILE  # the parser gives back exactly the id: escaped, not interpreted
    assert body[0][1][5] == "AssertionError: <boom> & more"
    assert "script" not in parsed.seen


def test_write_cards_by_extension_and_per_provider(tmp_path: Path) -> None:
    cards = [sample("aws"), sample("local")]
    targets = [str(tmp_path / "{provider}.json"), str(tmp_path / "all.html"), str(tmp_path / "x.md")]
    written = write_cards(cards, targets)
    assert sorted(p.name for p in written) == ["all.html", "aws.json", "local.json", "x.md"]
    assert load_cards((tmp_path / "aws.json").read_text()) == [cards[0]]
    assert (tmp_path / "all.html").read_text().startswith("<!DOCTYPE html>")
    assert (tmp_path / "x.md").read_text() == render_markdown(cards)


def test_matrix_orders_providers_and_lists_every_capability() -> None:
    extra = Card("zeta", (), [TestResult("t", "blobs", "passed", "blobs")], mode="replay")
    text = render_matrix([extra, sample("rackspace"), sample("aws"), sample("local")])
    header = next(line for line in text.splitlines() if line.startswith("| capability"))
    assert header == "| capability | local | aws | rackspace | zeta |"
    for capability in Capability:
        assert f"\n| {capability.value} | " in text
    assert "| blobs.range | yes | yes | yes | no |" in text
    assert "| servers | no | no | no | no |" in text  # declared by none
    assert "| blobs | 1 / 0 / 1 | 1 / 0 / 1 | 1 / 0 / 1 | 1 / 0 / 0 |" in text  # by area
    assert "| servers | 0 / 1 / 0 | 0 / 1 / 0 | 0 / 1 / 0 | - |" in text
    assert render_matrix([sample("aws"), sample("local")]) == render_matrix([sample("local"), sample("aws")])
    with pytest.raises(ValueError, match="more than one card for aws"):
        render_matrix([sample("aws"), sample("aws")])


def test_the_command_writes_several_formats_from_one_run(tmp_path: Path) -> None:
    reports = [tmp_path / "card.json", tmp_path / "card.md", tmp_path / "card.html"]
    args = [a for r in reports for a in ("--report", str(r))]
    done = subprocess.run(
        [sys.executable, "-m", "cloudneutral.cli", "conformance", "local", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    (card,) = load_cards(reports[0].read_text())
    assert card.provider == "local" and card.mode == "live" and len(card.tests) > 200
    assert {t.outcome for t in card.tests} >= {"passed"}
    assert all(t.id.startswith("test_") and ".py::" not in t.id for t in card.tests)  # keys, not paths
    assert reports[1].read_text() == render_markdown([card])
    assert reports[2].read_text() == render_html([card])
