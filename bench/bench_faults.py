"""Memory and throughput of the fault proxy (``cloudneutral.conformance.faults``).

Starts, each in a subprocess of its own on loopback, a streaming stdlib upstream (a sink
that hashes what it receives, a source that generates bytes) and a ``FaultProxy`` in front
of it, then pushes large bodies through the proxy from this process and reads the proxy
process's memory from ``/proc/PID/status``: ``VmHWM`` (peak resident set) before and after
each transfer, so "extra RSS" is what the transfer added to the proxy's peak. Transfers:

* a Content-Length upload, a chunked upload and a download of ``--size`` MiB (100),
* a 256 MiB Content-Length upload,
* with ``--moto``: boto3 ``put_object`` of ``--size`` MiB from a file (SigV4, ``Expect:
  100-continue``) through the proxy to a moto server, and ``get_object`` back,

each also sent directly to the upstream for a throughput baseline. Every upload is checked
by the SHA-256 the sink computed. Run: ``python bench/bench_faults.py [--size MIB] [--moto]``.
Nothing here asserts; the figures are printed.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MIB = 1024 * 1024
BLOCK = bytes(range(256)) * 256  # 64 KiB


# -- the upstream (child process) ------------------------------------------------------------


class StreamingHandler(BaseHTTPRequestHandler):
    """``PUT /sink`` hashes the body as it streams in; ``GET /source/N`` streams N bytes."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _pieces(self) -> Iterator[bytes]:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            while size := int(self.rfile.readline().split(b";")[0], 16):
                while size:
                    data = self.rfile.read(min(size, 1 << 16))
                    size -= len(data)
                    yield data
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b""):
                pass
            return
        remaining = int(self.headers.get("Content-Length") or 0)
        while remaining:
            data = self.rfile.read(min(remaining, 1 << 16))
            if not data:
                return
            remaining -= len(data)
            yield data

    def do_PUT(self) -> None:
        digest, total = hashlib.sha256(), 0
        for data in self._pieces():
            digest.update(data)
            total += len(data)
        self.send_response(200)
        self.send_header("X-Sha256", digest.hexdigest())
        self.send_header("X-Length", str(total))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        size = int(self.path.rsplit("/", 1)[1])
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        for offset in range(0, size, len(BLOCK)):
            self.wfile.write(BLOCK[: min(len(BLOCK), size - offset)])


def serve_upstream() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StreamingHandler)
    server.daemon_threads = True
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


def serve_proxy(upstream: str) -> None:
    from cloudneutral.conformance.faults import FaultProxy

    with FaultProxy(upstream) as proxy:
        print(proxy.url, flush=True)
        sys.stdin.read()  # until the parent closes our stdin


# -- the parent ------------------------------------------------------------------------------


