"""The AWS adapter of cloudneutral: S3 blobs, EC2 servers, EBS volumes over boto3.

Connection URL: ``aws://[BUCKET[/PREFIX]]?region=eu-west-1`` with the options of
:data:`OPENER` (``region``, ``endpoint_url``, ``profile``, ``min_part_size``, ``sizes``);
any other option is refused by the registry. Credentials come only from boto3's standard
chain (environment, shared files, roles). Registered as entry point ``aws`` in group
``cloudneutral.providers``.

Escape hatch: ``cloud.as_native(boto3.Session)``; ``cloud.blobs.as_native(BaseClient)``
is the S3 client, ``cloud.servers`` / ``cloud.volumes`` give the EC2 client
(``botocore.client.BaseClient``).
"""

from __future__ import annotations

from collections.abc import Sequence

from cloudneutral.errors import CloudError, ProviderError
from cloudneutral.models import Capability
from cloudneutral.registry import ConnectionURL, Opener, Option

from . import errors
from ._clients import Clients
from .ebs import EbsVolumeDriver
from .ec2 import Ec2ServerDriver
from .s3 import MIN_PART_SIZE, S3BlobDriver

__all__ = ["OPENER", "AwsDriver"]


class AwsDriver:
    """One connection to AWS (or an endpoint speaking its APIs) in one region."""

    name = "aws"
    capabilities = frozenset(Capability)

    def __init__(self, url: ConnectionURL) -> None:
        self.url = url
        self._clients = Clients(url)
        self.blobs = S3BlobDriver(self._clients, url.int_option("min_part_size") or MIN_PART_SIZE)
        sizes = [p.strip() for p in (url.str_option("sizes") or "").split(",") if p.strip()]
        self.servers = Ec2ServerDriver(self._clients, sizes)
        self.volumes = EbsVolumeDriver(self._clients)

    @property
    def region(self) -> str:
        return self._clients.region

    def natives(self) -> Sequence[object]:
        return (self._clients.session,)

    def translate_error(self, exc: Exception) -> CloudError:
        """See :mod:`cloudneutral_aws.errors`."""
        try:
            return errors.translate(exc)
        except Exception:  # the contract: never raise
            return ProviderError(type(exc).__name__)

    def close(self) -> None:
        self._clients.close()


OPENER = Opener(
    scheme="aws",
    open_driver=AwsDriver,
    options=(
        Option("region", help="the AWS region (else the profile's, else us-east-1)"),
        Option("endpoint_url", "url", help="an S3/EC2-compatible endpoint (path-style addressing)"),
        Option("profile", help="a named profile of the shared config files"),
        Option(
            "min_part_size",
            "int",
            MIN_PART_SIZE,
            "smallest multipart part the endpoint accepts (lower only for an emulator)",
            minimum=1,
        ),
        Option("sizes", help="comma-separated instance-type patterns limiting the size catalogue"),
    ),
    doc="S3 blobs, EC2 servers, EBS volumes and snapshots (boto3)",
)
