"""The conformance suite against the Azure adapter: replays ``cassettes/azure/`` offline by default.

``pytest providers/azure/tests/test_conformance.py --cn-mode=record`` re-records the cassettes
against Azurite and the ARM test peer, which the harness starts (or the ones
``CN_AZURE_BLOB_ENDPOINT`` / ``CN_AZURE_ARM_ENDPOINT`` name); ``--cn-mode=live`` runs against
them without cassettes.
"""

from __future__ import annotations

import pytest
from cloudneutral_azure.conformance import AzureHarness

from cloudneutral.conformance import Harness
from cloudneutral.conformance.suite import *  # noqa: F403  (the suite's test classes)


@pytest.fixture(scope="session")
def cn_harness() -> Harness:
    return AzureHarness()
