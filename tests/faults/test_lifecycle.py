"""start/stop of the fault proxy: stop() leaves no thread and no socket behind."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from cloudneutral.conformance.faults import Delay, FaultProxy, ResetBeforeForward, Rule, TruncateResponse


def address(proxy: FaultProxy) -> tuple[str, int]:
    host, port = proxy.url.removeprefix("http://").split(":")
    return host, int(port)


def test_stop_leaves_no_thread_and_no_socket(
    upstream: Any,
    pattern: Callable[[int], bytes],
    socket_fds: Callable[[], set[str]],
    proxy_threads: Callable[[], list[threading.Thread]],
    wait_for: Callable[..., bool],
) -> None:
    baseline = socket_fds()
    proxy = FaultProxy(upstream.url).start()
    host, port = address(proxy)

    idle = http.client.HTTPConnection(host, port, timeout=10)  # a keep-alive connection left open
    idle.request("GET", "/bytes/10")
    assert idle.getresponse().read() == pattern(10)

    proxy.add(Rule(ResetBeforeForward(), path="reset"))
    proxy.add(Rule(TruncateResponse(keep_bytes=5), path="cut"))
    proxy.add(Rule(Delay(60), path="slow"))
    for path in ("/bytes/10?reset", "/bytes/10?cut"):
        conn = http.client.HTTPConnection(host, port, timeout=10)
        with pytest.raises((OSError, http.client.HTTPException)):
            conn.request("GET", path)
            conn.getresponse().read()
        conn.close()

    stuck: list[BaseException] = []

    def slow_request() -> None:  # in flight (delayed) when stop() is called
        conn = http.client.HTTPConnection(host, port, timeout=30)
        try:
            conn.request("GET", "/bytes/10?slow")
            conn.getresponse().read()
        except BaseException as exc:
            stuck.append(exc)
        finally:
            conn.close()

    slow = threading.Thread(target=slow_request)
    slow.start()
    half_sent = socket.create_connection((host, port), timeout=10)  # a request head half sent
    half_sent.sendall(b"PUT /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\npartial")
    assert wait_for(lambda: len(proxy.log) >= 5)
    assert len(proxy_threads()) >= 4

    started = time.monotonic()
    proxy.stop()
    assert time.monotonic() - started < 5  # the 60 s delay was cut short
    assert proxy_threads() == []
    slow.join(10)
    assert stuck and not slow.is_alive()  # the delayed client saw its connection break
    idle.close()
    half_sent.close()
    assert wait_for(lambda: socket_fds() <= baseline), socket_fds() - baseline
    proxy.stop()  # idempotent


def test_context_manager_and_single_start(
    upstream: Any, proxy_threads: Callable[[], list[threading.Thread]]
) -> None:
    proxy = FaultProxy(upstream.url)
    with pytest.raises(RuntimeError):
        _ = proxy.url
    with proxy as same:
        assert same is proxy and proxy.url.startswith("http://127.0.0.1:")
        with pytest.raises(RuntimeError):
            proxy.start()
    assert proxy_threads() == []
    with pytest.raises(RuntimeError):
        proxy.start()  # a stopped proxy does not start again
    FaultProxy(upstream.url).stop()  # stopping one never started is fine


def test_stop_while_a_large_upload_streams(
    upstream: Any, proxy_threads: Callable[[], list[threading.Thread]]
) -> None:
    proxy = FaultProxy(upstream.url).start()
    host, port = address(proxy)
    errors: list[BaseException] = []

    def upload() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        try:
            conn.putrequest("PUT", "/sink")
            conn.putheader("Content-Length", str(1 << 40))
            conn.endheaders()
            while True:
                conn.send(b"\0" * 65536)
        except BaseException as exc:
            errors.append(exc)
        finally:
            conn.close()

    thread = threading.Thread(target=upload)
    thread.start()
    time.sleep(0.3)
    proxy.stop()
    thread.join(10)
    assert errors and isinstance(errors[0], OSError)
    assert proxy_threads() == []


def test_port_can_be_chosen(upstream: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with FaultProxy(upstream.url, port=port) as proxy:
        assert proxy.url == f"http://127.0.0.1:{port}"
        assert repr(proxy).startswith("FaultProxy(")
