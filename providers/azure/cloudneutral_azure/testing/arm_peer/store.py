"""The peer's state: resources per subscription, long-running operations advanced per poll.

Everything is in memory and guarded by one lock. An :class:`Operation` answers
``InProgress`` to its first ``polls`` status requests and ``Succeeded`` afterwards; its
effect (a VM reaching ``running``, a deletion, a disk detaching) is applied when it first
answers ``Succeeded``, never by wall time.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

__all__ = ["Operation", "Store", "now"]

JSON = dict[str, Any]


def now() -> str:
    """ARM's timestamp format: ``2021-10-09T06:24:32.6603342+00:00`` (7 fractional digits)."""
    stamp = datetime.now(timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond:06d}0+00:00"


@dataclass
class Operation:
    """One asynchronous operation (``Azure-AsyncOperation`` / ``Location`` target)."""

    id: str
    kind: str  # "compute", "disk", "network", "groups"
    polls: int
    on_done: Callable[[], JSON | None] = lambda: None
    started: str = field(default_factory=now)
    ended: str | None = None
    seen: int = 0
    output: JSON | None = None

    @property
    def done(self) -> bool:
        return self.ended is not None

    def advance(self) -> None:
        """Count one status request; complete (applying the effect once) after ``polls`` of them."""
        self.seen += 1
        if not self.done and self.seen > self.polls:
            self.output = self.on_done()
            self.ended = now()


@dataclass
class Store:
    """Resource groups and resources, keyed by lower-cased names (ARM is case-insensitive)."""

    polls: int = 1
    lock: threading.RLock = field(default_factory=threading.RLock)
    groups: dict[tuple[str, str], JSON] = field(default_factory=dict)
    # (subscription, group, kind, name) -> resource body; kind is e.g. "virtualmachines"
    resources: dict[tuple[str, str, str, str], JSON] = field(default_factory=dict)
    operations: dict[str, Operation] = field(default_factory=dict)

    def operation(self, kind: str, on_done: Callable[[], JSON | None] = lambda: None) -> Operation:
        op = Operation(str(uuid.uuid4()), kind, self.polls, on_done)
        self.operations[op.id] = op
        return op

    def tick(self) -> None:
        """One observation: advance every unfinished operation by one step."""
        for op in list(self.operations.values()):
            if not op.done:
                op.advance()

    def key(self, sub: str, group: str, kind: str, name: str) -> tuple[str, str, str, str]:
        return (sub.lower(), group.lower(), kind.lower(), name.lower())

    def in_group(self, sub: str, group: str, kind: str) -> list[JSON]:
        return [
            r
            for (s, g, k, _), r in sorted(self.resources.items())
            if (s, g, k) == (sub.lower(), group.lower(), kind)
        ]

    def in_subscription(self, sub: str, kind: str) -> list[JSON]:
        return [r for (s, _, k, _), r in sorted(self.resources.items()) if (s, k) == (sub.lower(), kind)]
