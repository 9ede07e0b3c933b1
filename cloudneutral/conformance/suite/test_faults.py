"""Fault classification: throttling and server errors come back transient (and a brief one is
retried away), refused credentials as ``AuthenticationError``, a refusal as
``PermissionDenied``; neither of the last two is retried.

The harness makes the provider answer the fault (:meth:`Harness.inject
<cloudneutral.conformance.harness.Harness.inject>`): at the HTTP level for adapters whose
harness can (then the SDK's parsing and the adapter's ``translate_error`` are what is
tested), else by making the driver raise what the SDK raises.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cloudneutral import Capability, Cloud
from cloudneutral.conformance.env import Env
from cloudneutral.conformance.injection import EXPECTED, Fault
from cloudneutral.conformance.marks import area, requires

from .test_blobs import payload

AREA = area("errors")
FAULTS = pytest.mark.parametrize("fault", list(Fault), ids=[f.value for f in Fault])


def check(cn: Env, fault: Fault, call: Callable[[Cloud], object], expected_result: object) -> None:
    """``call`` under ``fault``: once (a transient fault is retried away; others raise at
    once), then for good (a transient one raises after the retries)."""
    kind = EXPECTED[fault]
    attempts = cn.cloud.runtime.retry.attempts
    try:
        brief = cn.harness.inject(cn.cloud, fault, 1)
    except LookupError as exc:
        pytest.skip(str(exc))
    with brief as injected:
        if kind.transient:
            assert call(injected.cloud) == expected_result, "a brief transient fault is retried away"
        else:
            with pytest.raises(kind) as raised:
                call(injected.cloud)
            assert not raised.value.transient
    assert injected.served == 1, f"the fault was answered {injected.served} times, not once"
    if not kind.transient:
        return
    with cn.harness.inject(cn.cloud, fault, 10 * attempts) as injected, pytest.raises(kind) as raised:
        call(injected.cloud)
    assert raised.value.transient
    assert injected.served >= attempts, f"retried {injected.served} times, not {attempts}"


@AREA
class TestFaultClassification:
    @requires(Capability.BLOBS)
    @FAULTS
    def test_blob_faults(self, cn: Env, fault: Fault) -> None:
        bucket = cn.bucket()
        data = payload(300, seed=70)
        bucket.put("blob", data)
        check(cn, fault, lambda cloud: cloud.blobs.bucket(bucket.name).get("blob"), data)

    @requires(Capability.SERVERS)
    @FAULTS
    def test_server_faults(self, cn: Env, fault: Fault) -> None:
        sizes = [s.name for s in cn.cloud.servers.sizes()]
        check(cn, fault, lambda cloud: [s.name for s in cloud.servers.sizes()], sizes)

    @requires(Capability.VOLUMES)
    @FAULTS
    def test_volume_faults(self, cn: Env, fault: Fault) -> None:
        volume = cn.volume()
        check(cn, fault, lambda cloud: volume.id in {v.id for v in cloud.volumes.list()}, True)
