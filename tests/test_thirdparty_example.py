"""The third-party adapter example (examples/thirdparty-adapter) still works with this core.

CI also runs ``examples/thirdparty-adapter/check.sh`` (a fresh virtualenv installs the
example with pip and passes the suite live and replayed). Here, offline and without pip:
its entry points name real objects, and the installed suite, finding the example only
through the entry points of its pyproject.toml (written as an installed distribution's
metadata onto ``PYTHONPATH``), replays the example's committed cassettes.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11")

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "thirdparty-adapter"


@pytest.fixture
def example_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLE))


def test_entry_points_name_an_opener_and_a_harness(example_importable: None) -> None:
    from cloudneutral.conformance.harness import Harness
    from cloudneutral.registry import Opener

    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]
    groups = project["entry-points"]
    expected = {"cloudneutral.providers": Opener, "cloudneutral.conformance": object}
    for group, kind in expected.items():
        (name, target), *rest = groups[group].items()
        assert name == "tinyblob" and not rest
        module, _, attribute = target.partition(":")
        loaded = getattr(importlib.import_module(module), attribute)
        assert isinstance(loaded, kind)
    harness = importlib.import_module("cloudneutral_tinyblob.conformance").harness()
    assert isinstance(harness, Harness) and harness.name == "tinyblob"
    assert Path(harness.cassettes or "").is_dir()


def installed(site: Path) -> Path:
    """``site`` holding the metadata pip would install for the example (its entry points)."""
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]
    info = site / f"cloudneutral_tinyblob-{project['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    )
    lines = [
        f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in points.items())
        for group, points in project["entry-points"].items()
    ]
    (info / "entry_points.txt").write_text("\n".join(lines))
    return site


def test_suite_replays_the_example_from_its_cassettes(tmp_path: Path) -> None:
    path = [str(EXAMPLE), str(installed(tmp_path / "site")), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    for name in ("CN_PROVIDER", "CN_MODE", "CN_CASSETTES", "CN_REPORT"):
        env.pop(name, None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--pyargs",
            "cloudneutral.conformance.suite",
            "--cn-provider=tinyblob",
            f"--cn-report={tmp_path / 'card.json'}",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    assert done.returncode == 0, f"{summary}\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}"
    assert " passed" in summary and "failed" not in summary and "error" not in summary
    assert (tmp_path / "card.json").is_file()
