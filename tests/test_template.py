"""The adapter template as shipped: a valid driver whose every skeleton refuses portably."""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import cloudneutral
from cloudneutral.driver import ProviderDriver
from cloudneutral.errors import Unsupported
from cloudneutral.registry import ConnectionURL, Opener

TEMPLATE = Path(__file__).resolve().parents[1] / "providers" / "_template"


@pytest.fixture
def template() -> Iterator[ModuleType]:
    sys.path.insert(0, str(TEMPLATE))
    try:
        yield importlib.import_module("cloudneutral_NAME")
    finally:
        sys.path.remove(str(TEMPLATE))
        for name in [m for m in sys.modules if m.startswith("cloudneutral_NAME")]:
            del sys.modules[name]


def test_the_template_opens_a_driver_that_declares_nothing(template: ModuleType) -> None:
    opener = template.OPENER
    assert isinstance(opener, Opener)
    driver = opener.open(ConnectionURL("NAME", options={"region": "r1"}))
    assert isinstance(driver, ProviderDriver)
    assert driver.capabilities == frozenset()
    cloud = cloudneutral.Cloud.from_driver(driver)
    for service in ("blobs", "servers", "volumes"):
        with pytest.raises(Unsupported):
            getattr(cloud, service)
    with pytest.raises(cloudneutral.ConfigurationError, match="unknown NAME option"):
        opener.open(ConnectionURL("NAME", options={"regoin": "r1"}))


def _arguments(method: Any) -> list[Any]:
    return [None] * len([p for p in inspect.signature(method).parameters.values() if p.default is p.empty])


def test_every_skeleton_method_raises_unsupported(template: ModuleType) -> None:
    driver = template.OPENER.open(ConnectionURL("NAME"))
    upload = sys.modules["cloudneutral_NAME.blobs"].NameUpload("u1")
    checked = 0
    for target in (driver.blobs, driver.servers, driver.volumes, upload):
        for name, method in inspect.getmembers(target, inspect.ismethod):
            if name.startswith("_") or name in ("natives", "part_sizes"):
                continue
            with pytest.raises(Unsupported, match="not implemented yet"):
                method(*_arguments(method))
            checked += 1
    assert checked == 38  # every method of the three drivers and of the Upload
