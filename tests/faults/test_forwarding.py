"""The fault proxy without faults: transparent to HTTP/1.1 clients (stdlib upstream)."""

from __future__ import annotations

import hashlib
import http.client
import socket
import threading
from collections.abc import Callable
from typing import Any

import pytest

from cloudneutral.conformance.faults import FaultProxy

Connect = Callable[[], http.client.HTTPConnection]


def address(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


def raw_exchange(url: str, request: bytes) -> bytes:
    """Send ``request`` as is with ``Connection: close`` semantics; everything received."""
    with socket.create_connection(address(url), timeout=10) as sock:
        sock.sendall(request)
        received = bytearray()
        while data := sock.recv(65536):
            received += data
    return bytes(received)


def get(conn: http.client.HTTPConnection, method: str, path: str, **kwargs: Any) -> tuple[int, bytes, Any]:
    conn.request(method, path, **kwargs)
    response = conn.getresponse()
    return response.status, response.read(), response


def test_bodies_with_every_framing_arrive_identical(
    connect: Connect, pattern: Callable[[int], bytes]
) -> None:
    conn = connect()
    for path in ("/bytes/0", "/bytes/1", "/bytes/300001", "/chunked/2500", "/chunked/0"):
        status, body, _ = get(conn, "GET", path)
        assert (status, body) == (200, pattern(int(path.rsplit("/", 1)[1]))), path
    status, body, response = get(conn, "HEAD", "/bytes/5000")
    assert (status, body, response.getheader("Content-Length")) == (200, b"", "5000")
    status, body, _ = get(conn, "GET", "/status/404")
    assert (status, body) == (404, b"status 404")
    status, body, _ = get(conn, "GET", "/status/204")  # no body, connection still usable
    assert (status, body) == (204, b"")
    status, body, _ = get(conn, "GET", "/close/70000")  # delimited by closing
    assert (status, body) == (200, pattern(70000))


def test_chunk_framing_and_trailers_are_forwarded_byte_for_byte(proxy: FaultProxy, upstream: Any) -> None:
    request = b"GET /chunked/2500 HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n"
    through = raw_exchange(proxy.url, request)
    direct = raw_exchange(upstream.url, request)
    assert through.partition(b"\r\n\r\n")[2] == direct.partition(b"\r\n\r\n")[2]
    assert b"3e8;ext=1\r\n" in through and through.endswith(b"0\r\nX-Done: yes\r\n\r\n")


def test_request_bodies_content_length_and_chunked(connect: Connect, pattern: Callable[[int], bytes]) -> None:
    conn = connect()
    data = pattern(1_000_003)
    status, body, response = get(conn, "PUT", "/echo", body=data)
    assert (status, body, response.getheader("X-Length")) == (200, data, "1000003")
    pieces = [data[i : i + 77_777] for i in range(0, len(data), 77_777)]
    status, body, response = get(conn, "POST", "/echo", body=iter(pieces), encode_chunked=True)
    assert (status, body) == (200, data)
    status, body, response = get(conn, "PUT", "/echo", body=b"")
    assert (status, body, response.getheader("X-Length")) == (200, b"", "0")


def test_headers_reach_the_upstream_unchanged(proxy: FaultProxy, upstream: Any, connect: Connect) -> None:
    conn = connect()
    headers = {
        "Authorization": "AWS4-HMAC-SHA256 Signature=abc",
        "X-Amz-Date": "20260101T000000Z",
        "X-Odd": " a  b ",
    }
    status, _, response = get(conn, "PUT", "/echo?x=1&y=%2F", body=b"abc", headers=headers)
    assert status == 200
    assert response.getheader("X-Host") == proxy.url.removeprefix("http://")  # Host untouched
    through = upstream.requests[-1]
    direct_conn = http.client.HTTPConnection(*address(upstream.url), timeout=10)
    direct_conn.putrequest("PUT", "/echo?x=1&y=%2F", skip_host=True)
    direct_conn.putheader("Host", proxy.url.removeprefix("http://"))
    for name, value in {"Content-Length": "3", **headers}.items():
        direct_conn.putheader(name, value)
    direct_conn.endheaders(b"abc")
    direct_conn.getresponse().read()
    direct_conn.close()
    assert through == upstream.requests[-1]
    assert through[2]["X-Odd"].rstrip() == "a  b"


def test_keep_alive_maps_one_client_connection_to_one_upstream_connection(
    connect: Connect, upstream: Any, proxy: FaultProxy
) -> None:
    conn = connect()
    before = upstream.connections
    for i in range(10):
        assert get(conn, "GET", f"/bytes/{i * 1000}")[0] == 200
        assert get(conn, "PUT", "/echo", body=b"x" * i)[0] == 200
    assert upstream.connections - before == 1
    assert [e.status for e in proxy.log] == [200] * 20


def test_many_concurrent_connections(proxy: FaultProxy, pattern: Callable[[int], bytes]) -> None:
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            conn = http.client.HTTPConnection(*address(proxy.url), timeout=30)
            for i in range(8):
                size = 1000 * n + i
                assert get(conn, "GET", f"/bytes/{size}")[1] == pattern(size)
                body = pattern(size)[::-1]
                assert get(conn, "PUT", "/echo", body=body)[1] == body
            conn.close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert proxy.wait_idle()
    log = proxy.log
    assert len(log) == 24 * 16 and all(e.status == 200 and e.done for e in log)


def read_head(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(1)
        if not piece:
            break
        data += piece
    return data


def expect_request(path: str, body: bytes) -> bytes:
    return (
        f"PUT {path} HTTP/1.1\r\nHost: h\r\nContent-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n"
    ).encode()


def test_expect_100_continue_is_answered_by_the_upstream(proxy: FaultProxy) -> None:
    with socket.create_connection(address(proxy.url), timeout=10) as sock:
        sock.sendall(expect_request("/echo", b"hello"))
        assert read_head(sock) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(b"hello")
        response = http.client.HTTPResponse(sock, method="PUT")
        response.begin()
        assert (response.status, response.read(), response.getheader("X-Expect")) == (
            200,
            b"hello",
            "100-continue",
        )


def test_expect_final_answer_is_relayed_and_the_body_never_sent(proxy: FaultProxy, upstream: Any) -> None:
    with socket.create_connection(address(proxy.url), timeout=10) as sock:
        sock.sendall(expect_request("/refuse", b"never sent"))
        response = http.client.HTTPResponse(sock, method="PUT")
        response.begin()
        assert response.status == 403 and response.getheader("Connection") == "close"
        response.read()
    assert proxy.log[-1].status == 403 and proxy.log[-1].request_bytes == 0


def test_expect_with_a_silent_upstream_the_proxy_says_continue(upstream: Any) -> None:
    with (
        FaultProxy(upstream.url, expect_timeout=0.2) as proxy,
        socket.create_connection(address(proxy.url), timeout=10) as sock,
    ):
        sock.sendall(expect_request("/silent", b"data"))
        assert read_head(sock) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(b"data")
        response = http.client.HTTPResponse(sock, method="PUT")
        response.begin()
        assert (response.status, response.read()) == (200, b"data")


def test_expect_with_a_client_that_does_not_wait(proxy: FaultProxy) -> None:
    body = b"z" * 100_000
    with socket.create_connection(address(proxy.url), timeout=10) as sock:
        sock.sendall(expect_request("/echo", body) + body)
        response = http.client.HTTPResponse(sock, method="PUT")
        response.begin()  # skips the interim 100
        assert (response.status, response.read()) == (200, body)


def test_pipelined_requests(proxy: FaultProxy) -> None:
    request = (
        b"GET /bytes/10 HTTP/1.1\r\nHost: h\r\n\r\n"
        b"PUT /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok"
    )
    with socket.create_connection(address(proxy.url), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while not (received.count(b"HTTP/1.1 200 ") == 2 and received.endswith(b"\r\n\r\nok")):
            piece = sock.recv(65536)
            assert piece, received
            received += piece
    first, second = received.split(b"HTTP/1.1 200 ")[1:]
    assert first.endswith(b"\r\n\r\n" + bytes(range(10))) and b"X-Length: 2\r\n" in second


def test_unreachable_upstream_answers_502() -> None:
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]  # bound, not listening: connections are refused
        with FaultProxy(f"http://127.0.0.1:{port}") as proxy:
            conn = http.client.HTTPConnection(*address(proxy.url), timeout=10)
            status, _, response = get(conn, "PUT", "/x", body=b"abc")
            conn.close()
            assert status == 502 and response.getheader("Connection") == "close"
            entry = proxy.log[0]
            assert entry.forwarded is False and entry.error and "unreachable" in entry.error


def test_malformed_request_gets_400(proxy: FaultProxy) -> None:
    answer = raw_exchange(proxy.url, b"NONSENSE\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 ")


def test_large_body_digest_through_the_proxy(connect: Connect) -> None:
    block = hashlib.sha256(b"seed").digest() * 2048  # 64 KiB
    conn = connect()
    total = 32 * len(block)
    conn.putrequest("PUT", "/sink")
    conn.putheader("Content-Length", str(total))
    conn.endheaders()
    digest = hashlib.sha256()
    for _ in range(32):
        conn.send(block)
        digest.update(block)
    response = conn.getresponse()
    response.read()
    assert response.getheader("X-Sha256") == digest.hexdigest()


@pytest.mark.parametrize(
    "bad", ["https://127.0.0.1:1", "http://10.0.0.1:80", "http://127.0.0.1:1/prefix", "ftp://x"]
)
def test_upstream_must_be_plain_http_on_loopback(bad: str) -> None:
    with pytest.raises(ValueError):
        FaultProxy(bad)


def test_listening_address_must_be_loopback() -> None:
    with pytest.raises(ValueError):
        FaultProxy("http://127.0.0.1:1", host="0.0.0.0")
