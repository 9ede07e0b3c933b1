"""The migration journal: one SQLite file per source/destination pair, the record of a plan
and of every object and part as it is committed.

A run killed at any instant (SIGKILL) leaves the journal consistent: each row changes in a
transaction of its own (WAL, ``synchronous=NORMAL``), and a row says ``done`` only after
the target confirmed and committed the object; a part row exists only after the target
confirmed that part. Starting again reads it back: finished objects are skipped, objects in
flight resume their upload from the parts recorded, and the rest is copied.

Thread-safe: one connection, serialised by a lock (rows are small; the copying dominates).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import attrs

__all__ = ["ANY_UPLOAD", "Entry", "Journal", "default_journal_path"]

#: An orphan whose upload id was never recorded: abort every unfinished upload of its key.
ANY_UPLOAD = "*"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
    key TEXT PRIMARY KEY,          -- the source key, relative to the source prefix
    dst_key TEXT NOT NULL,         -- relative to the destination prefix
    size INTEGER NOT NULL,
    src_etag TEXT,                 -- the source version the plan saw
    action TEXT NOT NULL,          -- copy | overwrite | skip | delete
    state TEXT NOT NULL,           -- pending | uploading | done | failed
    upload_id TEXT,                -- the target's upload, while in parts
    part_size INTEGER,
    sha256 TEXT,                   -- of the bytes copied, as recorded at the target
    dst_etag TEXT,                 -- the target version written (or found identical)
    verified TEXT,                 -- sha256 | md5 | md5-parts | size | identical
    error TEXT,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS objects_state ON objects (state);
CREATE TABLE IF NOT EXISTS orphans (   -- uploads of a plan that was replaced: abort them
    dst_key TEXT NOT NULL,
    upload_id TEXT NOT NULL,
    PRIMARY KEY (dst_key, upload_id)
);
CREATE TABLE IF NOT EXISTS parts (
    key TEXT NOT NULL,
    number INTEGER NOT NULL,
    size INTEGER NOT NULL,
    md5 TEXT,
    PRIMARY KEY (key, number)
);
"""


