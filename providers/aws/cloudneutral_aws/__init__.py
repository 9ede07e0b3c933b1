"""The AWS adapter of cloudneutral: S3 blobs, EC2 servers, EBS volumes over boto3.

Connection URL: ``aws://[BUCKET[/PREFIX]]?region=eu-west-1`` with the options

``region``         the AWS region (else the profile's, else ``us-east-1``)
``endpoint_url``   an S3/EC2-compatible endpoint, e.g. ``http://127.0.0.1:5000`` (moto);
                   path-style bucket addressing is then used
``profile``        a named profile of ``~/.aws/config``
``min_part_size``  the smallest multipart part the endpoint accepts (default 5 MiB, S3's
                   rule); lower it only for an emulator configured to allow it
``sizes``          comma-separated instance-type patterns (``t3.*,m5.large``) limiting the
                   size catalogue, which is otherwise every instance type

Credentials come only from boto3's standard chain (environment, shared files, roles).
Registered as entry point ``aws`` in group ``cloudneutral.providers``.
"""

from __future__ import annotations

from cloudneutral.driver import BlobDriver, ComputeDriver, VolumeDriver
from cloudneutral.errors import CloudError, ConfigurationError, ProviderError
from cloudneutral.models import Capability
from cloudneutral.registry import ConnectionURL

from . import errors
from ._clients import Clients
from .ebs import EbsVolumes
from .ec2 import Ec2Compute
from .s3 import MIN_PART_SIZE, S3Blobs

__all__ = ["AwsDriver", "open_provider"]


class AwsDriver:
    """One connection to AWS (or an endpoint speaking its APIs) in one region."""

    name: str = "aws"
    capabilities: frozenset[Capability] = frozenset(Capability)

    def __init__(self, url: ConnectionURL) -> None:
        self.url = url
        self._clients = Clients(url)
        self.blobs: BlobDriver | None = S3Blobs(self._clients, _positive(url, "min_part_size", MIN_PART_SIZE))
        sizes = [p.strip() for p in (url.option("sizes") or "").split(",") if p.strip()]
        self.compute: ComputeDriver | None = Ec2Compute(self._clients, sizes)
        self.volumes: VolumeDriver | None = EbsVolumes(self._clients)

    @property
    def region(self) -> str:
        return self._clients.region

    def translate_error(self, exc: Exception) -> CloudError:
        """See :mod:`cloudneutral_aws.errors`."""
        try:
            return errors.translate(exc)
        except Exception:  # the contract: never raise
            return ProviderError(type(exc).__name__)

    def close(self) -> None:
        self._clients.close()


def _positive(url: ConnectionURL, option: str, default: int) -> int:
    raw = url.option(option)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        raise ConfigurationError(f"option {option} must be a positive integer (bytes), not {raw!r}")
    return int(raw)


def open_provider(url: ConnectionURL) -> AwsDriver:
    """The entry point: open ``aws://`` ``url``. Raises ``ConfigurationError`` for bad options."""
    return AwsDriver(url)
