"""requests (what azure-core and openstacksdk use) through the fault proxy: its connection
pool, streamed and chunked bodies, and the exceptions faults become."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from cloudneutral.conformance.faults import (
    FaultProxy,
    ResetAfterForward,
    ResetBeforeForward,
    Rule,
    TruncateResponse,
    s3_slow_down,
)

requests = pytest.importorskip("requests")

Pattern = Callable[[int], bytes]


@pytest.fixture
def session() -> Iterator[object]:
    with requests.Session() as s:
        yield s


def test_pooled_concurrent_requests(proxy: FaultProxy, session: object, pattern: Pattern) -> None:
    def one(n: int) -> bool:
        got = session.get(f"{proxy.url}/bytes/{n * 1000}", timeout=10)  # type: ignore[attr-defined]
        put = session.put(f"{proxy.url}/echo", data=pattern(n), timeout=10)  # type: ignore[attr-defined]
        return got.content == pattern(n * 1000) and put.content == pattern(n)

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(one, range(64)))
    assert len(proxy.log) == 128


def test_streamed_chunked_upload_and_download(proxy: FaultProxy, session: object, pattern: Pattern) -> None:
    data = pattern(3_000_000)
    pieces = (data[i : i + 100_000] for i in range(0, len(data), 100_000))
    response = session.put(f"{proxy.url}/sink", data=pieces, timeout=30)  # type: ignore[attr-defined]
    assert response.headers["X-Sha256"] == hashlib.sha256(data).hexdigest()
    assert proxy.log[-1].headers["transfer-encoding"] == "chunked"
    with session.get(f"{proxy.url}/chunked/300000", stream=True, timeout=10) as streamed:  # type: ignore[attr-defined]
        assert b"".join(streamed.iter_content(8192)) == pattern(300_000)


def test_faults_as_requests_reports_them(proxy: FaultProxy, session: object) -> None:
    url = f"{proxy.url}/bytes/100000"
    proxy.add(Rule(ResetBeforeForward(), times=1))
    with pytest.raises(requests.exceptions.ConnectionError):
        session.get(url, timeout=10)  # type: ignore[attr-defined]
    proxy.add(Rule(ResetAfterForward(), times=1))
    with pytest.raises(requests.exceptions.ConnectionError):
        session.get(url, timeout=10)  # type: ignore[attr-defined]
    proxy.add(Rule(TruncateResponse(keep_bytes=5000), times=1))
    with pytest.raises(requests.exceptions.ChunkedEncodingError):  # requests' name for a cut body
        session.get(url, timeout=10)  # type: ignore[attr-defined]
    proxy.add(Rule(s3_slow_down(), times=1))
    assert session.get(url, timeout=10).status_code == 503  # type: ignore[attr-defined]
    assert len(session.get(url, timeout=10).content) == 100_000  # type: ignore[attr-defined]
