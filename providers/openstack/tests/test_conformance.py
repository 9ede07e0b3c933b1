"""The conformance suite against the OpenStack adapter: replays ``cassettes/openstack/`` offline.

``pytest providers/openstack/tests/test_conformance.py --cn-mode=record`` re-records the
cassettes against the local OpenStack peer (started by the harness when it does not
answer); ``--cn-mode=live`` runs against it without cassettes.
"""

from __future__ import annotations

import pytest
from cloudneutral_openstack.conformance import OpenStackHarness

from cloudneutral.conformance import Harness
from cloudneutral.conformance.suite import *  # noqa: F403  (the suite's test classes)


@pytest.fixture(scope="session")
def cn_harness() -> Harness:
    return OpenStackHarness()
