"""Each fault as an HTTP client sees it, against the stdlib upstream."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from cloudneutral.conformance.faults import (
    AlterRequest,
    AlterResponse,
    Delay,
    FaultProxy,
    ResetAfterForward,
    ResetBeforeForward,
    Rule,
    Status,
    TruncateResponse,
    s3_slow_down,
)

Connect = Callable[[], http.client.HTTPConnection]
Pattern = Callable[[int], bytes]


def get(conn: http.client.HTTPConnection, method: str, path: str, **kwargs: Any) -> tuple[int, bytes, Any]:
    conn.request(method, path, **kwargs)
    response = conn.getresponse()
    return response.status, response.read(), response


def upstream_saw(upstream: Any, method: str, path: str) -> int:
    return sum(1 for m, p, _ in upstream.requests if (m, p) == (method, path))


def flipped(data: bytes, offset: int, xor: int = 0xFF) -> bytes:
    out = bytearray(data)
    out[offset] ^= xor
    return bytes(out)


# -- Status ----------------------------------------------------------------------------------


def test_status_answers_without_forwarding_and_keeps_the_connection(
    proxy: FaultProxy, upstream: Any, connect: Connect
) -> None:
    proxy.add(Rule(s3_slow_down(), method="PUT", times=1))
    conn = connect()
    status, body, response = get(conn, "PUT", "/echo", body=b"x" * 100_000)
    assert status == 503 and b"<Code>SlowDown</Code>" in body
    assert response.getheader("Content-Type") == "application/xml"
    assert upstream_saw(upstream, "PUT", "/echo") == 0
    status, body, _ = get(conn, "PUT", "/echo", body=b"again")  # same connection, next request forwarded
    assert (status, body) == (200, b"again")
    first, second = proxy.log
    assert (first.status, first.forwarded, first.request_bytes, first.upstream_status) == (
        503,
        False,
        100_000,
        None,
    )
    assert (second.status, second.forwarded, second.upstream_status, second.fault) == (200, True, 200, None)


@pytest.mark.parametrize(
    ("fault", "header"),
    [
        (Status(500), None),
        (Status(429, headers={"Retry-After": "3"}), ("Retry-After", "3")),
        (Status(401, b"no", {"WWW-Authenticate": "Bearer"}), ("WWW-Authenticate", "Bearer")),
        (Status(403, b"denied"), None),
    ],
)
def test_status_codes_bodies_and_headers(
    proxy: FaultProxy, connect: Connect, fault: Status, header: tuple[str, str] | None
) -> None:
    proxy.add(Rule(fault))
    status, body, response = get(connect(), "GET", "/bytes/10")
    assert (status, body) == (fault.code, fault.body)
    if header:
        assert response.getheader(header[0]) == header[1]


def test_status_on_head_sends_no_body(proxy: FaultProxy, connect: Connect) -> None:
    proxy.add(Rule(Status(404, b"missing"), method="HEAD"))
    conn = connect()
    status, body, response = get(conn, "HEAD", "/bytes/10")
    assert (status, body, response.getheader("Content-Length")) == (404, b"", "7")
    assert get(conn, "GET", "/bytes/3")[1] == bytes(range(3))


def test_status_to_a_client_waiting_for_100_continue(proxy: FaultProxy, upstream: Any) -> None:
    proxy.add(Rule(Status(403, b"no")))
    host, port = proxy.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"PUT /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        response = http.client.HTTPResponse(sock, method="PUT")
        response.begin()
        assert (response.status, response.read(), response.getheader("Connection")) == (403, b"no", "close")
    assert upstream_saw(upstream, "PUT", "/echo") == 0


# -- resets ----------------------------------------------------------------------------------


def test_reset_before_forward(proxy: FaultProxy, upstream: Any, connect: Connect) -> None:
    proxy.add(Rule(ResetBeforeForward(), method="PUT"))
    with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected, BrokenPipeError)):
        get(connect(), "PUT", "/echo", body=b"payload")
    entry = proxy.log[-1]
    assert (entry.status, entry.forwarded, entry.fault) == (None, False, ResetBeforeForward())
    assert upstream_saw(upstream, "PUT", "/echo") == 0


def test_reset_before_forward_during_a_large_upload(
    proxy: FaultProxy, upstream: Any, connect: Connect
) -> None:
    proxy.add(Rule(ResetBeforeForward()))
    with pytest.raises((ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected)):
        get(connect(), "PUT", "/echo", body=b"x" * (32 * 1024 * 1024))
    assert upstream_saw(upstream, "PUT", "/echo") == 0


def test_reset_after_forward(proxy: FaultProxy, upstream: Any, connect: Connect) -> None:
    proxy.add(Rule(ResetAfterForward(), path=r"^/echo"))
    with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected)):
        get(connect(), "PUT", "/echo", body=b"payload")
    assert upstream_saw(upstream, "PUT", "/echo") == 1  # performed upstream
    entry = proxy.log[-1]
    assert (entry.status, entry.upstream_status, entry.forwarded) == (None, 200, True)
    assert get(connect(), "GET", "/bytes/5")[0] == 200  # the proxy goes on serving


# -- truncation ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/bytes/100000", "/chunked/100000", "/close/100000"])
def test_truncate_without_rewrite_is_an_incomplete_read(
    proxy: FaultProxy, connect: Connect, pattern: Pattern, path: str
) -> None:
    proxy.add(Rule(TruncateResponse(keep_bytes=12_345)))
    conn = connect()
    conn.request("GET", path)
    response = conn.getresponse()
    if path.startswith("/close"):  # close-delimited: only a checksum can tell
        assert response.read() == pattern(12_345)
    else:
        with pytest.raises(http.client.IncompleteRead) as caught:
            response.read()
        # http.client reports the whole chunks it got, not the cut one
        assert pattern(12_345).startswith(caught.value.partial) and len(caught.value.partial) >= 12_000
    assert proxy.log[-1].response_bytes == 12_345


@pytest.mark.parametrize("path", ["/bytes/100000", "/chunked/100000", "/close/100000"])
def test_truncate_fraction_with_rewritten_length_looks_whole(
    proxy: FaultProxy, connect: Connect, pattern: Pattern, path: str
) -> None:
    proxy.add(Rule(TruncateResponse(fraction=0.25, rewrite_length=True), times=1))
    conn = connect()
    status, body, response = get(conn, "GET", path)
    assert (status, body) == (200, pattern(25_000))
    assert response.getheader("Content-Length") == "25000"
    assert response.getheader("Transfer-Encoding") is None
    assert get(conn, "GET", "/bytes/7")[1] == pattern(7)  # the connection stays usable


def test_truncate_fraction_without_rewrite_declares_the_full_length(
    proxy: FaultProxy, connect: Connect, pattern: Pattern
) -> None:
    proxy.add(Rule(TruncateResponse(fraction=0.5)))
    conn = connect()
    conn.request("GET", "/chunked/3000")
    response = conn.getresponse()
    assert response.getheader("Content-Length") == "3000"
    with pytest.raises(http.client.IncompleteRead) as caught:
        response.read()
    assert caught.value.partial == pattern(1500)


def test_truncate_to_zero_and_body_shorter_than_kept(
    proxy: FaultProxy, connect: Connect, pattern: Pattern
) -> None:
    proxy.add(Rule(TruncateResponse(keep_bytes=0), times=1))
    proxy.add(Rule(TruncateResponse(keep_bytes=10**9), times=1))
    conn = connect()
    conn.request("GET", "/bytes/100")
    with pytest.raises(http.client.IncompleteRead):
        conn.getresponse().read()
    conn = connect()
    assert get(conn, "GET", "/bytes/100")[1] == pattern(100)  # all of it, then the connection closes


# -- alteration ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/bytes/5000", "/chunked/5000"])
def test_alter_response_flips_one_byte_same_length(
    proxy: FaultProxy, connect: Connect, pattern: Pattern, path: str
) -> None:
    proxy.add(Rule(AlterResponse(1500), times=1))  # inside the second 1000-byte chunk
    proxy.add(Rule(AlterResponse(4999, xor=0x01), times=1))
    conn = connect()
    assert get(conn, "GET", path)[1] == flipped(pattern(5000), 1500)
    assert get(conn, "GET", path)[1] == flipped(pattern(5000), 4999, 0x01)
    assert get(conn, "GET", path)[1] == pattern(5000)


def test_alter_response_past_the_end_changes_nothing(
    proxy: FaultProxy, connect: Connect, pattern: Pattern
) -> None:
    proxy.add(Rule(AlterResponse(10)))
    assert get(connect(), "GET", "/bytes/10")[1] == pattern(10)


def test_alter_request_flips_a_byte_in_transit(proxy: FaultProxy, connect: Connect, pattern: Pattern) -> None:
    data = pattern(300_000)
    proxy.add(Rule(AlterRequest(200_000), method="PUT", times=1))
    proxy.add(Rule(AlterRequest(77_777), method="POST", times=1))
    conn = connect()
    status, echoed, _ = get(conn, "PUT", "/echo", body=data)
    assert (status, echoed) == (200, flipped(data, 200_000))
    pieces = [data[i : i + 50_000] for i in range(0, len(data), 50_000)]
    status, echoed, _ = get(conn, "POST", "/echo", body=iter(pieces), encode_chunked=True)
    assert (status, echoed) == (200, flipped(data, 77_777))


# -- delay -----------------------------------------------------------------------------------


def test_delay_before_forward_and_before_response(proxy: FaultProxy, upstream: Any, connect: Connect) -> None:
    proxy.add(Rule(Delay(0.3), method="GET", times=1))
    start = time.monotonic()
    assert get(connect(), "GET", "/bytes/1")[0] == 200
    assert time.monotonic() - start >= 0.3

    proxy.add(Rule(Delay(0.6, before="response"), method="PUT"))
    seen_at: list[float] = []

    def watch() -> None:  # when does the upstream perform the PUT?
        deadline = time.monotonic() + 10
        while not upstream_saw(upstream, "PUT", "/echo") and time.monotonic() < deadline:
            time.sleep(0.01)
        seen_at.append(time.monotonic())

    watcher = threading.Thread(target=watch)
    watcher.start()
    assert get(connect(), "PUT", "/echo", body=b"x")[0] == 200
    answered_at = time.monotonic()
    watcher.join()
    assert answered_at - seen_at[0] >= 0.5  # performed upstream well before the client got the answer


def test_range_header_is_in_the_log(proxy: FaultProxy, connect: Connect, pattern: Pattern) -> None:
    proxy.add(Rule(TruncateResponse(keep_bytes=100), times=1))
    conn = connect()
    conn.request("GET", "/bytes/1000")
    with pytest.raises(http.client.IncompleteRead):
        conn.getresponse().read()
    conn = connect()
    get(conn, "GET", "/bytes/1000", headers={"Range": "bytes=100-"})  # a resuming client
    first, retry = proxy.log
    assert (first.response_bytes, "range" in first.headers) == (100, False)
    assert retry.headers["range"] == "bytes=100-" and retry.fault is None
