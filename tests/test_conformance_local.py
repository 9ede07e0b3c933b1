"""The conformance suite on the local provider, in memory and on a directory.

Wired exactly as an outside adapter wires it (see docs/provider-authors.md): import the
suite's test classes and provide ``cn_harness``.
"""

from __future__ import annotations

import pytest

from cloudneutral.conformance.harness import Harness
from cloudneutral.conformance.local_harness import directory, memory
from cloudneutral.conformance.suite import *  # noqa: F403


@pytest.fixture(scope="session", params=["local", "local-dir"])
def cn_harness(request: pytest.FixtureRequest) -> Harness:
    return memory() if request.param == "local" else directory()
