"""Fixtures for the Rackspace-sources tests: the tool on sys.path, and no network at all.

``scripts/rackspace`` (the :mod:`raxcassette` tool and its assembly scripts) is put on
``sys.path``; every test here runs with sockets unable to connect or resolve, so a replay
that misses its cassette fails instead of reaching Rackspace.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[4]
TOOL = ROOT / "scripts" / "rackspace"
if str(TOOL) not in sys.path:
    sys.path.insert(0, str(TOOL))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "cassette(name): the proof cassette a replay test plays")


class NetworkBlocked(AssertionError):
    """A test tried to use the network."""


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make every connect and name lookup raise :class:`NetworkBlocked`."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise NetworkBlocked(f"network use attempted: {args[1:] or args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield
