"""The conformance suite against the OpenStack adapter, replayed offline: ``openstack`` from
``cassettes/openstack/`` (recorded from the local OpenStack peer) and ``rackspace`` from
``cassettes/rackspace/`` (assembled from real Rackspace answers).

``pytest providers/openstack/tests/test_conformance.py --cn-mode=record -k openstack``
re-records the OpenStack cassettes against the peer (started by the harness when it does
not answer); ``--cn-mode=live -k openstack`` runs against it without cassettes. The
Rackspace cassettes are re-made by ``python scripts/rackspace/capture.py``.
"""

from __future__ import annotations

import pytest
from cloudneutral_openstack.conformance import OpenStackHarness, RackspaceHarness

from cloudneutral.conformance import Harness
from cloudneutral.conformance.suite import *  # noqa: F403  (the suite's test classes)


@pytest.fixture(scope="session", params=["openstack", "rackspace"])
def cn_harness(request: pytest.FixtureRequest) -> Harness:
    return OpenStackHarness() if request.param == "openstack" else RackspaceHarness()
