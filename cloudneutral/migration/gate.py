"""The memory gate: at most ``slots`` part buffers in flight, across every object of a run."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import Any

__all__ = ["Gate"]


class Gate:
    """A counting gate whose waiters also wake when a given future completes, so an object
    waiting for its next part in order keeps starting parts as places come free."""

    def __init__(self, slots: int) -> None:
        self._free = slots
        self._changed = threading.Condition()

    def enter(self) -> None:
        """Take a place, waiting for one."""
        with self._changed:
            while self._free == 0:
                self._changed.wait()
            self._free -= 1

    def enter_unless_done(self, future: Future[Any]) -> bool:
        """Take a place, waiting for one; ``False`` (no place taken) as soon as ``future``
        is done first. The future must have :meth:`wake` among its done callbacks."""
        with self._changed:
            while self._free == 0:
                if future.done():
                    return False
                self._changed.wait()
            self._free -= 1
            return True

    def leave(self) -> None:
        """Give a place back."""
        with self._changed:
            self._free += 1
            self._changed.notify_all()

    def wake(self, _: object = None) -> None:
        """Wake the waiters (a done callback of the futures they wait for)."""
        with self._changed:
            self._changed.notify_all()
