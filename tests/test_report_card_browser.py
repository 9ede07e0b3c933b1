"""The HTML report card in a real browser: headless Chromium renders it, and the screenshot
must show the test rows' pass / fail / skip colours as bands in the card's order; the DOM
Chromium builds must hold one row per test with the hostile names intact.

Skipped when ``/usr/bin/chromium`` (Debian's ``chromium``) is missing, unless
``CN_REQUIRE_CHROMIUM=1`` (CI), which makes a missing browser a failure.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from cloudneutral.conformance.cards import Card, TestResult, render_html
from cloudneutral.conformance.cards.html import ROW_COLOURS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HOSTILE = "test_keys.T.test_odd[key=<b>&amp;\"'</b>]"
ORDER = ["passed", "passed", "failed", "skipped", "skipped", "passed"]


@pytest.fixture(scope="module")
def chromium() -> str:
    if not os.access(CHROMIUM, os.X_OK):
        if os.environ.get("CN_REQUIRE_CHROMIUM") == "1":
            pytest.fail(f"CN_REQUIRE_CHROMIUM=1 but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium; CN_REQUIRE_CHROMIUM=1 to insist)")
    return CHROMIUM


def browse(chromium: str, page: Path, tmp: Path, *extra: str) -> subprocess.CompletedProcess[bytes]:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    profile.mkdir()
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
    ]
    return subprocess.run(
        [chromium, *flags, *extra, page.as_uri()], capture_output=True, timeout=120, check=False
    )


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB bytes) of an 8-bit RGB/RGBA, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    bpp = 3 if colour == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        prev = line
        rows.append(bytes(line) if bpp == 3 else bytes(v for j, v in enumerate(line) if j % 4 != 3))
    return width, height, rows


def bands(png: bytes) -> list[str]:
    """The outcomes whose row colour fills over half the width of a run of pixel rows, top
    to bottom, once per run."""
    colours = {bytes.fromhex(hex_[1:]): outcome for outcome, hex_ in ROW_COLOURS.items()}
    width, _, rows = decode_png(png)
    found: list[str] = []
    previous = None
    for row in rows:
        counts: dict[str, int] = {}
        for x in range(0, width * 3, 3):
            outcome = colours.get(row[x : x + 3])
            if outcome:
                counts[outcome] = counts.get(outcome, 0) + 1
        best = max(counts, key=lambda k: counts[k]) if counts else None
        current = best if best and counts[best] > width // 2 else None
        if current and current != previous:
            found.append(current)
        previous = current
    return found


def card() -> Card:
    tests = [
        TestResult(f"t{i:02d}.test_{o}" if i != 4 else f"t{i:02d}.{HOSTILE}", "blobs", o)  # type: ignore[arg-type]
        for i, o in enumerate(ORDER)
    ]
    return Card("aws", ("blobs",), tests, mode="replay")


def screenshot(chromium: str, html: str, tmp: Path) -> bytes:
    page, shot = tmp / f"page-{len(list(tmp.glob('page-*')))}.html", tmp / "shot.png"
    page.write_text(html, encoding="utf-8")
    shot.unlink(missing_ok=True)
    done = browse(chromium, page, tmp, f"--screenshot={shot}", "--window-size=1000,900")
    assert shot.is_file(), done.stderr.decode(errors="replace")[-2000:]
    return shot.read_bytes()


def test_the_screenshot_shows_each_row_in_its_outcome_colour_in_order(chromium: str, tmp_path: Path) -> None:
    # the 1-pixel cell borders separate rows: one band per row
    assert bands(screenshot(chromium, render_html([card()]), tmp_path)) == ORDER


def test_the_check_fails_on_an_empty_or_broken_page(chromium: str, tmp_path: Path) -> None:
    assert bands(screenshot(chromium, "<!DOCTYPE html><html><body></body></html>", tmp_path)) == []
    broken = render_html([card()]).replace("<style>", "<style>tr.failed td { background: #ffffff; }\n", 1)
    broken = broken.replace("tr.failed td { background: #ffc7ce; }", "")
    seen = bands(screenshot(chromium, broken, tmp_path))
    assert seen != ORDER and "failed" not in seen


def test_the_dom_holds_one_row_per_test_with_names_intact(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "card.html"
    page.write_text(render_html([card()]), encoding="utf-8")
    done = browse(chromium, page, tmp_path, "--dump-dom")
    dom = done.stdout.decode()
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    tests = dom[dom.index('<table class="tests">') :]
    tests = tests[: tests.index("</table>")]
    assert tests.count("<tr class=") == len(ORDER)
    assert [tests.count(f'<tr class="{o}">') for o in ROW_COLOURS] == [ORDER.count(o) for o in ROW_COLOURS]
    assert "<b>" not in tests and "&lt;b&gt;&amp;amp;\"'&lt;/b&gt;" in tests  # text, not markup
