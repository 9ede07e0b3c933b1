"""Fixtures of the fault proxy tests: a tiny stdlib upstream, a proxy in front of it, and a
check that every proxy stopped leaves no thread and no socket behind."""

from __future__ import annotations

import http.client
import importlib.util
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from cloudneutral.conformance.faults import FaultProxy


def _load_upstream() -> ModuleType:
    path = Path(__file__).with_name("upstream.py")
    spec = importlib.util.spec_from_file_location("cn_faults_test_upstream", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


UPSTREAM = _load_upstream()


def socket_fds() -> set[str]:
    """The socket descriptors of this process (``socket:[inode]`` links)."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:"):
            found.add(f"{fd}:{target}")
    return found


def proxy_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("FaultProxy-")]


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture(name="socket_fds")
def socket_fds_fixture() -> Callable[[], set[str]]:
    return socket_fds


@pytest.fixture(name="proxy_threads")
def proxy_threads_fixture() -> Callable[[], list[threading.Thread]]:
    return proxy_threads


@pytest.fixture(name="wait_for")
def wait_for_fixture() -> Callable[..., bool]:
    return wait_for


@pytest.fixture
def pattern() -> Callable[..., bytes]:
    """``pattern(n)``: the bytes the upstream serves at ``/bytes/n``."""
    return UPSTREAM.pattern  # type: ignore[no-any-return]


@pytest.fixture
def upstream() -> Iterator[object]:
    server = UPSTREAM.Upstream().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def proxy(upstream: object) -> Iterator[FaultProxy]:
    """A started proxy in front of ``upstream``; stopped after the test, then checked for
    leftover threads."""
    fault_proxy = FaultProxy(upstream.url, seed=7).start()  # type: ignore[attr-defined]
    try:
        yield fault_proxy
    finally:
        fault_proxy.stop()
        assert wait_for(lambda: not proxy_threads()), proxy_threads()


@pytest.fixture
def connect(proxy: FaultProxy) -> Iterator[Callable[[], http.client.HTTPConnection]]:
    """``connect()``: a new ``http.client`` connection to the proxy (closed after the test)."""
    opened: list[http.client.HTTPConnection] = []
    host, port = proxy.url.removeprefix("http://").split(":")

    def new() -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        opened.append(conn)
        return conn

    yield new
    for conn in opened:
        conn.close()
