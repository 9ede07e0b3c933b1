"""Capture: the rackspace conformance suite run against the model, one plan per test.

``python scripts/rackspace/capture.py [PYTEST ARGS...]`` starts the
:class:`~raxcassette.model.Model` on loopback, runs ``cloudneutral.conformance.suite`` with
the ``rackspace`` harness in ``live`` mode against it (``CN_RACKSPACE_AUTH_URL``; a fake
clock, so nothing sleeps), and records, per test, the plan steps the model answered with,
in the order the adapter sent its requests. When every test passed, it replaces the plans
under ``scripts/rackspace/plans/`` and assembles the cassettes from them (the same
assembler ``build_cassettes.py`` runs, which re-reads the sources). Nothing contacts
Rackspace. A test the harness's capabilities skip makes no plan; so does a test that
sends no request.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from .assemble import CASSETTES, write
from .model import Model
from .plans import PLANS, PlanStep, load_plan, write_plan

__all__ = ["CapturePlugin", "cassette_name", "main"]


def cassette_name(key: str) -> str:
    """The cassette (and plan) name of test ``key``: the conformance suite's file name."""
    from cloudneutral.conformance.recording import cassette_path

    return cassette_path(Path("."), "rackspace", key).name.removesuffix(".yaml")


class CapturePlugin:
    """pytest plugin: a fresh model state per test, its steps kept per test key."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.plans: dict[str, list[PlanStep]] = {}
        self.failed: list[str] = []
        self._key = ""

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Iterator[None]:
        from cloudneutral.conformance.fixtures import test_key

        self._key = test_key(item)
        self.model.begin(self._key)
        yield

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
        yield
        steps = self.model.end()
        if steps:
            self.plans[self._key] = steps

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            self.failed.append(report.nodeid)


def _today() -> str:
    """Midnight UTC today as an HTTP date: object dates the suite's live checks accept."""
    midnight = dt.datetime.combine(dt.date.today(), dt.time(), tzinfo=dt.timezone.utc)
    return email.utils.format_datetime(midnight, usegmt=True)


def main(argv: Sequence[str] = ()) -> int:
    """Capture, then write plans and cassettes; 0 when every test passed."""
    model = Model(day=os.environ.get("CN_CAPTURE_DAY") or _today())
    plugin = CapturePlugin(model)
    saved = os.environ.get("CN_RACKSPACE_AUTH_URL")
    os.environ["CN_RACKSPACE_AUTH_URL"] = model.start()
    args: list[Any] = [
        "--pyargs",
        "cloudneutral.conformance.suite",
        "--cn-provider=rackspace",
        "--cn-mode=live",
        "-p",
        "no:cacheprovider",
        "-q",
        *argv,
    ]
    try:
        status = int(pytest.main(args, plugins=[plugin]))
    finally:
        model.stop()
        if saved is None:
            os.environ.pop("CN_RACKSPACE_AUTH_URL", None)
        else:
            os.environ["CN_RACKSPACE_AUTH_URL"] = saved
    if status != 0 or plugin.failed:
        print(f"capture: {len(plugin.failed)} test(s) failed; plans and cassettes left as they were")
        return status or 1
    partial = bool(argv)
    if not partial:  # a full capture replaces every plan and conformance cassette
        for old in PLANS.glob("*.json"):
            old.unlink()
        for old in CASSETTES.glob("*.yaml"):
            old.unlink()
    for key, steps in sorted(plugin.plans.items()):
        name = cassette_name(key)
        description = (
            f"conformance test {key}, captured against the Rackspace model (scripts/rackspace/capture.py)"
        )
        path = write_plan(name, description, steps)
        write(load_plan(path))
    print(f"capture: {len(plugin.plans)} plans in {PLANS}, cassettes in {CASSETTES}")
    return 0
