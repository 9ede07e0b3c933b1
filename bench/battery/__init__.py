"""The mutation battery: realistic adapter bugs, registered per adapter, that the conformance
suite must kill. Read by ``bench/mutants.py``.

A :class:`Mutant` is a text edit of one module of an adapter (``old`` must occur exactly
once in it; a stale mutant is reported, never silently skipped). An :class:`Adapter` names
the harnesses the suite runs against and, for an adapter that needs an endpoint, a
:class:`Peer` factory the tool starts once per worker. Each module of this package
registers one adapter: ``local.py``, ``aws.py``; an Azure or OpenStack adapter adds its own
module with its harness names, its peer (e.g. an emulator) and its mutants.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager

import attrs

__all__ = ["ADAPTERS", "Adapter", "Mutant", "Peer", "load", "register"]


@attrs.frozen
class Mutant:
    """One planted bug: ``edits`` (old text, new text) applied to ``module``'s source.

    ``bug`` says what a user would hit; ``issue8`` marks the eleven bugs issue 8 found
    slipping through; ``harnesses`` restricts the run (e.g. a directory-store bug needs only
    ``local-dir``); ``unkillable`` explains why the suite cannot catch it on the emulators.
    """

    id: str
    module: str
    edits: tuple[tuple[str, str], ...]
    bug: str
    issue8: bool = False
    harnesses: tuple[str, ...] = ()
    unkillable: str = ""


@attrs.frozen
class Peer:
    """An endpoint the tool started: the environment the suite needs to reach it, and how
    to forget every resource between two mutants."""

    env: Mapping[str, str]
    reset: Callable[[], None] = lambda: None


@attrs.frozen
class Adapter:
    """An adapter under mutation: its harnesses, its peer (``None``: none needed), mutants."""

    name: str
    harnesses: tuple[str, ...]
    mutants: tuple[Mutant, ...]
    peer: Callable[[], AbstractContextManager[Peer]] | None = None
    #: Adapters whose suite replays cassettes too: ``--mode replay`` runs them without a peer.
    recorded: bool = False


ADAPTERS: dict[str, Adapter] = {}


def register(adapter: Adapter) -> Adapter:
    """Add ``adapter`` to :data:`ADAPTERS` (mutant ids must be unique across adapters)."""
    known = {m.id for a in ADAPTERS.values() for m in a.mutants}
    clash = known & {m.id for m in adapter.mutants}
    if clash or len({m.id for m in adapter.mutants}) != len(adapter.mutants):
        raise ValueError(f"duplicate mutant ids: {sorted(clash) or adapter.name}")
    ADAPTERS[adapter.name] = adapter
    return adapter


def load() -> dict[str, Adapter]:
    """Import every module of this package (each registers its adapter); return them."""
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_") and info.name != "plant":
            importlib.import_module(f"{__name__}.{info.name}")
    return ADAPTERS
