"""A test-only harness: the AWS adapter against a moto server (the one way of
:mod:`cloudneutral_aws.testing`), with its own fake credentials and a session token.

Exercises record/replay end to end. The port comes from ``CN_TEST_MOTO_PORT`` so a replay
asks for the endpoint that was recorded; replay never starts the server.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from cloudneutral_aws.testing import PART, MotoServer, aws_url

from cloudneutral.conformance.harness import Harness, Mode

ACCESS_KEY = "AKIACNTESTKEY0000000"
SECRET_KEY = "cnSecretValueThatMustNotLeak"
SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN"


class MotoHarness(Harness):
    name = "aws-moto"
    part_size = PART
    large_blob_size = 2 * PART + 7
    wait_timeout = 60.0
    fake_clock_live = True  # moto moves states on observation, not with time
    ignored_body_fields = frozenset({"ClientToken"})  # botocore's idempotency token: random

    def __init__(self) -> None:
        self.server = MotoServer(int(os.environ["CN_TEST_MOTO_PORT"]))

    def environment(self, mode: Mode) -> Mapping[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_SESSION_TOKEN": SESSION_TOKEN,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_CONFIG_FILE": os.devnull,
        }

    def secrets(self) -> Iterable[str]:
        return (SECRET_KEY, SESSION_TOKEN)

    def start(self, mode: Mode) -> str:
        if mode != "replay":
            self.server.start()
        return aws_url(self.server.endpoint, region="us-east-1", sizes="t3.micro,t3.small,t3.medium")

    def stop(self) -> None:
        self.server.stop()


def harness() -> Harness:
    return MotoHarness()
