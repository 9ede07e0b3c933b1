"""The fault answers the conformance harness hands botocore: parsed as S3 and EC2 answers,
they come back through the adapter's error mapping as the classes the suite expects."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cloudneutral_aws.fault_answers import ANSWERS, answering
from cloudneutral_aws.testing import FAKE_ENV

import cloudneutral
from cloudneutral.conformance.injection import EXPECTED, Fault

#: A port nothing listens on: a request that got past the answers would fail differently.
URL = "aws://?region=eu-west-1&endpoint_url=http://127.0.0.1:9&sizes=t3.micro"


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[cloudneutral.Cloud]:
    for name, value in FAKE_ENV.items():
        monkeypatch.setenv(name, value)
    with cloudneutral.connect(URL, clock=cloudneutral.FakeClock()) as cloud:
        yield cloud


@pytest.mark.parametrize("fault", list(Fault), ids=[f.value for f in Fault])
@pytest.mark.parametrize("service", ["blobs", "servers"])
def test_each_answer_maps_to_the_expected_class(
    cloud: cloudneutral.Cloud, service: str, fault: Fault
) -> None:
    attempts = cloud.runtime.retry.attempts
    call = {
        "blobs": lambda c: c.blobs.bucket("cn-bucket").get("key"),
        "servers": lambda c: c.servers.sizes(),
    }[service]
    with answering(cloud, fault, 100) as injected, pytest.raises(EXPECTED[fault]) as raised:
        call(injected.cloud)
    answer = ANSWERS["s3" if service == "blobs" else "ec2"][fault]
    assert answer.code in str(raised.value)
    # transient ones are retried (each attempt answered), the others are not
    assert injected.served == (attempts if EXPECTED[fault].transient else 1)


def test_answers_stop_after_times_and_handlers_go_away(cloud: cloudneutral.Cloud) -> None:
    with answering(cloud, Fault.FORBIDDEN, 1) as injected:
        with pytest.raises(cloudneutral.PermissionDenied):
            cloud.servers.sizes()
        with pytest.raises(cloudneutral.TransientError, match="Could not connect"):
            cloud.servers.sizes()  # the next request reached for the (absent) endpoint
    assert injected.served == 1
    with pytest.raises(cloudneutral.TransientError, match="Could not connect"):
        cloud.blobs.bucket("cn-bucket").head("key")
