"""The documentation's code runs: the user guide's snippets in order, pasted one after
another into one interpreter, and the README's example; its sample error line is real."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def snippets(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


def run_in_order(blocks: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    program = "\n\n".join(f"# --- block {n}\n{block}" for n, block in enumerate(blocks))
    (cwd / "guide.py").write_text(program, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "guide.py"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def test_user_guide_snippets_run_in_order(tmp_path: Path) -> None:
    blocks = snippets(ROOT / "docs" / "user-guide.md")
    assert len(blocks) >= 15
    done = run_in_order(blocks, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "no blob '2024/missing.txt' in bucket 'photos'" in done.stdout


def test_readme_example_runs(tmp_path: Path) -> None:
    (block,) = snippets(ROOT / "README.md")
    done = run_in_order([block], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_readme_sample_error_is_what_the_command_prints(tmp_path: Path) -> None:
    sample = re.search(r"Errors are one line on stderr \(`([^`]+)`\)", (ROOT / "README.md").read_text())
    assert sample is not None
    line = sample.group(1)
    bucket = re.search(r"no bucket '([^']+)'", line)
    assert bucket is not None
    root = tmp_path / "root"
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"import cloudneutral; cloudneutral.connect('local://?root={root}').blobs.create_bucket('other')",
        ],
        check=True,
    )
    done = subprocess.run(
        [sys.executable, "-m", "cloudneutral", "ls", f"local://{bucket.group(1)}?root={root}"],
        capture_output=True,
        text=True,
    )
    assert done.stderr.strip() == line


def shown_lines_match(shown: str, output: str) -> None:
    """Each line of the doc's sample output is in what the commands printed (ids shortened
    with an ellipsis stand for any hex; durations for any)."""
    for line in shown.splitlines():
        if not line.strip() or line.strip() == "...":
            continue
        marked = re.sub(r"in [0-9]+\.[0-9]+s", "in \x00s", line).replace("…", "\x01")
        pattern = re.escape(marked).replace("\x00", "[0-9.]+").replace("\x01", "[0-9a-f]+")
        assert re.search(pattern, output), f"the guide shows {line!r}, the commands did not print it"


def test_the_migration_guide_runs_as_shown(tmp_path: Path) -> None:
    """Its bash and python blocks, in order, in an empty folder; the output it shows is real."""
    text = (ROOT / "docs" / "migration.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(bash|python|text)\n(.*?)```", text, re.S)
    script = ["set -euo pipefail"]
    for kind, body in blocks:
        if kind == "bash":
            script.append(body)
        elif kind == "python":
            script.append(f"python - <<'CN_EOF'\n{body}CN_EOF\n")
    (tmp_path / "guide.sh").write_text("\n".join(script), encoding="utf-8")
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    done = subprocess.run(
        ["bash", "guide.sh"], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    shown = [body for kind, body in blocks if kind == "text" and not body.lstrip().startswith("pip ")]
    assert len(shown) >= 6
    for sample in shown:
        shown_lines_match(sample, done.stdout)


def test_the_dask_guide_example_runs(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    (block,) = snippets(ROOT / "docs" / "dask.md")
    (tmp_path / "dask_example.py").write_text(block, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "dask_example.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split("\n")[:2] == ["True 200 {'sha256': 200}", "0"]


@pytest.mark.parametrize(
    "doc",
    [
        "docs/user-guide.md",
        "docs/architecture.md",
        "docs/provider-authors.md",
        "docs/migration.md",
        "docs/dask.md",
        "README.md",
    ],
)
def test_local_links_point_at_files_that_exist(doc: str) -> None:
    text = (ROOT / doc).read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
        assert (ROOT / doc).parent.joinpath(target).exists(), f"{doc} links to missing {target}"
