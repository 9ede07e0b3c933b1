"""A fault-injecting HTTP/1.1 proxy on loopback, for tests of retries, integrity and resumes.

Point an adapter's ``endpoint_url`` at :attr:`FaultProxy.url`; the proxy forwards every
request to the real peer (moto, Azurite, Swift ...) unchanged, byte for byte, and injects a
fault into the requests its rules select::

    from cloudneutral.conformance.faults import FaultProxy, Rule, TruncateResponse, s3_slow_down

    with FaultProxy("http://127.0.0.1:5000") as proxy:
        proxy.add(Rule(s3_slow_down(), method="PUT", times=1))           # first PUT: 503
        proxy.add(Rule(TruncateResponse(fraction=0.5), method="GET", after=1))
        run_the_code_under_test(endpoint_url=proxy.url)
        assert [e.status for e in proxy.log if e.method == "PUT"][:2] == [503, 200]

Faults: :class:`Status` (answer without forwarding), :class:`ResetBeforeForward`,
:class:`ResetAfterForward`, :class:`TruncateResponse`, :class:`AlterResponse`,
:class:`AlterRequest`, :class:`Delay`. Every request is logged (:attr:`FaultProxy.log`,
:class:`LogEntry`; :meth:`FaultProxy.wait_idle`).

With no fault firing the proxy is transparent to real SDKs: the ``Host`` header and every
other header are forwarded unchanged (signatures stay valid), ``Content-Length`` and chunked
bodies stream through in 64 KiB pieces (memory stays bounded), ``Expect: 100-continue`` is
passed to the upstream, ``HEAD`` and keep-alive work, each client connection is served by a
thread with its own upstream connection. Stdlib only; HTTP/1.1 over plain TCP only.
"""

from __future__ import annotations

import contextlib
import ipaddress
import itertools
import random
import selectors
import socket
import threading
from collections.abc import Mapping
from types import TracebackType
from urllib.parse import urlsplit

from ._faultspec import (
    AlterRequest,
    AlterResponse,
    Delay,
    Fault,
    LogEntry,
    Record,
    ResetAfterForward,
    ResetBeforeForward,
    Rule,
    RuleHandle,
    Status,
    TruncateResponse,
    s3_slow_down,
)
from ._relay import Connection
from ._wire import arm_reset, half_close_and_drain

