"""The minimum no adapter can skip: a core capability, declarations that hold together,
undeclared capabilities refused by the portable layer, and the escape hatch.

These tests require no capability, so they run for every adapter: one that declares
nothing fails here instead of passing a card of skips.
"""

from __future__ import annotations

import pytest

from cloudneutral import Capability, Unsupported
from cloudneutral.conformance.contract import REFUSALS, problems
from cloudneutral.conformance.env import Env
from cloudneutral.conformance.injection import SpyDriver, rewrap
from cloudneutral.conformance.marks import area

AREA = area("minimum")


class _NotANative:
    """A type no SDK hands out."""


def _services(cn: Env) -> dict[str, object]:
    out: dict[str, object] = {"": cn.cloud}
    for name, capability in (
        ("blobs", Capability.BLOBS),
        ("servers", Capability.SERVERS),
        ("volumes", Capability.VOLUMES),
    ):
        if capability in cn.cloud.capabilities:
            out[name] = getattr(cn.cloud, name)
    return out


@AREA
class TestMinimum:
    def test_declares_a_core_capability_and_what_it_needs(self, cn: Env) -> None:
        found = problems(cn.cloud.driver, cn.cloud.capabilities)
        assert not found, f"{cn.cloud.provider}: " + "; ".join(found)

    @pytest.mark.parametrize("capability", list(Capability), ids=[c.value for c in Capability])
    def test_undeclared_capability_is_refused(self, cn: Env, capability: Capability) -> None:
        spy = SpyDriver(cn.cloud.driver, capabilities=cn.cloud.capabilities - {capability})
        stripped = rewrap(cn.cloud, spy)
        with pytest.raises(Unsupported) as refused:
            REFUSALS[capability](stripped)
        message = str(refused.value)  # names the capability, or the service it needs
        assert capability.value in message or "service" in message, message
        assert spy.calls == [], f"the driver was called for an undeclared {capability.value}: {spy.calls}"

    def test_escape_hatch(self, cn: Env) -> None:
        declared = cn.harness.native_types()
        services = _services(cn)
        for name, service in services.items():
            with pytest.raises(Unsupported):
                service.as_native(_NotANative)  # type: ignore[attr-defined]
            for kind in declared.get(name, ()):
                native = service.as_native(kind)  # type: ignore[attr-defined]
                assert isinstance(native, kind), f"{name or 'cloud'}.as_native({kind.__name__})"
        unknown = set(declared) - set(services)
        assert not unknown, f"the harness declares natives of services the provider lacks: {unknown}"