def default_journal_path(src: str, dst: str) -> Path:
    """``$XDG_CACHE_HOME/cloudneutral/journals/<hash of the pair>.sqlite`` (``~/.cache`` by default)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha256(f"{src}\n{dst}".encode()).hexdigest()[:20]
    return cache / "cloudneutral" / "journals" / f"{digest}.sqlite"


@attrs.frozen
class Entry:
    """One object of a migration, as the journal has it."""

    key: str
    dst_key: str
    size: int
    src_etag: str | None
    action: str
    state: str
    upload_id: str | None = None
    part_size: int | None = None
    sha256: str | None = None
    dst_etag: str | None = None
    verified: str | None = None
    error: str | None = None


_COLUMNS = [f.name for f in attrs.fields(Entry)]


class Journal:
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

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- meta ------------------------------------------------------------------------------
    def meta(self, name: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, **values: object) -> None:
        with self._lock:
            self._db.executemany(
                "INSERT INTO meta (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                [(k, json.dumps(v) if not isinstance(v, str) else v) for k, v in values.items()],
            )

    # -- objects ---------------------------------------------------------------------------
    def get(self, key: str) -> Entry | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM objects WHERE key = ?", (key,)
            ).fetchone()
        return None if row is None else Entry(*row)

    def entries(self, *, states: Iterable[str] = (), actions: Iterable[str] = ()) -> Iterator[Entry]:
        """Entries in key order, those of ``states`` / ``actions`` only when given; read in
        batches, so a plan of any size streams."""
        where, args = [], []
        for column, values in (("state", list(states)), ("action", list(actions))):
            if values:
                where.append(f"{column} IN ({', '.join('?' * len(values))})")
                args += values
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        after = ""
        while True:
            query = (
                f"SELECT {', '.join(_COLUMNS)} FROM objects {clause} {'AND' if clause else 'WHERE'} key > ? "
            )
            with self._lock:
                rows = self._db.execute(query + "ORDER BY key LIMIT 1000", (*args, after)).fetchall()
            if not rows:
                return
            for row in rows:
                yield Entry(*row)
            after = rows[-1][0]

    def put_plan(self, entries: Iterable[Entry]) -> None:
        """Record planned entries, replacing earlier rows of the same keys (and their parts,
        unless the row is the same object still uploading: its upload resumes)."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                for entry in entries:
                    old = self._db.execute(
                        "SELECT state, src_etag, size, upload_id, part_size FROM objects WHERE key = ?",
                        (entry.key,),
                    ).fetchone()
                    keep_upload = (
                        old is not None
                        and old[0] in ("uploading", "failed")
                        and old[3] is not None
                        and entry.action in ("copy", "overwrite")
                        and (old[1], old[2]) == (entry.src_etag, entry.size)
                    )
                    if not keep_upload:
                        self._db.execute("DELETE FROM parts WHERE key = ?", (entry.key,))
                        stray = old[3] if old is not None and old[3] else None
                        if old is not None and old[0] == "uploading" and stray is None:
                            stray = ANY_UPLOAD  # opened, then killed before it was recorded
                        if stray is not None:
                            self._db.execute(
                                "INSERT OR IGNORE INTO orphans (dst_key, upload_id) VALUES (?, ?)",
                                (entry.dst_key, stray),
                            )
                    values = attrs.asdict(entry)
                    if keep_upload:
                        values.update(state="uploading", upload_id=old[3], part_size=old[4])
                    self._db.execute(
                        f"INSERT OR REPLACE INTO objects ({', '.join(_COLUMNS)}, updated) "
                        f"VALUES ({', '.join('?' * len(_COLUMNS))}, ?)",
                        (*[values[c] for c in _COLUMNS], time.time()),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def update(self, key: str, **changes: object) -> None:
        """Change columns of one entry, in a transaction of its own."""
        columns = ", ".join(f"{name} = ?" for name in changes)
        with self._lock:
            self._db.execute(
                f"UPDATE objects SET {columns}, updated = ? WHERE key = ?",
                (*changes.values(), time.time(), key),
            )

    def forget_missing(self, keys: set[str]) -> None:
        """Drop entries whose keys are not in ``keys`` (no longer in the source); their
        unfinished uploads become orphans to abort."""
        with self._lock:
            rows = self._db.execute("SELECT key, dst_key, upload_id FROM objects").fetchall()
            gone = [(k,) for k, _, _ in rows if k not in keys]
            self._db.executemany(
                "INSERT OR IGNORE INTO orphans (dst_key, upload_id) VALUES (?, ?)",
                [(d, u) for k, d, u in rows if k not in keys and u],
            )
            self._db.executemany("DELETE FROM objects WHERE key = ?", gone)
            self._db.executemany("DELETE FROM parts WHERE key = ?", gone)

    def orphans(self) -> list[tuple[str, str]]:
        """Uploads left by replaced plans or lost objects: ``(dst_key, upload_id)``."""
        with self._lock:
            return [(str(k), str(u)) for k, u in self._db.execute("SELECT dst_key, upload_id FROM orphans")]

    def forget_orphan(self, dst_key: str, upload_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM orphans WHERE dst_key = ? AND upload_id = ?", (dst_key, upload_id))

    # -- parts -----------------------------------------------------------------------------
    def part_done(self, key: str, number: int, size: int, md5: str | None) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO parts (key, number, size, md5) VALUES (?, ?, ?, ?)",
                (key, number, size, md5),
            )

    def parts(self, key: str) -> dict[int, tuple[int, str | None]]:
        """The parts recorded for ``key``: number -> (size, md5)."""
        with self._lock:
            rows = self._db.execute("SELECT number, size, md5 FROM parts WHERE key = ?", (key,)).fetchall()
        return {int(n): (int(s), m) for n, s, m in rows}

    def clear_parts(self, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM parts WHERE key = ?", (key,))

    # -- counts ----------------------------------------------------------------------------
    def counts(self) -> dict[tuple[str, str], tuple[int, int]]:
        """``(action, state) -> (objects, bytes)``."""
        with self._lock:
            rows = self._db.execute(
                "SELECT action, state, COUNT(*), COALESCE(SUM(size), 0) FROM objects GROUP BY action, state"
            ).fetchall()
        return {(str(a), str(s)): (int(n), int(b)) for a, s, n, b in rows}
