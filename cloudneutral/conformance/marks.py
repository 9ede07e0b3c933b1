"""Markers of the suite's tests: their area (for the report card) and required capabilities.

Marks go on classes, not on modules, so they travel with the classes an adapter's test
module imports (``from cloudneutral.conformance.suite import *``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pytest

from cloudneutral.models import Capability

__all__ = ["area", "requires"]

C = TypeVar("C", bound=type)


def requires(*capabilities: Capability) -> pytest.MarkDecorator:
    """Skip the test or class ("provider lacks capability X") unless every one is declared."""
    return pytest.mark.cn_requires(*capabilities)


def area(name: str, *capabilities: Capability) -> Callable[[C], C]:
    """Class decorator: tests of area ``name`` needing ``capabilities``."""

    def decorate(cls: C) -> C:
        marked: C = pytest.mark.conformance(name)(cls)
        return requires(*capabilities)(marked) if capabilities else marked

    return decorate
