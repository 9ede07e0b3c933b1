"""Rule matching, counting and seeded probability; the request log."""

from __future__ import annotations

import http.client
import random
import threading
from collections.abc import Callable
from typing import Any

import pytest

from cloudneutral.conformance.faults import (
    AlterRequest,
    AlterResponse,
    Delay,
    FaultProxy,
    ResetBeforeForward,
    Rule,
    RuleHandle,
    Status,
    TruncateResponse,
)

Connect = Callable[[], http.client.HTTPConnection]


def statuses(connect: Connect, requests: list[tuple[str, str]]) -> list[int]:
    conn = connect()
    out = []
    for method, path in requests:
        conn.request(method, path, body=b"b" if method == "PUT" else None)
        response = conn.getresponse()
        response.read()
        out.append(response.status)
    return out


def test_method_path_after_and_times(proxy: FaultProxy, connect: Connect) -> None:
    handle = proxy.add(Rule(Status(500), method="get", path=r"^/bytes/\d+\?part=2", after=1, times=2))
    got = statuses(
        connect,
        [("GET", "/bytes/1?part=2"), ("PUT", "/echo?part=2"), ("GET", "/bytes/2?part=1")]
        + [("GET", "/bytes/3?part=2")] * 4,
    )
    assert got == [200, 200, 200, 500, 500, 200, 200]
    assert (handle.seen, handle.fired) == (5, 2)


def test_first_rule_that_fires_wins_and_later_rules_do_not_see_it(
    proxy: FaultProxy, connect: Connect
) -> None:
    first = proxy.add(Rule(Status(503), times=1))
    second = proxy.add(Rule(Status(429), after=1))
    assert statuses(connect, [("GET", "/bytes/1")] * 4) == [503, 200, 429, 429]
    assert (first.seen, first.fired, second.seen, second.fired) == (4, 1, 3, 2)
    assert [e.fault for e in proxy.log] == [Status(503), None, Status(429), Status(429)]


def test_times_zero_never_fires(proxy: FaultProxy, connect: Connect) -> None:
    handle = proxy.add(Rule(Status(500), times=0))
    assert statuses(connect, [("GET", "/bytes/1")] * 2) == [200, 200]
    assert handle.fired == 0


def fired_pattern(upstream_url: str, seed: int, probability: float, n: int = 40) -> list[int]:
    with FaultProxy(upstream_url, seed=seed) as proxy:
        proxy.add(Rule(Status(503), probability=probability))
        conn = http.client.HTTPConnection(*proxy.url.removeprefix("http://").split(":"), timeout=10)
        out = []
        for _ in range(n):
            conn.request("GET", "/bytes/1")
            response = conn.getresponse()
            response.read()
            out.append(response.status)
        conn.close()
        return out


def test_probability_is_deterministic_for_a_seed(upstream: Any) -> None:
    a = fired_pattern(upstream.url, seed=1, probability=0.3)
    assert a == fired_pattern(upstream.url, seed=1, probability=0.3)
    assert a != fired_pattern(upstream.url, seed=2, probability=0.3)
    assert 3 <= a.count(503) <= 25
    assert set(fired_pattern(upstream.url, seed=1, probability=0.0, n=5)) == {200}


def test_rule_handle_decisions_follow_its_rng() -> None:
    lock = threading.Lock()
    handle = RuleHandle(Rule(Status(500), probability=0.5), random.Random("9:0"), lock)
    decisions = [handle.consider("GET", "/") for _ in range(200)]
    reference = random.Random("9:0")
    assert decisions == [reference.random() < 0.5 for _ in range(200)]


def test_clear_and_remove(proxy: FaultProxy, connect: Connect) -> None:
    keep = proxy.add(Rule(Status(500), method="PUT"))
    drop = proxy.add(Rule(Status(501), method="GET"))
    proxy.remove(drop)
    proxy.remove(drop)  # no error
    assert proxy.rules == [keep]
    assert statuses(connect, [("GET", "/bytes/1"), ("PUT", "/echo")]) == [200, 500]
    proxy.clear(rules=False)
    assert proxy.log == [] and proxy.rules == [keep]
    statuses(connect, [("GET", "/bytes/1")])
    proxy.clear(log=False)
    assert proxy.rules == [] and len(proxy.log) == 1
    assert statuses(connect, [("PUT", "/echo")]) == [200]
    assert [e.index for e in proxy.log] == [2, 3]  # indexes keep counting across clear()


def test_log_entries(proxy: FaultProxy, connect: Connect) -> None:
    proxy.add(Rule(AlterResponse(0), path="alter"))
    conn = connect()
    conn.request("PUT", "/echo?alter=1", body=b"abc", headers={"X-Test": "1", "Range": "bytes=0-"})
    response = conn.getresponse()
    assert response.read() == b"\x9ebc"
    assert proxy.wait_idle()
    (entry,) = proxy.log
    assert (entry.method, entry.target, entry.path, entry.query) == (
        "PUT",
        "/echo?alter=1",
        "/echo",
        "alter=1",
    )
    assert entry.headers["x-test"] == "1" and entry.headers["range"] == "bytes=0-"
    assert (entry.status, entry.upstream_status, entry.forwarded) == (200, 200, True)
    assert (entry.request_bytes, entry.response_bytes, entry.error, entry.done) == (3, 3, None, True)
    assert entry.fault == AlterResponse(0)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Status(99),
        lambda: Status(600),
        lambda: TruncateResponse(),
        lambda: TruncateResponse(keep_bytes=1, fraction=0.5),
        lambda: TruncateResponse(keep_bytes=-1),
        lambda: TruncateResponse(fraction=1.0),
        lambda: AlterResponse(-1),
        lambda: AlterRequest(0, xor=0),
        lambda: AlterRequest(0, xor=256),
        lambda: Delay(-1),
        lambda: Delay(1, before="later"),  # type: ignore[arg-type]
        lambda: Rule(ResetBeforeForward(), probability=1.5),
        lambda: Rule(ResetBeforeForward(), times=-1),
        lambda: Rule(ResetBeforeForward(), after=-1),
        lambda: Rule(ResetBeforeForward(), path="("),
    ],
)
def test_invalid_values_are_refused(make: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        make()


def test_fault_values_are_frozen_and_comparable() -> None:
    status = Status(503, b"x", {"A": "1"})
    assert status == Status(503, b"x", {"A": "1"})
    with pytest.raises(TypeError):
        status.headers["B"] = "2"  # type: ignore[index]
    with pytest.raises(AttributeError):
        status.code = 500  # type: ignore[misc]
    assert Rule(Status(500), path="a") == Rule(Status(500), path="a")
    assert hash(TruncateResponse(keep_bytes=3)) == hash(TruncateResponse(keep_bytes=3))
    assert hash(status) == hash(Status(503, b"x", {"B": "2"}))
