"""The values of the fault proxy: faults, rules, and the log of requests.

Public through :mod:`cloudneutral.conformance.faults`; kept apart from the proxy's
sockets and threads so that these small typed values can be read on their own.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, Union

__all__ = [
    "AlterRequest",
    "AlterResponse",
    "Delay",
    "Fault",
    "LogEntry",
    "ResetAfterForward",
    "ResetBeforeForward",
    "Rule",
    "RuleHandle",
    "Status",
    "TruncateResponse",
    "s3_slow_down",
]


@dataclass(frozen=True)
class Status:
    """Answer ``code`` with ``body`` and ``headers`` without forwarding the request.

    ``Content-Length`` is added unless given. A request body the client sends is read and
    dropped; with ``Expect: 100-continue`` the body is not waited for and the connection is
    closed after the answer (as a server refusing the body would).
    """

    code: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not 200 <= self.code <= 599:
            raise ValueError(f"Status code must be 200..599, not {self.code}")
        object.__setattr__(self, "headers", MappingProxyType(dict(self.headers)))


@dataclass(frozen=True)
class ResetBeforeForward:
    """Reset the client's connection (TCP RST) once the request head is read: the request
    never reaches the upstream."""


@dataclass(frozen=True)
class ResetAfterForward:
    """Forward the whole request and read the upstream's whole response, then reset the
    client's connection: the upstream performed the request, the client gets no answer."""


@dataclass(frozen=True)
class TruncateResponse:
    """Forward, then send the response head and only the first ``keep_bytes`` (or
    ``fraction`` of the) body bytes, then close the connection.

    With ``rewrite_length`` the response instead declares ``Content-Length`` equal to the
    bytes kept (``Transfer-Encoding`` removed) and the connection stays usable: the response
    looks whole and only a checksum can tell (the hostile case). A body without a
    ``Content-Length`` (chunked or close-delimited) is spooled to a temporary file first when
    its total length is needed (``fraction``, or ``rewrite_length``); the head then declares
    a ``Content-Length``. Without ``rewrite_length`` a chunked body is cut inside its raw
    chunk framing. A body of at most ``keep_bytes`` arrives whole, then the connection closes.
    """

    keep_bytes: int | None = None
    fraction: float | None = None
    rewrite_length: bool = False

    def __post_init__(self) -> None:
        if (self.keep_bytes is None) == (self.fraction is None):
            raise ValueError("TruncateResponse needs exactly one of keep_bytes and fraction")
        if self.keep_bytes is not None and self.keep_bytes < 0:
            raise ValueError("keep_bytes must be >= 0")
        if self.fraction is not None and not 0.0 <= self.fraction < 1.0:
            raise ValueError("fraction must be in [0, 1)")

    def kept(self, total: int) -> int:
        """How many of ``total`` body bytes are sent."""
        if self.keep_bytes is not None:
            return min(total, self.keep_bytes)
        return int(total * (self.fraction or 0.0))


@dataclass(frozen=True)
class AlterResponse:
    """Forward, and XOR the response body byte at payload ``offset`` (0-based, after chunk
    framing is removed) with ``xor``: same length, one wrong byte. No change when the body
    is shorter."""

    offset: int
    xor: int = 0xFF

    def __post_init__(self) -> None:
        _check_alteration(self.offset, self.xor)


@dataclass(frozen=True)
class AlterRequest:
    """XOR the request body byte at payload ``offset`` with ``xor`` while forwarding it: a
    byte flipped in transit inside an upload. The offset counts the HTTP body as sent, so
    for ``aws-chunked`` content encodings it includes that encoding's own framing."""

    offset: int
    xor: int = 0xFF

    def __post_init__(self) -> None:
        _check_alteration(self.offset, self.xor)


@dataclass(frozen=True)
class Delay:
    """Wait ``seconds``: ``before="forward"`` before the request goes upstream,
    ``before="response"`` after the upstream has answered and before the client gets the
    response head (the upstream has then performed the request). ``stop()`` cuts it short."""

    seconds: float
    before: Literal["forward", "response"] = "forward"

    def __post_init__(self) -> None:
        if self.seconds < 0:
            raise ValueError("seconds must be >= 0")
        if self.before not in ("forward", "response"):
            raise ValueError("before must be 'forward' or 'response'")


Fault = Union[  # noqa: UP007  (a runtime alias; Python 3.10 has no `type` statement)
    Status, ResetBeforeForward, ResetAfterForward, TruncateResponse, AlterResponse, AlterRequest, Delay
]


def _check_alteration(offset: int, xor: int) -> None:
    if offset < 0:
        raise ValueError("offset must be >= 0")
    if not 1 <= xor <= 0xFF:
        raise ValueError("xor must be 1..255")


