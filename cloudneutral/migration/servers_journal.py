"""The journal of a server migration: one SQLite file per source/destination pair, the record
of the plan and of every resource as it is created at the target.

Each row is one source resource (a server, a volume or a snapshot) with what it maps to and
how far its creation went (``state``), the id of what was created (``dst_id``), the bytes of
its data copied so far (``progress``) and, for a snapshot, the staging volume its bytes pass
through. Each change is a transaction of its own (WAL, ``synchronous=NORMAL``), written
*before* the call it announces (``creating``) and again after (the id), so a run killed at
any instant leaves a journal from which the next run knows what exists: a resource
announced but never recorded is looked for at the target by its tags before anything is
created again.

Thread-safe: one connection, serialised by a lock. Same style as :mod:`.journal`.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

__all__ = ["KINDS", "Item", "ServerJournal"]

#: The kinds of resource a server migration moves, in the order they are planned.
KINDS = ("server", "volume", "snapshot")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    kind TEXT NOT NULL,            -- server | volume | snapshot
    src_id TEXT NOT NULL,          -- the resource's id at the source
    seq INTEGER NOT NULL,          -- its place in the plan
    name TEXT NOT NULL,
    action TEXT NOT NULL,          -- create | done | unmapped | boot
    source TEXT NOT NULL,          -- JSON: what the source has
    target TEXT NOT NULL,          -- JSON: what is (to be) created at the target
    reason TEXT,                   -- why it cannot be mapped, or why it is left
    note TEXT,                     -- what the user should know (e.g. data not copied)
    state TEXT NOT NULL,           -- planned | creating | created | ... | done | failed
    dst_id TEXT,                   -- the resource created at the target
    progress INTEGER NOT NULL,     -- bytes of data copied (and read back) so far
    staging TEXT,                  -- snapshots: the target volume their bytes pass through
    error TEXT,
    updated REAL NOT NULL,
    PRIMARY KEY (kind, src_id)
);
"""


@attrs.frozen
class Item:
    """One source resource of a server migration and what it maps to.

    ``action``: ``create`` (to be created, or finished when a run was cut short), ``done``
    (already at the target), ``unmapped`` (``reason`` says why), ``boot`` (a server's boot
    disk: the target image brings its own). ``source`` and ``target`` describe the
    resource at each end (JSON-ready); ``state`` says how far the creation went.
    """

    kind: str
    src_id: str
    name: str
    action: str
    source: Mapping[str, Any] = attrs.field(factory=dict)
    target: Mapping[str, Any] = attrs.field(factory=dict)
    reason: str | None = None
    note: str | None = None
    state: str = "planned"
    dst_id: str | None = None
    progress: int = 0
    staging: str | None = None
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        doc = attrs.asdict(self)
        doc["source"], doc["target"] = dict(self.source), dict(self.target)
        return doc


_COLUMNS = [f.name for f in attrs.fields(Item)]
_JSON = ("source", "target")


def _row(values: tuple[Any, ...]) -> Item:
    fields = dict(zip(_COLUMNS, values, strict=True))
    for name in _JSON:
        fields[name] = json.loads(fields[name])
    return Item(**fields)


class ServerJournal:
    """The SQLite journal at ``path`` (``":memory:"`` for a plan that is not kept)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
            self._db.execute(
                "INSERT OR IGNORE INTO meta (name, value) VALUES ('id', ?)", (secrets.token_hex(6),)
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @property
    def id(self) -> str:
        """A random id of this journal, tagged on what it creates (so a resource whose
        creation was cut short is found again, and never one of another migration)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE name = 'id'").fetchone()
        return str(row[0])

    def set_meta(self, **values: str) -> None:
        with self._lock:
            self._db.executemany(
                "INSERT INTO meta (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                list(values.items()),
            )

    def get(self, kind: str, src_id: str) -> Item | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM items WHERE kind = ? AND src_id = ?", (kind, src_id)
            ).fetchone()
        return None if row is None else _row(row)

    def items(self) -> Iterator[Item]:
        """Every row, in plan order."""
        with self._lock:
            rows = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM items ORDER BY seq").fetchall()
        return (_row(r) for r in rows)

    def put_plan(self, items: Iterable[Item]) -> None:
        """Record a plan: each item replaces the row of the same resource, in one transaction."""
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN")
            try:
                for seq, item in enumerate(items):
                    values = item.as_json()
                    for name in _JSON:
                        values[name] = json.dumps(values[name], sort_keys=True)
                    self._db.execute(
                        f"INSERT OR REPLACE INTO items ({', '.join(_COLUMNS)}, seq, updated) "
                        f"VALUES ({', '.join('?' * len(_COLUMNS))}, ?, ?)",
                        (*[values[c] for c in _COLUMNS], seq, now),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def update(self, kind: str, src_id: str, **changes: Any) -> Item:
        """Change columns of one row, in a transaction of its own; return the row."""
        unknown = set(changes) - set(_COLUMNS) | (set(changes) & {"kind", "src_id", *_JSON})
        if unknown:
            raise ValueError(f"cannot change {sorted(unknown)}")
        columns = ", ".join(f"{name} = ?" for name in changes)
        with self._lock:
            self._db.execute(
                f"UPDATE items SET {columns}, updated = ? WHERE kind = ? AND src_id = ?",
                (*changes.values(), time.time(), kind, src_id),
            )
        item = self.get(kind, src_id)
        if item is None:
            raise KeyError(f"no {kind} {src_id} in the journal")
        return item
