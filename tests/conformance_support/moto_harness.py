"""A test-only harness: the AWS adapter against an in-process moto server.

Exercises record/replay end to end. The port comes from ``CN_TEST_MOTO_PORT`` so a replay
asks for the endpoint that was recorded; replay never starts the server.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from cloudneutral.conformance.harness import Harness, Mode

ACCESS_KEY = "AKIACNTESTKEY0000000"
SECRET_KEY = "cnSecretValueThatMustNotLeak"


class MotoHarness(Harness):
    name = "aws-moto"
    part_size = 256 * 1024
    large_blob_size = 300 * 1024
    wait_timeout = 60.0
    fake_clock_live = True  # moto moves states on observation, not with time

    def __init__(self) -> None:
        self.port = int(os.environ["CN_TEST_MOTO_PORT"])
        self.server: object | None = None

    def environment(self, mode: Mode) -> Mapping[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_SESSION_TOKEN": "FwoGZXIvYXdzEXAMPLESESSIONTOKEN",
            "AWS_DEFAULT_REGION": "us-east-1",
            "S3_UPLOAD_PART_MIN_SIZE": str(self.part_size),
        }

    def secrets(self) -> Iterable[str]:
        return (SECRET_KEY, "FwoGZXIvYXdzEXAMPLESESSIONTOKEN")

    def start(self, mode: Mode) -> str:
        if mode != "replay":
            from moto.server import ThreadedMotoServer

            server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
            server.start()
            self.server = server
        return (
            f"aws://?endpoint_url=http://127.0.0.1:{self.port}&region=us-east-1"
            f"&min_part_size={self.part_size}&sizes=t3.micro,t3.small,t3.medium"
        )

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()  # type: ignore[attr-defined]
            self.server = None


def harness() -> Harness:
    return MotoHarness()