def s3_slow_down(code: int = 503) -> Status:
    """The answer S3 gives when throttling: ``503`` with a ``SlowDown`` XML error body."""
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
        b"<Message>Please reduce your request rate.</Message>"
        b"<RequestId>FAULTPROXY0000001</RequestId></Error>"
    )
    return Status(code, body, {"Content-Type": "application/xml"})


@dataclass(frozen=True)
class Rule:
    """Apply ``fault`` to matching requests: the ``after + 1``-th one onwards, at most
    ``times`` times (``None``: no limit), each with ``probability`` (a seeded RNG per rule,
    so a run is reproducible for a given seed and request order).

    ``method`` matches case-insensitively; ``path`` is a regular expression searched in the
    request target (path and query string as sent, e.g. ``/bucket/key?partNumber=2``).
    Rules are tried in the order they were added; the first that fires applies, and rules
    after it do not see the request (their ``after`` counts only requests they saw).
    """

    fault: Fault
    method: str | None = None
    path: str | None = None
    times: int | None = None
    probability: float = 1.0
    after: int = 0
    _pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        if self.times is not None and self.times < 0:
            raise ValueError("times must be >= 0 or None")
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError("probability must be in [0, 1]")
        if self.after < 0:
            raise ValueError("after must be >= 0")
        if self.method is not None:
            object.__setattr__(self, "method", self.method.upper())
        if self.path is not None:
            try:
                object.__setattr__(self, "_pattern", re.compile(self.path))
            except re.error as exc:
                raise ValueError(f"path is not a regular expression: {exc}") from exc

    def matches(self, method: str, target: str) -> bool:
        """Whether a request with this method and target is one this rule considers."""
        if self.method is not None and method.upper() != self.method:
            return False
        return self._pattern is None or self._pattern.search(target) is not None


class RuleHandle:
    """A rule added to a proxy, with its counters: ``seen`` (matching requests it was asked
    about) and ``fired`` (requests it applied its fault to). Thread-safe."""

    def __init__(self, rule: Rule, rng: random.Random, lock: threading.Lock) -> None:
        self.rule = rule
        self._rng = rng
        self._lock = lock
        self._seen = 0
        self._fired = 0

    @property
    def seen(self) -> int:
        with self._lock:
            return self._seen

    @property
    def fired(self) -> int:
        with self._lock:
            return self._fired

    def consider(self, method: str, target: str) -> bool:
        """Count a request and decide whether the fault applies to it. Call with the lock held."""
        rule = self.rule
        if not rule.matches(method, target):
            return False
        self._seen += 1
        if self._seen <= rule.after or (rule.times is not None and self._fired >= rule.times):
            return False
        if rule.probability < 1.0 and self._rng.random() >= rule.probability:
            return False
        self._fired += 1
        return True

    def __repr__(self) -> str:
        return f"RuleHandle({self.rule!r}, seen={self._seen}, fired={self._fired})"


@dataclass(frozen=True)
class LogEntry:
    """One request the proxy received, as observed so far (see ``done``).

    ``headers`` are the request's, names lower-cased (repeats joined by ``", "``).
    ``status`` is what the client was answered (``None``: reset, or no answer yet);
    ``upstream_status`` what the upstream answered (``None``: never forwarded, or no answer).
    ``request_bytes`` counts request body payload bytes read from the client,
    ``response_bytes`` body payload bytes sent to it. ``error`` says what failed, if anything
    (upstream unreachable, a peer closing mid-message); ``done`` is set when the proxy has
    finished with the request.
    """

    index: int
    method: str
    target: str
    headers: Mapping[str, str]
    fault: Fault | None
    forwarded: bool
    status: int | None
    upstream_status: int | None
    request_bytes: int
    response_bytes: int
    error: str | None
    done: bool

    @property
    def path(self) -> str:
        """The target without its query string."""
        return self.target.partition("?")[0]

    @property
    def query(self) -> str:
        """The query string of the target, without ``?``."""
        return self.target.partition("?")[2]


class Record:
    """The mutable counterpart of a :class:`LogEntry`, written by one connection thread.

    Fields a client can observe are set before the bytes that reveal them are sent, so a
    client that got its answer reads a log that already shows it."""

    def __init__(self, index: int, method: str, target: str, headers: Mapping[str, str]) -> None:
        self.index = index
        self.method = method
        self.target = target
        self.headers = MappingProxyType(dict(headers))
        self.fault: Fault | None = None
        self.forwarded = False
        self.status: int | None = None
        self.upstream_status: int | None = None
        self.request_bytes = 0
        self.response_bytes = 0
        self.error: str | None = None
        self.done = False

    def snapshot(self) -> LogEntry:
        return LogEntry(
            index=self.index,
            method=self.method,
            target=self.target,
            headers=self.headers,
            fault=self.fault,
            forwarded=self.forwarded,
            status=self.status,
            upstream_status=self.upstream_status,
            request_bytes=self.request_bytes,
            response_bytes=self.response_bytes,
            error=self.error,
            done=self.done,
        )
