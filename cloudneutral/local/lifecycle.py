"""State machines that advance when observed, never by the wall clock; the catalogue.

A record (:mod:`.records`) carries ``state``, the states still to come in ``next`` and
``seen``, how often the current state has been observed. :func:`begin` starts a
transition; :func:`observe` reports the record as it is and then, once the current state
has been observed ``steps`` times, moves it one state on. So with the default
``steps=1`` every transitional state is seen exactly once: ``create`` answers ``pending``,
the next ``get`` answers ``pending`` too, the one after ``running``. A wait loop on a
:class:`~cloudneutral.FakeClock` converges without sleeping for real; ``steps=0``
completes every transition at once. Reaching :data:`GONE` removes the record.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable
from typing import TypeVar

from ..errors import InvalidArgument, NotFound
from .records import Record

__all__ = [
    "GONE",
    "IMAGES",
    "REGION",
    "SIZES",
    "ZONES",
    "begin",
    "check_zone",
    "new_id",
    "observe",
    "observed_page",
    "require",
]

R = TypeVar("R", bound=Record)

#: The pseudo-state after which a record no longer exists.
GONE = "gone"

REGION = "local"
ZONES = ("local-a", "local-b")

#: name, vCPUs, memory in MiB, disk in GiB, CPU architecture
SIZES = (
    ("local.micro", 1, 512, 5, "x86_64"),
    ("local.small", 1, 1024, 10, "x86_64"),
    ("local.medium", 2, 4096, 20, "x86_64"),
    ("local.large", 4, 16384, 40, "x86_64"),
    ("local.xlarge", 8, 32768, 80, "x86_64"),
)

#: id, name, OS family, CPU architecture
IMAGES = (
    ("img-ubuntu-22.04", "ubuntu-22.04", "ubuntu", "x86_64"),
    ("img-ubuntu-24.04", "ubuntu-24.04", "ubuntu", "x86_64"),
    ("img-debian-11", "debian-11", "debian", "x86_64"),
    ("img-debian-12", "debian-12", "debian", "x86_64"),
    ("img-fedora-40", "fedora-40", "fedora", "x86_64"),
    ("img-windows-2019", "windows-server-2019", "windows", "x86_64"),
    ("img-windows-2022", "windows-server-2022", "windows", "x86_64"),
)


def check_zone(zone: str | None) -> str:
    """``zone``, or the first zone when ``None``. Unknown -> ``NotFound``."""
    if zone is None:
        return ZONES[0]
    if zone not in ZONES:
        raise NotFound(f"no zone {zone!r} (zones: {', '.join(ZONES)})")
    return zone


def new_id(prefix: str) -> str:
    """A fresh ``PREFIX-<hex>`` id."""
    return f"{prefix}-{secrets.token_hex(8)}"


def require(table: dict[str, R], record_id: str, kind: str) -> R:
    """The record ``record_id`` of ``table``. Missing -> ``NotFound``."""
    record = table.get(record_id)
    if record is None:
        raise NotFound(f"no {kind} {record_id!r}")
    return record


def begin(table: dict[str, R], record: R, state: str, *then: str, steps: int) -> None:
    """Put ``record`` in ``state``, to be followed by ``then``; at once when ``steps`` is 0."""
    record.state, record.next, record.seen = state, list(then), 0
    if steps == 0:
        while record.next:
            _advance(table, record)


def _advance(table: dict[str, R], record: R) -> None:
    record.state = record.next.pop(0)
    record.seen = 0
    if record.state == GONE:
        del table[record.id]


def observe(table: dict[str, R], record: R, steps: int) -> R:
    """A copy of ``record`` as it is now; then advance it if it has been seen enough."""
    seen = copy.deepcopy(record)
    record.seen += 1
    if record.next and record.seen >= steps:
        _advance(table, record)
    return seen


def observed_page(
    table: dict[str, R],
    page_size: int,
    token: str | None,
    steps: int,
    keep: Callable[[R], bool] = lambda _: True,
) -> tuple[list[R], str | None]:
    """Records in creation order after ``token`` (the last sequence number returned; records
    added or removed meanwhile never shift a page), each observed once as a ``get`` would."""
    try:
        after = int(token) if token is not None else 0
    except ValueError:
        raise InvalidArgument(f"invalid page token {token!r}") from None
    rest = sorted((r for r in table.values() if r.seq > after and keep(r)), key=lambda r: r.seq)
    chosen = rest[:page_size]
    next_token = str(chosen[-1].seq) if len(rest) > page_size else None
    return [observe(table, record, steps) for record in chosen], next_token
