"""What the three portable services share: the runtime, capability checks, the escape hatch."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from ._runtime import Runtime
from .errors import Unsupported
from .models import Capability

__all__ = ["Service", "as_native"]

T = TypeVar("T")


def as_native(provider: str, what: str, natives: Sequence[object], kind: type[T]) -> T:
    """The first of ``natives`` that is a ``kind``. Raises ``Unsupported`` naming what there is."""
    if not isinstance(kind, type):
        raise TypeError(f"as_native takes a class, not {kind!r}")
    for native in natives:
        if isinstance(native, kind):
            return native
    offered = ", ".join(sorted({type(n).__name__ for n in natives})) or "nothing"
    raise Unsupported(f"{what} offers {offered} as native objects, not {kind.__name__}", provider=provider)


class Service:
    """Base of ``cloud.blobs``, ``cloud.servers`` and ``cloud.volumes``."""

    #: What the service is called in messages ("blobs", "servers", "volumes").
    kind = ""

    def __init__(
        self,
        runtime: Runtime,
        capabilities: frozenset[Capability],
        natives: Callable[[], Sequence[object]],
    ) -> None:
        self._runtime = runtime
        self.capabilities = capabilities
        self._natives = natives

    @property
    def provider(self) -> str:
        return self._runtime.provider

    def require(self, capability: Capability, what: str) -> None:
        """Raise ``Unsupported`` (naming ``what``) unless the provider declares ``capability``:
        the driver is never called for a capability it does not claim."""
        if capability not in self.capabilities:
            raise Unsupported(f"{what} needs capability {capability.value}", provider=self.provider)

    def as_native(self, kind: type[T]) -> T:
        """The SDK object of type ``kind`` behind this service (e.g. the S3 client for blobs).
        Raises ``Unsupported`` naming what is on offer."""
        return as_native(self.provider, f"{self.provider} {self.kind}", self._natives(), kind)
