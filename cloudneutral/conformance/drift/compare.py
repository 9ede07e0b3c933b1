"""Comparing cassettes for drift: per cassette, what changed, in words.

:func:`compare_cassettes` aligns the committed and the fresh exchanges (see :mod:`.shape`)
by request and reports requests no longer sent, new requests, and for requests in both a
changed status, header or body shape. :func:`compare_trees` does it for every cassette of
two folders, and notes cassettes present on one side only.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import attrs

from .shape import Exchange, Shape, exchanges, load

__all__ = [
    "CassetteDrift",
    "DriftReport",
    "compare_cassettes",
    "compare_exchanges",
    "compare_trees",
    "shape_changes",
]


def _kind(shape: Shape) -> str:
    if isinstance(shape, dict):
        return "object"
    if isinstance(shape, list):
        return "list"
    return str(shape)


def shape_changes(old: Shape, new: Shape, where: str = "body") -> list[str]:
    """How ``new`` differs from ``old``; ``null`` (an empty list or element too) agrees with anything."""
    if old == new or old in (None, "null") or new in (None, "null"):
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        out = [f"{where}: key {k!r} removed" for k in sorted(set(old) - set(new))]
        out += [f"{where}: key {k!r} added" for k in sorted(set(new) - set(old))]
        for key in sorted(set(old) & set(new)):
            out += shape_changes(old[key], new[key], f"{where}.{key}")
        return out
    if isinstance(old, list) and isinstance(new, list):
        return shape_changes(old[1], new[1], f"{where}[]")
    return [f"{where}: {_kind(old)} -> {_kind(new)}"]


def compare_exchanges(old: Sequence[Exchange], new: Sequence[Exchange]) -> list[str]:
    """What changed from ``old`` to ``new``, one line per change (empty: no drift)."""
    out: list[str] = []
    before, after = [e.request for e in old], [e.request for e in new]
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("delete", "replace"):
            out += [f"request no longer sent: {e.request} (was {e.status})" for e in old[i1:i2]]
        if tag in ("insert", "replace"):
            out += [f"new request: {e.request} ({e.status})" for e in new[j1:j2]]
        if tag != "equal":
            continue
        for a, b in zip(old[i1:i2], new[j1:j2], strict=True):
            if a.status != b.status:
                out.append(f"{a.request}: status {a.status} -> {b.status}")
            ha, hb = dict(a.headers), dict(b.headers)
            for name in sorted(set(ha) | set(hb)):
                if ha.get(name) != hb.get(name):
                    was, now = ha.get(name, "(absent)"), hb.get(name, "(absent)")
                    out.append(f"{a.request}: header {name} {was!r} -> {now!r}")
            out += [f"{a.request}: {change}" for change in shape_changes(a.body, b.body)]
    return out


def compare_cassettes(committed: Path, fresh: Path) -> list[str]:
    """The changes from the cassette file ``committed`` to ``fresh``."""
    return compare_exchanges(exchanges(load(committed)), exchanges(load(fresh)))


def _varying(name: str, change: str, varying: Mapping[str, str]) -> str | None:
    """Why ``change`` (of cassette ``name``) varies from run to run, or ``None``."""
    for key, why in varying.items():
        if name.startswith(key) or change.startswith(f"{key}: "):
            return why
    return None


@attrs.frozen
class CassetteDrift:
    """The changes found in one cassette (by file name)."""

    name: str
    changes: tuple[str, ...]


@attrs.frozen
class DriftReport:
    """Drift between a committed cassette folder and a fresh recording of it."""

    committed: str
    compared: int
    drifted: tuple[CassetteDrift, ...] = ()
    only_committed: tuple[str, ...] = ()
    only_fresh: tuple[str, ...] = ()
    #: Changes in cassettes the harness says vary from run to run (shown, not failing).
    varying: tuple[tuple[CassetteDrift, str], ...] = ()

    @property
    def ok(self) -> bool:
        return not (self.drifted or self.only_committed or self.only_fresh)

    def render(self) -> str:
        """A readable report: one block per drifted cassette, then a verdict line."""
        lines: list[str] = []
        for drift in self.drifted:
            lines.append(f"{drift.name}:")
            lines += [f"  - {change}" for change in drift.changes]
        if self.only_committed:
            lines.append("committed cassettes not recorded again (test gone, skipped or failed):")
            lines += [f"  - {name}" for name in self.only_committed]
        if self.only_fresh:
            lines.append("new cassettes with no committed counterpart (new tests; record and commit them):")
            lines += [f"  - {name}" for name in self.only_fresh]
        for drift, why in self.varying:
            lines.append(f"{drift.name} (varies from run to run, not counted: {why}):")
            lines += [f"  - {change}" for change in drift.changes]
        verdict = (
            f"no drift: {self.compared} cassette(s) in {self.committed} match a fresh recording"
            if self.ok
            else f"DRIFT: {len(self.drifted)} of {self.compared} cassette(s) in {self.committed} changed, "
            f"{len(self.only_committed)} not recorded again, {len(self.only_fresh)} new"
        )
        return "\n".join([*lines, verdict]) + "\n"


def compare_trees(
    committed: Path,
    fresh: Path,
    names: Iterable[str] | None = None,
    varying: Mapping[str, str] | None = None,
) -> DriftReport:
    """Compare every ``*.yaml`` directly in ``committed`` with its namesake in ``fresh``
    (only ``names`` when given, e.g. the cassettes a partial run recorded). ``varying`` is
    the harness's ``drift_varying``: what the peer decides differently from run to run, and
    why; a key is the start of a cassette's name (all its changes) or a request as the
    report names it (``GET /v2.1/servers/{id}``: the changes of its answer). Those changes
    are reported apart and do not count as drift."""
    old = {p.name for p in committed.glob("*.yaml")}
    new = {p.name for p in fresh.glob("*.yaml")} if fresh.is_dir() else set()
    if names is not None:
        wanted = set(names)
        old, new = old & wanted, new & wanted
    drifted, varied = [], []
    for name in sorted(old & new):
        counted: list[tuple[str, str | None]] = []
        shown: list[tuple[str, str | None]] = []
        for change in compare_cassettes(committed / name, fresh / name):
            why = _varying(name, change, varying or {})
            (counted if why is None else shown).append((change, why))
        if counted:
            drifted.append(CassetteDrift(name, tuple(c for c, _ in counted)))
        if shown:
            varied.append((CassetteDrift(name, tuple(c for c, _ in shown)), str(shown[0][1])))
    return DriftReport(
        str(committed),
        len(old & new),
        tuple(drifted),
        tuple(sorted(old - new)),
        tuple(sorted(new - old)),
        tuple(varied),
    )
