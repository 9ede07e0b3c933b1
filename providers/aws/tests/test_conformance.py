"""The conformance suite against the AWS adapter: replays ``cassettes/aws/`` offline by default.

``pytest providers/aws/tests/test_conformance.py --cn-mode=record`` re-records the cassettes
against a moto server the harness starts (or the one ``CN_AWS_ENDPOINT`` names);
``--cn-mode=live`` runs against moto without cassettes.
"""

from __future__ import annotations

import pytest
from cloudneutral_aws.conformance import AwsHarness

from cloudneutral.conformance import Harness
from cloudneutral.conformance.suite import *  # noqa: F403  (the suite's test classes)


@pytest.fixture(scope="session")
def cn_harness() -> Harness:
    return AwsHarness()
