"""``Cloud.from_driver`` checks a driver without making its services: an adapter may make a
service (and import its SDK) only when it is first used."""

from __future__ import annotations

import functools
from typing import Any

import pytest

import cloudneutral
from cloudneutral import Capability, ConfigurationError


class LazyServers:
    """The local provider, its server driver made on first use."""

    made = 0

    def __init__(self) -> None:
        self._inner = cloudneutral.connect("local://").driver
        self.name = "local"
        self.capabilities = self._inner.capabilities
        self.blobs = self._inner.blobs
        self.volumes = self._inner.volumes

    @functools.cached_property
    def servers(self) -> Any:
        type(self).made += 1
        return self._inner.servers

    def natives(self) -> Any:
        return self._inner.natives()

    def translate_error(self, exc: Exception) -> Any:
        return self._inner.translate_error(exc)

    def close(self) -> None:
        self._inner.close()


def test_a_service_is_made_when_first_used() -> None:
    LazyServers.made = 0
    with cloudneutral.Cloud.from_driver(LazyServers()) as cloud:
        cloud.blobs.create_bucket("bkt")
        assert LazyServers.made == 0
        assert cloud.servers.sizes()
        assert cloud.servers is cloud.servers and LazyServers.made == 1


def test_a_declared_service_missing_is_refused_at_once() -> None:
    driver = LazyServers()
    driver.volumes = None
    assert Capability.VOLUMES in driver.capabilities
    with pytest.raises(ConfigurationError, match="declares volumes but has no volumes driver"):
        cloudneutral.Cloud.from_driver(driver)


def test_a_delegating_wrapper_is_a_driver() -> None:
    class Wrapper:
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        def __getattr__(self, name: str) -> Any:
            return getattr(self._inner, name)

    with cloudneutral.Cloud.from_driver(Wrapper(cloudneutral.connect("local://").driver)) as cloud:
        cloud.blobs.create_bucket("bkt")
        assert cloud.blobs.bucket_exists("bkt")


def test_what_is_not_a_driver_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="not a cloudneutral ProviderDriver"):
        cloudneutral.Cloud.from_driver(object())  # type: ignore[arg-type]
