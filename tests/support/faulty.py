"""A driver wrapper for tests: counts calls and injects faults, through the public API only.

``Faulty(inner)`` is a :class:`~cloudneutral.driver.ProviderDriver` over any driver; give it
to :meth:`cloudneutral.Cloud.from_driver`. ``faults["blobs.put_blob"]`` (or
``"upload.put_part"``, ``"stream.next"`` ...) is a queue of outcomes for the next calls of
that method: an exception to raise, or a callable that receives the real result and returns
what the caller sees (``None`` in the queue: call through unchanged).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from cloudneutral.errors import CloudError


class _Spy:
    """Wraps one object: every method call goes through ``Faulty.dispatch``."""

    def __init__(self, owner: Faulty, prefix: str, inner: Any) -> None:
        self._owner = owner
        self._prefix = prefix
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._inner, name)
        if not callable(target):
            return target

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            return self._owner.dispatch(f"{self._prefix}.{name}", target, args, kwargs)

        return wrapped

    def __iter__(self) -> Any:
        return self

    def __next__(self) -> Any:
        return self._owner.dispatch(f"{self._prefix}.next", self._inner.__next__, (), {})


class Faulty:
    """A ProviderDriver over ``inner`` that records ``calls`` and applies ``faults``."""

    def __init__(self, inner: Any, translate: Callable[[Exception], CloudError] | None = None) -> None:
        self.inner = inner
        self.calls: list[str] = []
        self.faults: dict[str, list[Any]] = {}
        self.name = inner.name
        self.capabilities = inner.capabilities
        self.blobs = _Spy(self, "blobs", inner.blobs) if inner.blobs is not None else None
        self.servers = _Spy(self, "servers", inner.servers) if inner.servers is not None else None
        self.volumes = _Spy(self, "volumes", inner.volumes) if inner.volumes is not None else None
        self._translate = translate

    def dispatch(
        self, name: str, target: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        if not name.endswith(".next"):
            self.calls.append(name)
        queue = self.faults.get(name)
        outcome = queue.pop(0) if queue else None
        if isinstance(outcome, BaseException):
            raise outcome
        result = target(*args, **kwargs)
        if outcome is not None:
            result = outcome(result)
        if name in ("blobs.open_upload", "blobs.resume_upload"):
            result = _Spy(self, "upload", result)
        elif name == "blobs.read_blob":
            info, stream = result
            result = (info, _Spy(self, "stream", stream))
        return result

    def natives(self) -> Sequence[object]:
        return tuple(self.inner.natives())

    def translate_error(self, exc: Exception) -> CloudError:
        if self._translate is not None:
            return self._translate(exc)
        return self.inner.translate_error(exc)  # type: ignore[no-any-return]

    def close(self) -> None:
        self.inner.close()

    def count(self, name: str) -> int:
        return self.calls.count(name)