@contextmanager
def child(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """This script again as a subprocess; yields it and the URL it prints first."""
    proc = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        yield proc, proc.stdout.readline().strip()
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.terminate()
        proc.wait(10)


def memory_kib(pid: int) -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` (peak) of a process, in KiB."""
    found = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                found[name] = int(value.split()[0])
    return found


def connection(url: str) -> http.client.HTTPConnection:
    host, port = url.removeprefix("http://").split(":")
    return http.client.HTTPConnection(host, int(port), timeout=120)


def upload(url: str, size: int, *, chunked: bool = False) -> None:
    conn = connection(url)
    conn.putrequest("PUT", "/sink")
    conn.putheader("Transfer-Encoding" if chunked else "Content-Length", "chunked" if chunked else str(size))
    conn.endheaders()
    digest, sent = hashlib.sha256(), 0
    while sent < size:
        block = BLOCK[: min(len(BLOCK), size - sent)]
        conn.send(b"%x\r\n%s\r\n" % (len(block), block) if chunked else block)
        digest.update(block)
        sent += len(block)
    if chunked:
        conn.send(b"0\r\n\r\n")
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.getheader("X-Sha256") != digest.hexdigest():
        raise SystemExit(f"upload through {url} arrived corrupted")


def download(url: str, size: int) -> None:
    conn = connection(url)
    conn.request("GET", f"/source/{size}")
    response = conn.getresponse()
    received = 0
    while data := response.read(1 << 16):
        received += len(data)
    conn.close()
    if received != size:
        raise SystemExit(f"download through {url}: {received} of {size} bytes")


def measure(
    label: str, pid: int, size: int, through: Callable[[], None], direct: Callable[[], None] | None
) -> None:
    before = memory_kib(pid)["VmHWM"]
    started = time.perf_counter()
    through()
    elapsed = time.perf_counter() - started
    after = memory_kib(pid)
    line = (
        f"{label:<34} {size / MIB:6.0f} MiB  proxy {size / MIB / elapsed:7.1f} MiB/s  "
        f"peak RSS +{(after['VmHWM'] - before) / 1024:5.1f} MiB (peak {after['VmHWM'] / 1024:.1f} MiB)"
    )
    if direct is not None:
        started = time.perf_counter()
        direct()
        line += f"  direct {size / MIB / (time.perf_counter() - started):7.1f} MiB/s"
    print(line, flush=True)


@contextmanager
def moto_server() -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(10)


def bench_moto(size: int) -> None:
    import boto3
    from botocore.config import Config

    config = Config(
        retries={"total_max_attempts": 1, "mode": "standard"},
        s3={"addressing_style": "path"},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    with (
        moto_server() as endpoint,
        child("--serve-proxy", endpoint) as (proc, url),
        tempfile.TemporaryFile() as f,
    ):
        for _ in range(size // len(BLOCK)):
            f.write(BLOCK)
        f.write(BLOCK[: size % len(BLOCK)])

        def client(where: str) -> object:
            return boto3.client(
                "s3",
                endpoint_url=where,
                region_name="us-east-1",
                aws_access_key_id="AKIABENCHFAKE0000001",
                aws_secret_access_key="bench-fake-secret",
                config=config,
            )

        s3: object = client(url)
        s3.create_bucket(Bucket="bench-faults")  # type: ignore[attr-defined]

        def put(s3: object) -> Callable[[], None]:
            def run() -> None:
                f.seek(0)
                s3.put_object(Bucket="bench-faults", Key="big", Body=f)  # type: ignore[attr-defined]

            return run

        def get(s3: object) -> Callable[[], None]:
            def run() -> None:
                body = s3.get_object(Bucket="bench-faults", Key="big")["Body"]  # type: ignore[attr-defined]
                received = sum(len(piece) for piece in iter(lambda: body.read(1 << 16), b""))
                if received != size:
                    raise SystemExit(f"get_object: {received} of {size} bytes")

            return run

        direct = client(endpoint)
        measure("boto3 put_object (Expect, SigV4)", proc.pid, size, put(s3), put(direct))
        measure("boto3 get_object", proc.pid, size, get(s3), get(direct))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=100, help="MiB per transfer (default 100)")
    parser.add_argument("--moto", action="store_true", help="also boto3 through the proxy to moto")
    parser.add_argument("--serve-upstream", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-proxy", metavar="UPSTREAM", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_upstream:
        return serve_upstream()
    if args.serve_proxy:
        return serve_proxy(args.serve_proxy)

    size = args.size * MIB
    with child("--serve-upstream") as (_, upstream), child("--serve-proxy", upstream) as (proc, url):
        download(url, 1)  # warm up: imports and the first connection
        idle = memory_kib(proc.pid)
        rss, peak = idle["VmRSS"] / 1024, idle["VmHWM"] / 1024
        print(f"proxy process after start: RSS {rss:.1f} MiB, peak {peak:.1f} MiB")

        def run(func: Callable[..., None], where: str, n: int, **kw: bool) -> Callable[[], None]:
            return lambda: func(where, n, **kw)

        measure("upload, Content-Length", proc.pid, size, run(upload, url, size), run(upload, upstream, size))
        measure(
            "upload, chunked",
            proc.pid,
            size,
            run(upload, url, size, chunked=True),
            run(upload, upstream, size, chunked=True),
        )
        measure(
            "download, Content-Length",
            proc.pid,
            size,
            run(download, url, size),
            run(download, upstream, size),
        )
        big = 256 * MIB
        measure("upload, Content-Length", proc.pid, big, run(upload, url, big), None)
    if args.moto:
        bench_moto(size)


if __name__ == "__main__":
    main()
