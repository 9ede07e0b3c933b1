"""The conformance harness of the AWS adapter (entry point ``aws`` in ``cloudneutral.conformance``).

``record`` and ``live`` start a moto server on loopback (:class:`~.testing.MotoServer`:
parts of 64 KiB and a small AMI catalogue, so cassettes stay small) unless
``CN_AWS_ENDPOINT`` names a running one (e.g. from ``scripts/peers/moto.sh``, started with
the same settings). ``replay`` contacts nothing. Only fake credentials are used, and every
request is recorded against one canonical endpoint, whatever port moto really had, so
replay matches regardless. Importing this module imports neither moto nor vcrpy.

Hooks of the suite: faults are S3's and EC2's real error answers handed to botocore
(:mod:`.fault_answers`), so the suite tests :mod:`.errors`; unfinished uploads are listed
with ``ListMultipartUploads``; the snapshots of other accounts are the ones moto's AMI
catalogue brings (owned by the AMI publishers). Committed cassettes live in the
repository's ``cassettes/``, found from this package, so the suite replays from any
working directory.
"""

from __future__ import annotations

import contextlib
import copy
import os
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cloudneutral.conformance.harness import Harness, Mode
from cloudneutral.redaction import redact

from .testing import FAKE_ENV, PART, MotoServer, aws_url

if TYPE_CHECKING:
    from cloudneutral import Cloud
    from cloudneutral.conformance.injection import Fault, Injection

__all__ = ["CANONICAL_ENDPOINT", "CASSETTES", "AwsHarness", "harness"]

#: The endpoint every cassette names (requests are rewritten to it when recorded).
CANONICAL_ENDPOINT = "http://127.0.0.1:5999"
#: The repository's cassettes (``providers/aws/cloudneutral_aws`` -> the repository root).
CASSETTES = Path(__file__).resolve().parents[3] / "cassettes"
#: A short size catalogue: DescribeInstanceTypes answers are ~3 KB per type.
SIZES = "t2.micro,t3.nano,t3.micro,t3.small,t3.large"


class AwsHarness(Harness):
    """moto behind the AWS adapter. States on moto advance per request, never by wall time."""

    name = "aws"
    fake_clock_live = True
    part_size = PART
    large_blob_size = 2 * PART + 7
    wait_timeout = 120.0
    name_prefix = "cn"
    cassettes = str(CASSETTES)
    ignored_body_fields = frozenset({"ClientToken"})  # botocore's idempotency token: random
    scrubbed_headers = frozenset(
        {
            "Authorization",
            "X-Amz-Date",
            "X-Amz-Security-Token",
            "X-Amz-Content-SHA256",
            "amz-sdk-invocation-id",
            "amz-sdk-request",
            "User-Agent",
        }
    )
    scrubbed_query_params = frozenset(
        {"X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "X-Amz-Date", "Signature"}
    )

    def __init__(
        self,
        access_key_id: str = FAKE_ENV["AWS_ACCESS_KEY_ID"],
        secret_access_key: str = FAKE_ENV["AWS_SECRET_ACCESS_KEY"],
        endpoint: str | None = None,
    ) -> None:
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.endpoint = endpoint or os.environ.get("CN_AWS_ENDPOINT") or None
        self._server: MotoServer | None = None
        self._actual: str | None = None

    # -- session -----------------------------------------------------------------------------
    def environment(self, mode: Mode) -> Mapping[str, str]:
        """Fake credentials only; no shared config files, no instance metadata lookups."""
        return {
            **FAKE_ENV,
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
        }

    def start(self, mode: Mode) -> str:
        if mode == "replay":
            self._actual = CANONICAL_ENDPOINT
        elif self.endpoint:
            self._actual = self.endpoint
        else:
            self._server = MotoServer()
            self._actual = self._server.start()
        return aws_url(self._actual, sizes=SIZES)

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    # -- hooks of the suite ----------------------------------------------------------------
    def native_types(self) -> Mapping[str, Sequence[type]]:
        import boto3
        from botocore.client import BaseClient

        return {"": [boto3.Session], "blobs": [BaseClient], "servers": [BaseClient], "volumes": [BaseClient]}

    def inject(self, cloud: Cloud, fault: Fault, times: int) -> AbstractContextManager[Injection]:
        """S3's or EC2's real answer to ``fault``, handed to botocore (see :mod:`.fault_answers`)."""
        from .fault_answers import answering

        return answering(cloud, fault, times)

    def unfinished_uploads(self, cloud: Cloud, bucket: str) -> list[str] | None:
        from botocore.client import BaseClient

        s3 = cloud.blobs.as_native(BaseClient)
        found: list[str] = []
        for page in s3.get_paginator("list_multipart_uploads").paginate(Bucket=bucket):
            found += [u["UploadId"] for u in page.get("Uploads", [])]
        return found

    def foreign_snapshots(self, cloud: Cloud) -> list[str]:
        """The snapshots of moto's AMI catalogue: owned by the AMI publishers, not us."""
        import boto3
        from botocore.client import BaseClient

        ec2 = cloud.volumes.as_native(BaseClient)
        session = cloud.as_native(boto3.Session)
        sts = session.client("sts", region_name=ec2.meta.region_name, endpoint_url=ec2.meta.endpoint_url)
        with contextlib.closing(sts):
            account = sts.get_caller_identity()["Account"]
        return [
            s["SnapshotId"]
            for page in ec2.get_paginator("describe_snapshots").paginate()
            for s in page.get("Snapshots", [])
            if s.get("OwnerId") != account
        ]

    # -- cassettes --------------------------------------------------------------------------
    def secrets(self) -> Iterable[str]:
        return (self.access_key_id, self.secret_access_key)

    def _scrub(self, text: str) -> str:
        return redact(text, self.secrets())

    def before_record_request(self, request: Any) -> Any:
        """Point the request at :data:`CANONICAL_ENDPOINT`; redact the credentials anywhere."""
        request = copy.copy(request)  # a scrubbed copy already; the URI is replaced, not changed
        if self._actual and self._actual != CANONICAL_ENDPOINT and request.uri.startswith(self._actual):
            request.uri = CANONICAL_ENDPOINT + request.uri[len(self._actual) :]
        request.uri = self._scrub(request.uri)
        if isinstance(request.body, bytes) and any(s.encode() in request.body for s in self.secrets()):
            for secret in self.secrets():
                request.body = request.body.replace(secret.encode(), b"REDACTED")
        return request

    def before_record_response(self, response: dict[str, Any]) -> dict[str, Any] | None:
        """Redact the credentials from headers and body (moto never echoes them; S3 may)."""
        headers = response.get("headers") or {}
        for name, values in list(headers.items()):
            headers[name] = [self._scrub(v) if isinstance(v, str) else v for v in values]
        body = response.get("body") or {}
        data = body.get("string")
        if isinstance(data, bytes) and any(s.encode() in data for s in self.secrets()):
            for secret in self.secrets():
                data = data.replace(secret.encode(), b"REDACTED")
            body["string"] = data
        return response


def harness() -> Harness:
    """Entry-point factory: ``aws = "cloudneutral_aws.conformance:harness"``."""
    return AwsHarness()
