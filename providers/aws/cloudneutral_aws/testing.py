"""A moto server on loopback, started the one way the tests, the harness and the benches use.

``MotoServer`` runs ``python -m moto.server`` in a child process with the settings every
recording shares: ``S3_UPLOAD_PART_MIN_SIZE`` lowered (multipart cassettes stay small) and
``MOTO_AMIS_PATH`` pointing at a small AMI catalogue (image and snapshot listings stay
short). ``scripts/peers/moto.sh`` starts the same command with the same settings. Only
fake credentials are used (:data:`FAKE_ENV`). Importing this module imports neither moto
nor vcrpy.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import TracebackType

__all__ = ["AMIS", "FAKE_ENV", "PART", "MotoServer", "aws_url"]

#: The part size moto is told to accept, and the adapter's min_part_size for it.
PART = 64 * 1024
AMIS = Path(__file__).with_name("moto_amis.json")
#: Credentials that sign requests to moto and are worth nothing anywhere else.
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIACNFAKEKEY0000001",
    "AWS_SECRET_ACCESS_KEY": "cn-fake-secret-not-a-real-key-0000000001",
    "AWS_SESSION_TOKEN": "",
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


def aws_url(
    endpoint: str, *, region: str = "eu-west-1", sizes: str = "t2.micro,t3.nano,t3.micro,t3.small"
) -> str:
    """The ``aws://`` URL of a moto endpoint with the settings of :class:`MotoServer`."""
    return f"aws://?region={region}&endpoint_url={endpoint}&min_part_size={PART}&sizes={sizes}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class MotoServer:
    """A moto server on 127.0.0.1 (a free port unless given), stopped by :meth:`stop`."""

    def __init__(self, port: int | None = None, *, python: str = sys.executable) -> None:
        self.port = port or _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._python = python
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> str:
        """Start and wait until it answers; return the endpoint. Raises ``RuntimeError``."""
        env = {**os.environ, "S3_UPLOAD_PART_MIN_SIZE": str(PART), "MOTO_AMIS_PATH": str(AMIS)}
        self._process = subprocess.Popen(
            [self._python, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError("moto server exited at start (is moto[server] installed?)")
            try:
                urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=1).close()
                return self.endpoint
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"moto server did not answer on {self.endpoint} within {timeout:g} s")

    def reset(self) -> None:
        """Forget every bucket, instance and volume."""
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        urllib.request.urlopen(request, timeout=10).close()

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL). Idempotent."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

    def __enter__(self) -> MotoServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
