"""State machines that advance when observed, never by the wall clock; the catalogue.

A record in the state document carries ``state``, the states still to come in ``next``
and ``seen``, how often the current state has been observed. :func:`begin` starts a
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
from typing import Any

from ..errors import InvalidArgument, NotFound

__all__ = [
    "GONE",
    "IMAGES",
    "REGION",
    "SIZES",
    "ZONES",
    "begin",
    "check_zone",
    "new_record",
    "observe",
    "observed_page",
    "page",
    "require",
]

#: The pseudo-state after which a record no longer exists.
GONE = "gone"

REGION = "local"
ZONES = ("local-a", "local-b")

#: name, vCPUs, memory in MiB, disk in GiB
SIZES = (
    ("local.micro", 1, 512, 5),
    ("local.small", 1, 1024, 10),
    ("local.medium", 2, 4096, 20),
    ("local.large", 4, 16384, 40),
    ("local.xlarge", 8, 32768, 80),
)

#: id, name, OS family
IMAGES = (
    ("img-ubuntu-22.04", "ubuntu-22.04", "ubuntu"),
    ("img-ubuntu-24.04", "ubuntu-24.04", "ubuntu"),
    ("img-debian-11", "debian-11", "debian"),
    ("img-debian-12", "debian-12", "debian"),
    ("img-fedora-40", "fedora-40", "fedora"),
    ("img-windows-2019", "windows-server-2019", "windows"),
    ("img-windows-2022", "windows-server-2022", "windows"),
)


def check_zone(zone: str | None) -> str:
    """``zone``, or the first zone when ``None``. Unknown -> ``NotFound``."""
    if zone is None:
        return ZONES[0]
    if zone not in ZONES:
        raise NotFound(f"no zone {zone!r} (zones: {', '.join(ZONES)})")
    return zone


def new_record(doc: dict[str, Any], table: str, prefix: str, **fields: Any) -> dict[str, Any]:
    """Add a record with a fresh ``PREFIX-<hex>`` id and the next sequence number."""
    doc["seq"] += 1
    record_id = f"{prefix}-{secrets.token_hex(8)}"
    record: dict[str, Any] = {"id": record_id, "seq": doc["seq"], "state": "", "next": [], "seen": 0}
    record.update(fields)
    doc[table][record_id] = record
    return record


def require(doc: dict[str, Any], table: str, record_id: str, kind: str) -> dict[str, Any]:
    """The record ``record_id`` of ``table``. Missing -> ``NotFound``."""
    record: dict[str, Any] | None = doc[table].get(record_id)
    if record is None:
        raise NotFound(f"no {kind} {record_id!r}")
    return record


def begin(table: dict[str, Any], record: dict[str, Any], state: str, *then: str, steps: int) -> None:
    """Put ``record`` in ``state``, to be followed by ``then``; at once when ``steps`` is 0."""
    record.update(state=state, next=list(then), seen=0)
    if steps == 0:
        while record["next"]:
            _advance(table, record)


def _advance(table: dict[str, Any], record: dict[str, Any]) -> None:
    record["state"] = record["next"].pop(0)
    record["seen"] = 0
    if record["state"] == GONE:
        del table[record["id"]]


def observe(table: dict[str, Any], record: dict[str, Any], steps: int) -> dict[str, Any]:
    """A copy of ``record`` as it is now; then advance it if it has been seen enough."""
    seen = copy.deepcopy(record)
    record["seen"] += 1
    if record["next"] and record["seen"] >= steps:
        _advance(table, record)
    return seen


def page(table: dict[str, Any], page_size: int, token: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """Records in creation order after ``token`` (the last sequence number returned)."""
    try:
        after = int(token) if token is not None else 0
    except ValueError:
        raise InvalidArgument(f"invalid page token {token!r}") from None
    rest = sorted((r for r in table.values() if r["seq"] > after), key=lambda r: int(r["seq"]))
    chosen = rest[:page_size]
    more = len(rest) > page_size
    return chosen, (str(chosen[-1]["seq"]) if more else None)


def observed_page(
    table: dict[str, Any], page_size: int, token: str | None, steps: int
) -> tuple[list[dict[str, Any]], str | None]:
    """:func:`page`, each record observed once (as a ``get`` would)."""
    chosen, next_token = page(table, page_size, token)
    return [observe(table, record, steps) for record in chosen], next_token
