"""Fixtures for the adapter tests that need the local OpenStack peer (skipped without it).

The peer is never started here (about a minute, and root on Debian 12): start it with
``scripts/peers/openstack.sh start``; ``.ci/run`` does. Tests that use it clean up after
themselves and use names of their own (``cn-peer-...``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cloudneutral_openstack.testing import Peer, openstack_url

import cloudneutral


@pytest.fixture(scope="session")
def peer_clouds_yaml() -> Path:
    peer = Peer()
    if not (peer.answers() and peer.clouds_yaml and peer.clouds_yaml.is_file()):
        pytest.skip("the OpenStack peer is not running (scripts/peers/openstack.sh start)")
    return peer.clouds_yaml


@pytest.fixture
def peer_url(peer_clouds_yaml: Path) -> str:
    return openstack_url(peer_clouds_yaml)


@pytest.fixture
def cloud(peer_url: str) -> Iterator[cloudneutral.Cloud]:
    with cloudneutral.connect(peer_url) as cloud:
        yield cloud
