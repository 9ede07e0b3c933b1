"""Opening the adapter: entry point, URL options, client configuration, retries."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.client import BaseClient

import cloudneutral
from cloudneutral import errors
from cloudneutral.registry import available_providers


def test_registered_under_the_aws_entry_point(url: str) -> None:
    assert "aws" in available_providers()
    with cloudneutral.connect(url) as cloud:
        assert cloud.provider == "aws"
        assert cloudneutral.Capability.BLOB_MULTIPART in cloud.capabilities


def test_botocore_retries_are_off_and_addressing_is_path_style(cloud: cloudneutral.Cloud) -> None:
    s3: Any = cloud.blobs.as_native(BaseClient)
    ec2: Any = cloud.servers.as_native(BaseClient)
    assert s3.meta.service_model.service_name == "s3"
    assert ec2.meta.service_model.service_name == "ec2"
    assert s3.meta.config.retries["total_max_attempts"] == 1
    assert s3.meta.config.s3["addressing_style"] == "path"
    assert ec2.meta.config.retries["total_max_attempts"] == 1


def test_the_escape_hatch_offers_the_session_and_refuses_other_types(cloud: cloudneutral.Cloud) -> None:
    assert isinstance(cloud.as_native(boto3.Session), boto3.Session)
    assert cloud.volumes.as_native(BaseClient) is cloud.servers.as_native(BaseClient)
    with pytest.raises(errors.Unsupported, match="offers Session"):
        cloud.as_native(BaseClient)


def test_unknown_options_are_refused_before_any_request() -> None:
    with pytest.raises(errors.ConfigurationError, match=r"unknown aws option.*endpont_url"):
        cloudneutral.connect("aws://?region=eu-west-1&endpont_url=http://127.0.0.1:1")


def test_a_dead_endpoint_is_transient_and_retried_by_the_portable_layer() -> None:
    clock = cloudneutral.FakeClock()
    url = "aws://?region=eu-west-1&endpoint_url=http://127.0.0.1:9"  # discard port: refused
    cloud = cloudneutral.connect(url, clock=clock, retry=cloudneutral.RetryPolicy(attempts=3))
    with cloud, pytest.raises(errors.TransientError):
        cloud.blobs.get_bucket("some-bucket")
    assert len(clock.slept) == 2  # three attempts, each a single botocore attempt


@pytest.mark.parametrize(
    "option",
    ["min_part_size=0", "min_part_size=big", "endpoint_url=ftp://x", "endpoint_url=http://u:p@127.0.0.1:1"],
)
def test_bad_options_are_configuration_errors(option: str) -> None:
    with pytest.raises(errors.ConfigurationError):
        cloudneutral.connect(f"aws://?region=eu-west-1&{option}")


def test_credentials_in_the_url_are_refused() -> None:
    with pytest.raises(errors.ConfigurationError):
        cloudneutral.connect("aws://?region=eu-west-1&aws_secret_access_key=x")
