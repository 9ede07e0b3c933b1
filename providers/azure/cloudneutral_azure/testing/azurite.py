"""Start and stop an Azurite blob emulator on a free loopback port, for harnesses and benches.

    with Azurite() as azurite:
        client = BlobServiceClient.from_connection_string(azurite.connection_string)

The ``azurite-blob`` executable is looked up in ``$AZURITE_BLOB``, then in the project-local
prefix that ``scripts/peers/azurite.sh`` installs into (``.peers/azurite/``), then on
``PATH``; with ``install=True`` a missing one is installed there with npm (about 30 s; needs
Node 20+). Each instance keeps its data in a temporary directory removed at :meth:`stop`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

__all__ = [
    "ACCOUNT_KEY",
    "ACCOUNT_NAME",
    "Azurite",
    "AzuriteNotFound",
    "connection_string",
    "find_azurite",
    "local_prefix",
]

#: Azurite's well-known development account and its published key (not a secret).
ACCOUNT_NAME = "devstoreaccount1"
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


class AzuriteNotFound(RuntimeError):
    """No ``azurite-blob`` executable, and installing one was not asked for (or failed)."""


def local_prefix() -> Path:
    """``.peers/azurite`` of this checkout: where the peer script installs Azurite."""
    return Path(__file__).resolve().parents[4] / ".peers" / "azurite"


def connection_string(blob_endpoint: str) -> str:
    """The development account's connection string for ``blob_endpoint``."""
    return (
        f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT_NAME};AccountKey={ACCOUNT_KEY};"
        f"BlobEndpoint={blob_endpoint};"
    )


def find_azurite(*, install: bool = False) -> Path:
    """The ``azurite-blob`` executable (installing it into :func:`local_prefix` if asked)."""
    candidates = [
        os.environ.get("AZURITE_BLOB"),
        str(local_prefix() / "node_modules" / ".bin" / "azurite-blob"),
    ]
    candidates.append(shutil.which("azurite-blob"))
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return Path(candidate)
    if not install:
        raise AzuriteNotFound(
            "azurite-blob not found; run `scripts/peers/azurite.sh start` once or set AZURITE_BLOB"
        )
    npm = shutil.which("npm")
    if npm is None:
        raise AzuriteNotFound("npm not found: Azurite needs Node 20+ and npm")
    prefix = local_prefix()
    prefix.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--loglevel=error", "azurite@3"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return find_azurite(install=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Azurite:
    """One Azurite blob service on ``127.0.0.1``; :attr:`blob_endpoint` once started."""

    def __init__(self, *, install: bool = False, timeout: float = 30.0) -> None:
        self._install = install
        self._timeout = timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._data: tempfile.TemporaryDirectory[str] | None = None
        self.port = 0
        self.start_seconds = 0.0  # measured wall time of the last start()

    @property
    def blob_endpoint(self) -> str:
        """``http://127.0.0.1:PORT/devstoreaccount1``."""
        if not self.port:
            raise RuntimeError("Azurite is not started")
        return f"http://127.0.0.1:{self.port}/{ACCOUNT_NAME}"

    @property
    def connection_string(self) -> str:
        """The development account's connection string for this instance."""
        return connection_string(self.blob_endpoint)

    def start(self) -> str:
        """Start Azurite, wait until it answers; returns :attr:`blob_endpoint`."""
        if self._process is not None:
            return self.blob_endpoint
        started = time.monotonic()
        executable = find_azurite(install=self._install)
        self._data = tempfile.TemporaryDirectory(prefix="cn-azurite-")
        self.port = _free_port()
        command = [str(executable), "--blobHost", "127.0.0.1", "--blobPort", str(self.port)]
        command += ["--location", self._data.name, "--skipApiVersionCheck", "--disableTelemetry", "--silent"]
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = started + self._timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self.stop()
                raise RuntimeError("azurite-blob exited at start")
            if self._answers():
                self.start_seconds = time.monotonic() - started
                return self.blob_endpoint
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"Azurite did not answer within {self._timeout} s")

    def _answers(self) -> bool:
        try:
            urllib.request.urlopen(f"{self.blob_endpoint}?comp=list", timeout=1).close()
        except urllib.error.HTTPError:
            return True  # any HTTP status: it is up (anonymous requests get 4xx)
        except OSError:
            return False
        return True

    def stop(self) -> None:
        """Stop the process (terminate, then kill) and delete its data; idempotent."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        if self._data is not None:
            self._data.cleanup()
            self._data = None

    def __enter__(self) -> Azurite:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
