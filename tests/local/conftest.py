"""Fixtures of the local provider's own tests: each backend, and child processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import cloudneutral
from cloudneutral.local import LocalProvider


@pytest.fixture(params=["memory", "directory"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh local URL for each backend."""
    return "local://" if request.param == "memory" else f"local://?root={tmp_path / 'root'}"


@pytest.fixture
def cloud(url: str) -> Iterator[cloudneutral.Cloud]:
    with cloudneutral.connect(url, clock=cloudneutral.FakeClock()) as c:
        yield c


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "root"


@pytest.fixture
def local(cloud: cloudneutral.Cloud) -> LocalProvider:
    """The driver under ``cloud``, for what only the local provider offers."""
    assert isinstance(cloud.driver, LocalProvider)
    return cloud.driver


RunPython = Callable[..., "subprocess.CompletedProcess[str]"]
SpawnPython = Callable[..., "subprocess.Popen[str]"]


def _run_python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter (``sys.argv[1:]`` = ``args``); it must succeed."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert done.returncode == 0, done.stderr
    return done


def _spawn_python(code: str, *args: str) -> subprocess.Popen[str]:
    """Start ``code`` in a fresh interpreter without waiting for it."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def run_python() -> RunPython:
    return _run_python


@pytest.fixture
def spawn_python() -> SpawnPython:
    return _spawn_python
