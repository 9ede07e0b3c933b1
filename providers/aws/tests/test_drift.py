"""Cassette drift against a live moto server: a fresh re-recording of an unchanged peer is
not drift (ids, dates, request ids and poll counts differ every run), and a committed
cassette changed afterwards is."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from cloudneutral.conformance.drift import compare_trees

ROOT = Path(__file__).resolve().parents[3]
SELECTED = (
    "TestConditionalDelete or test_create_by_size_name_and_image_id or "
    "(TestVolumes and test_attach_and_detach)"
)
SCRIPT = """
import sys
from cloudneutral.conformance.drift.command import check_drift
args = ["-q", "-k", sys.argv[2]]
code, report = check_drift("aws", cassettes=sys.argv[1], extra_args=args, keep=sys.argv[3])
print(report.render())
sys.exit(code)
"""


def test_a_fresh_recording_against_moto_is_not_drift_and_a_planted_change_is(tmp_path: Path) -> None:
    committed = tmp_path / "committed"
    shutil.copytree(ROOT / "cassettes/aws", committed / "aws", ignore=shutil.ignore_patterns("real"))
    fresh = tmp_path / "fresh"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(committed), SELECTED, str(fresh)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    recorded = sorted(p.name for p in (fresh / "aws").glob("*.yaml"))
    assert len(recorded) == 3, done.stdout[-3000:] + done.stderr[-3000:]
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert f"no drift: {len(recorded)} cassette(s)" in done.stdout

    # the same comparison notices a committed cassette that no longer matches the peer
    planted = committed / "aws" / recorded[0]
    planted.write_text(planted.read_text().replace("code: 200", "code: 404", 1))
    report = compare_trees(committed / "aws", fresh / "aws", recorded)
    assert [d.name for d in report.drifted] == [recorded[0]]
    assert any("status 404 -> 200" in change for change in report.drifted[0].changes)