__all__ = [
    "AlterRequest",
    "AlterResponse",
    "Delay",
    "Fault",
    "FaultProxy",
    "LogEntry",
    "ResetAfterForward",
    "ResetBeforeForward",
    "Rule",
    "RuleHandle",
    "Status",
    "TruncateResponse",
    "s3_slow_down",
]


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Core:
    """The state the connection threads share: rules, log, open sockets, the stop flag."""

    def __init__(self, upstream: tuple[str, int], seed: int, expect_timeout: float) -> None:
        self.upstream = upstream
        self.seed = seed
        self.expect_timeout = expect_timeout
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.rules: list[RuleHandle] = []
        self.serial = itertools.count()
        self.records: list[Record] = []
        self.next_index = 0
        self.sockets: set[socket.socket] = set()
        self.stopping = threading.Event()

    def begin(self, method: str, target: str, headers: Mapping[str, str]) -> tuple[Record, Fault | None]:
        with self.lock:
            fault: Fault | None = None
            for handle in self.rules:
                if handle.consider(method, target):
                    fault = handle.rule.fault
                    break
            record = Record(self.next_index, method, target, headers)
            self.next_index += 1
            record.fault = fault
            self.records.append(record)
            return record, fault

    def finish(self, record: Record) -> None:
        with self.lock:
            record.done = True
            self.changed.notify_all()

    def sleep(self, seconds: float) -> bool:
        return not self.stopping.wait(seconds)

    def track(self, sock: socket.socket) -> bool:
        """Register an open socket, unless stopping (then it is closed): whether it was."""
        with self.lock:
            if self.stopping.is_set():
                sock.close()
                return False
            self.sockets.add(sock)
            return True

    def open_upstream(self) -> socket.socket:
        sock = socket.create_connection(self.upstream, timeout=10.0)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if not self.track(sock):
            raise OSError("the fault proxy is stopping")
        return sock

    def close(self, sock: socket.socket, *, how: str = "close") -> None:
        if how == "graceful":
            half_close_and_drain(sock)
        elif how == "reset":
            arm_reset(sock)
        with self.lock:  # under the lock: stop() never shuts down a descriptor reused meanwhile
            self.sockets.discard(sock)
            sock.close()

    def break_all(self) -> None:
        """Shut down every tracked socket, waking the threads blocked on them."""
        with self.lock:
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class FaultProxy:
    """An HTTP proxy in front of ``upstream`` (``http://HOST:PORT``, a loopback address),
    listening on ``host:port`` (loopback; ``port=0`` picks a free one).

    ``seed`` seeds the per-rule RNGs of rules with a ``probability`` below 1.
    ``expect_timeout`` is how long a request with ``Expect: 100-continue`` waits for the
    upstream's answer before the proxy tells the client to send its body anyway.
    Thread-safe: rules may be added and the log read while requests are in flight.
    """

    def __init__(
        self,
        upstream: str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 0,
        expect_timeout: float = 1.0,
    ) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname or parts.path not in ("", "/"):
            raise ValueError(f"upstream must be http://HOST:PORT, not {upstream!r}")
        if parts.query or parts.fragment or parts.username:
            raise ValueError(f"upstream must be http://HOST:PORT, not {upstream!r}")
        if not _loopback(parts.hostname) or not _loopback(host):
            raise ValueError("the fault proxy listens on and forwards to loopback addresses only")
        self._core = _Core((parts.hostname, parts.port or 80), seed, expect_timeout)
        self._host = host
        self._port = port
        self._threads: set[threading.Thread] = set()
        self._listener: socket.socket | None = None
        self._waker: tuple[socket.socket, socket.socket] | None = None
        self._acceptor: threading.Thread | None = None
        self._address: tuple[str, int] | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        """Listen and serve in background threads. Returns ``self``. Starts once."""
        with self._core.lock:
            if self._listener is not None or self._core.stopping.is_set():
                raise RuntimeError("a FaultProxy starts once")
            family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
            listener = socket.socket(family, socket.SOCK_STREAM)
            try:
                listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                listener.bind((self._host, self._port))
                listener.listen(128)
                listener.setblocking(False)
            except OSError:
                listener.close()
                raise
            self._listener = listener
            self._address = listener.getsockname()[:2]
            self._waker = socket.socketpair()
            self._acceptor = threading.Thread(
                target=self._accept_loop, name=f"FaultProxy-{self._address[1]}-accept", daemon=True
            )
            self._acceptor.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop accepting, break every open connection (client and upstream), cut delays
        short, join every thread and close every socket. Idempotent. Raises
        ``RuntimeError`` if a thread is still running after ``timeout`` seconds."""
        core = self._core
        with core.lock:
            if core.stopping.is_set():
                return
            core.stopping.set()
            if self._waker is not None:
                self._waker[1].send(b"x")
        if self._acceptor is not None:
            self._acceptor.join(timeout)
        core.break_all()
        with core.lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)
        with core.lock:
            if self._listener is not None:
                self._listener.close()
            if self._waker is not None:
                for end in self._waker:
                    end.close()
            alive = [t.name for t in (*self._threads, self._acceptor) if t is not None and t.is_alive()]
        if alive:
            raise RuntimeError(f"fault proxy threads still running after stop(): {alive}")

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://HOST:PORT`` of the running proxy: the ``endpoint_url`` to give clients."""
        if self._address is None:
            raise RuntimeError("the proxy is not started")
        host, port = self._address
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    @property
    def upstream(self) -> str:
        """``http://HOST:PORT`` of the peer requests are forwarded to."""
        host, port = self._core.upstream
        return f"http://{host}:{port}"

    # -- rules and log ---------------------------------------------------------------------------

    def add(self, rule: Rule) -> RuleHandle:
        """Add a rule after the existing ones; the handle counts what it saw and fired on."""
        core = self._core
        with core.lock:
            rng = random.Random(f"{core.seed}:{next(core.serial)}")
            handle = RuleHandle(rule, rng, core.lock)
            core.rules.append(handle)
            return handle

    def remove(self, handle: RuleHandle) -> None:
        """Remove one rule (no error if it is not there)."""
        with self._core.lock:
            if handle in self._core.rules:
                self._core.rules.remove(handle)

    def clear(self, *, rules: bool = True, log: bool = True) -> None:
        """Remove every rule and forget the log (either one alone with the flags)."""
        with self._core.lock:
            if rules:
                self._core.rules.clear()
            if log:
                self._core.records.clear()

    @property
    def rules(self) -> list[RuleHandle]:
        """The rules, in the order they are tried."""
        with self._core.lock:
            return list(self._core.rules)

    @property
    def log(self) -> list[LogEntry]:
        """Every request received since the last :meth:`clear`, in order of arrival."""
        with self._core.lock:
            return [record.snapshot() for record in self._core.records]

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until the proxy has finished with every logged request (a client may have
        its whole answer a moment before that); whether it did within ``timeout`` seconds."""
        core = self._core
        with core.changed:
            return core.changed.wait_for(lambda: all(r.done for r in core.records), timeout)

    # -- threads ---------------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        assert self._listener is not None and self._waker is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            selector.register(self._waker[0], selectors.EVENT_READ)
            while not self._core.stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self._listener and not self._core.stopping.is_set():
                        self._accept()

    def _accept(self) -> None:
        assert self._listener is not None
        try:
            sock, _ = self._listener.accept()
        except OSError:  # nothing to accept after all (BlockingIOError), or a reset
            return
        sock.setblocking(True)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if not self._core.track(sock):
            return
        thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
        thread.name = f"FaultProxy-{self._address[1] if self._address else 0}-conn"
        with self._core.lock:
            self._threads.add(thread)
        thread.start()

    def _serve(self, sock: socket.socket) -> None:
        try:
            Connection(self._core, sock).run()
        finally:
            with self._core.lock:
                self._threads.discard(threading.current_thread())

    def __repr__(self) -> str:
        where = self.url if self._address is not None else "not started"
        return f"FaultProxy({self.upstream!r} at {where})"
