"""Markers of the suite's tests: their area (for the report card) and required capabilities.

Marks go on classes, not on modules, so they travel with the classes an adapter's test
module imports (``from cloudneutral.conformance.suite import *``).

A test's *subject* is the capability it is about: the first sub-capability (``blobs.range``,
``volumes.attach`` ...) among its requirements, its class's before its own (a class says
what its tests are about; a test adds what else it needs), else its area's capability. A
skip names both what the provider lacks and the subject, so a report card tells "this
provider has no ranges" from "attachments went untested for lack of servers".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pytest

from cloudneutral.models import Capability

__all__ = ["area", "required", "requires", "skip_reason", "subject"]

C = TypeVar("C", bound=type)


def requires(*capabilities: Capability) -> pytest.MarkDecorator:
    """Skip the test or class unless the provider declares every capability."""
    return pytest.mark.cn_requires(*capabilities)


def area(name: str, *capabilities: Capability) -> Callable[[C], C]:
    """Class decorator: tests of area ``name`` needing ``capabilities``."""

    def decorate(cls: C) -> C:
        marked: C = pytest.mark.conformance(name)(cls)
        return requires(*capabilities)(marked) if capabilities else marked

    return decorate


def required(node: Any) -> list[Capability]:
    """Every capability ``node`` (a pytest item) requires, class markers first, each once."""
    found: list[Capability] = []
    for marker in reversed(list(node.iter_markers("cn_requires"))):
        for capability in marker.args:
            if capability not in found:
                found.append(capability)
    return found


def subject(capabilities: Sequence[Capability]) -> Capability | None:
    """The capability a test needing ``capabilities`` (class markers first) is about."""
    for capability in capabilities:
        if "." in capability.value:
            return capability
    return capabilities[0] if capabilities else None


def skip_reason(missing: Capability, about: Capability | None) -> str:
    """``provider lacks blobs.range (test needs blobs.range)`` when the test is about what
    is missing; ``provider lacks servers (needed by a volumes.attach test)`` otherwise."""
    if about is None or about is missing:
        return f"provider lacks {missing.value} (test needs {missing.value})"
    return f"provider lacks {missing.value} (needed by a {about.value} test)"
